"""SQLite for the async engine, run on the event loop's own thread.

aiosqlite runs every call (cursor, execute, fetch, close) in a worker thread and hands the
result back through the event loop: four thread hand-offs per statement. A SQLite statement
on a local file takes microseconds, the hand-offs take far longer (measured: a select by
primary key costs 0.6 ms of CPU through aiosqlite against 0.2 ms without it). So the calls
run here directly, behind the interface SQLAlchemy's aiosqlite dialect expects.

The one call that could block is a lock wait: another process (the CLI, a second bot) holds
the write lock. Calls therefore run without a busy timeout; only when SQLite says the
database is locked is that statement retried in a worker thread, with the usual timeout, so
the loop keeps running while it waits.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

LOCK_WAIT_MS = 30_000


def _locked(error: sqlite3.OperationalError) -> bool:
    return "database is locked" in str(error) or "database table is locked" in str(error)


class InlineCursor:
    __slots__ = ("_connection", "_cursor")

    def __init__(self, connection: InlineConnection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return await self._connection.run(lambda: self._cursor.execute(sql, parameters))

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> Any:
        return await self._connection.run(lambda: self._cursor.executemany(sql, parameters))

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def setinputsizes(self, *sizes: Any) -> None:
        self._cursor.setinputsizes(*sizes)

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """SQLAlchemy sets the isolation level by putting (future, function) on aiosqlite's
    private work queue; here that work is done at once."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class InlineConnection:
    """What SQLAlchemy's aiosqlite adapter uses of an aiosqlite connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._tx = _RunNow(self)

    @property
    def _connection(self) -> sqlite3.Connection | None:
        # The adapter commits and rolls back only while this is set.
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    async def run(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _locked(error):
                raise
        return await asyncio.to_thread(self._wait_for_lock, call)

    def _wait_for_lock(self, call: Callable[[], Any]) -> Any:
        connection = self._open()
        connection.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        try:
            return call()
        finally:
            connection.execute("PRAGMA busy_timeout=0")

    def cursor(self) -> InlineCursor:
        return InlineCursor(self, self._open().cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        cursor = self.cursor()
        await cursor.execute(sql, parameters)
        return cursor

    async def commit(self) -> None:
        # A commit waits for the disk (fsync); the loop goes on with other work meanwhile.
        await asyncio.to_thread(self._commit_waiting_for_lock)

    def _commit_waiting_for_lock(self) -> None:
        try:
            self._open().commit()
        except sqlite3.OperationalError as error:
            if not _locked(error):
                raise
            self._wait_for_lock(self._open().commit)

    async def rollback(self) -> None:
        self._open().rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def inline_connector(database: str) -> Callable[[], Any]:
    """An `async_creator` for `create_async_engine`."""

    async def connect() -> InlineConnection:
        # check_same_thread off: a lock wait runs the call in a worker thread (see `run`).
        connection = sqlite3.connect(database, timeout=0, check_same_thread=False)
        return InlineConnection(connection)

    return connect
