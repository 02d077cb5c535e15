# Frozen into this board's image as `uhtfw_board` (manifests/uht.py): what the image's network stack
# holds, for uhtfw.max_connections(). boards/sdkconfig.uht sets CONFIG_LWIP_MAX_SOCKETS to this; the
# listening socket is one of them.
TCP_CONNECTIONS = 16
# The listening socket, and one kept spare: the stack must still accept a newcomer for uht to evict
# an idle connection for it.
MAX_CONNECTIONS = TCP_CONNECTIONS - 2
