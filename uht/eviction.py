"""Making room at the connection cap: which open connection a newcomer's slot is taken from.

Loaded by HTTPServer._admit the first time a client finds the server full (a plain GET app that
never reaches its cap never loads it); if that load fails for want of memory, the newcomer gets
the constant 503 instead.
"""

from ._compat import TYPE_CHECKING, ticks_diff, ticks_ms
from .connection import EVICTED, LINGER, SLOW, WAIT_HEAD

if TYPE_CHECKING:
    from typing import Any

    from .connection import Connection


def shortfall(conn: "Connection", now: int, floor: int) -> int:
    """How many bytes conn is behind the floor rate over the time it has been measured, grace or
    not (so the slowest for the longest is the furthest behind); 0 when it is not behind, when it
    is not waiting for data, or when under 0.1 s has been measured."""
    if not conn.metered or conn.wait_since is None:
        return 0
    t = conn.waiting_ms(now)
    if t < 100:
        return 0
    behind = floor * t // 1000 - conn.got
    return behind if behind > 0 else 0


def pick_victim(conns: "list[Connection]", floor: int, host: bool) -> "tuple[Any, str]":
    """(connection, why) to close for a newcomer, in this order: one lingering after its answer
    (boards, where it takes a slot), the kept-alive one that has waited longest for its next
    request, the one furthest behind the minimum data rate (head or body, grace or not), the one
    that has waited longest for a first head; (None, "") when none of these exists."""
    lingering = idle = slow = fresh = None
    worst = 0
    now = ticks_ms()
    for c in conns:
        if c.expired is not None:
            continue
        if c.state == LINGER:
            if host:
                continue  # on a host, lingering connections are beyond max_connections
            lingering = c
        elif c.state == WAIT_HEAD:
            if c.requests and not c.buffered():
                if idle is None or ticks_diff(c.since, idle.since) < 0:
                    idle = c
            elif fresh is None or ticks_diff(c.since, fresh.since) < 0:
                fresh = c
        short = shortfall(c, now, floor)
        if short > worst:
            worst = short
            slow = c
    victim = lingering or idle or slow or fresh
    if victim is None:
        return None, ""
    return victim, SLOW if victim is slow else EVICTED
