# Frozen into this board's image as `uhtfw_board` (manifests/uht.py): what the image's network stack
# holds, for uhtfw.max_connections(). The SDK's lwIP (esp-open-lwip) allows MEMP_NUM_TCP_PCB = 5
# connections (espconn's default maximum); left as it is, the heap (about 38 KB) being the limit.
TCP_CONNECTIONS = 5
# One kept spare: the stack must still accept a newcomer for uht to evict an idle connection for it.
MAX_CONNECTIONS = TCP_CONNECTIONS - 1
