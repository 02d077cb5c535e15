# Frozen into this board's image as `uhtfw_board` (manifests/uht.py): what the image's network stack
# holds, for uhtfw.max_connections(). mpconfigboard.h sets lwIP's MEMP_NUM_TCP_PCB to this.
TCP_CONNECTIONS = 16
# One kept spare: the stack must still accept a newcomer for uht to evict an idle connection for it.
MAX_CONNECTIONS = TCP_CONNECTIONS - 1
