"""Limits per client address for the web chat, on top of each connection's own: one address
may hold only so many sockets open at once, open only so many a minute, and send only so
many messages a minute over all of them together. A script cannot get around the
per-connection limit by opening a hundred sockets.

Kept in memory, like the login throttle and the form guard: one web server per bot. Behind
a reverse proxy the address is the visitor's only when uvicorn trusts the proxy's
X-Forwarded-For (from 127.0.0.1 by default; see docs/how-it-works.md, the web chat).
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from common.clock import Clock

WINDOW = timedelta(minutes=1)


class AddressLimits:
    def __init__(
        self, *, clock: Clock, open_at_once: int, opened_per_minute: int, messages_per_minute: int
    ) -> None:
        self._clock = clock
        self._open_at_once = open_at_once
        self._opened_per_minute = opened_per_minute
        self._messages_per_minute = messages_per_minute
        self._open: dict[str, int] = {}
        self._opened: dict[str, deque[float]] = {}
        self._messages: dict[str, deque[float]] = {}
        self._swept = 0.0

    def connect(self, address: str) -> bool:
        """Counts a new connection from `address`; False (and not counted) when it holds too
        many open already or opened too many this minute. A True is ended by `disconnect`."""
        if self._open.get(address, 0) >= self._open_at_once:
            return False
        if not self._count(self._opened, address, self._opened_per_minute):
            return False
        self._open[address] = self._open.get(address, 0) + 1
        return True

    def disconnect(self, address: str) -> None:
        left = self._open.get(address, 0) - 1
        if left > 0:
            self._open[address] = left
        else:
            self._open.pop(address, None)

    def message(self, address: str) -> bool:
        """Counts a message from `address`; False once it sent its share this minute."""
        return self._count(self._messages, address, self._messages_per_minute)

    def _count(self, counts: dict[str, deque[float]], address: str, limit: int) -> bool:
        now = self._clock().timestamp()
        since = now - WINDOW.total_seconds()
        if self._swept < since:  # once a minute, quiet addresses are forgotten
            self._swept = now
            for table in (self._opened, self._messages):
                for key in [k for k, times in table.items() if times[-1] <= since]:
                    del table[key]
        times = counts.setdefault(address, deque())
        while times and times[0] <= since:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True
