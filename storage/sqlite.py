"""SQLite connections for SQLAlchemy's `sqlite+aiosqlite` dialect.

aiosqlite keeps each sqlite3 connection in a thread of its own and runs every call on it
there, one after another: a statement that waits for a lock, the rollback or close after a
cancelled wait, all in turn, never from two threads at once.

Two changes to aiosqlite's connection, both for a process that must always be able to exit:
- `stop()` may be asked more than once. When a task is cancelled again while SQLAlchemy
  closes its connection after an earlier cancellation (the bot stopping a reader that waits
  for a lock the CLI holds), SQLAlchemy stops the connection (`terminate`) while its
  graceful `close()` still waits for the statement in flight; that `close()` then stopped
  the connection a second time and waited for an answer from a thread that had already
  ended, for ever. Here the second stop waits for the first one.
- Its thread is a daemon thread, as SQLAlchemy makes it for the connections it opens
  itself: a connection never closed (a start-up that failed half-way) does not keep the
  process from exiting.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial

import aiosqlite

# How long a statement waits for a write lock another process holds (the CLI, a second bot)
# before it fails with "database is locked". It waits in aiosqlite's thread: the event loop
# runs on meanwhile.
LOCK_WAIT_SECONDS = 30.0
ITER_CHUNK_SIZE = 64  # rows fetched per call when iterating, as aiosqlite.connect's default


class _Connection(aiosqlite.Connection):
    _stopped: asyncio.Future[object] | None = None
    _stopping = False

    def stop(self) -> asyncio.Future[object] | None:
        if not self._stopping:
            self._stopping = True
            self._stopped = super().stop()
        return self._stopped


def connector(
    database: str, *, lock_wait: float = LOCK_WAIT_SECONDS
) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """An `async_creator` for `create_async_engine`."""

    async def connect() -> aiosqlite.Connection:
        opener = partial(sqlite3.connect, database, timeout=lock_wait)
        connection = _Connection(opener, ITER_CHUNK_SIZE)
        connection._thread.daemon = True  # before it starts, on the await below
        return await connection

    return connect
