"""Where the channel keeps the next update id to ask for (a database row, in the app)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OffsetStore:
    load: Callable[[int], Awaitable[int]]  # bot id -> next update id (0: none stored yet)
    save: Callable[[int, int], Awaitable[None]]  # bot id, next update id
