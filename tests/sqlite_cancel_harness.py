"""A process that cancels SQLite writes while they wait for a lock another connection holds,
for tests/test_sqlite.py: a crash here (SIGSEGV) shows as the exit code.

python -m tests.sqlite_cancel_harness DATABASE_FILE

Two rounds, each a write cancelled during its lock wait, as when the bot stops while the CLI
holds the write lock: once the lock is then released and the database written again; once
the engine is disposed of while the lock is still held. Prints OK when the database holds
exactly the writes that were not cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from storage.db import SessionFactory, create_engine, session_factory, transaction, upgrade
from storage.models import Customer

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
WITHIN = 20.0  # seconds for anything that should be quick


async def _write_waiting_for_the_lock(sessions: SessionFactory, name: str) -> asyncio.Task[None]:
    """A write whose INSERT is waiting for the lock another connection holds."""
    inserting = asyncio.Event()
    engine = sessions.kw["bind"]

    def on_execute(*args: Any) -> None:
        if str(args[2]).lstrip().upper().startswith("INSERT"):
            inserting.set()

    async def write() -> None:
        async with transaction(sessions) as session:
            session.add(Customer(name=name, language="nl", created_at=NOW))

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    writing = asyncio.create_task(write())
    try:
        await asyncio.wait_for(inserting.wait(), WITHIN)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
    # The lock is held: the INSERT cannot finish, so after this it is waiting for it.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(writing), 0.2)
    assert not writing.done(), "the write did not wait for the lock"
    return writing


async def _cancel_until_ended(task: asyncio.Task[None]) -> None:
    """As the bot stops a reader: cancelled, and cancelled again until it has ended."""
    async with asyncio.timeout(WITHIN):
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=0.3)
    assert task.cancelled(), task


async def _names(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        names = (await session.exec(select(Customer.name).order_by(Customer.name))).all()
    return [str(name) for name in names]


async def main(database: str) -> None:
    url = f"sqlite+aiosqlite:///{database}"
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    other = sqlite3.connect(database, isolation_level=None)  # the CLI, say

    # 1. Cancelled while waiting; the CLI then finishes; the bot writes on.
    other.execute("BEGIN IMMEDIATE")
    writing = await _write_waiting_for_the_lock(sessions, "cancelled-1")
    writing.cancel()
    other.execute("COMMIT")
    await _cancel_until_ended(writing)
    async with transaction(sessions) as session:
        session.add(Customer(name="written-1", language="nl", created_at=NOW))
    assert await _names(sessions) == ["written-1"], await _names(sessions)

    # 2. Cancelled again and again while the CLI still holds the lock, and the engine closed
    # (the bot stopping): the wait ends with the lock wait's time-out, not with a crash.
    await engine.dispose()
    engine = create_engine(url, sqlite_lock_wait=1.0)
    sessions = session_factory(engine)
    other.execute("BEGIN IMMEDIATE")
    writing = await _write_waiting_for_the_lock(sessions, "cancelled-2")
    await _cancel_until_ended(writing)
    await asyncio.wait_for(engine.dispose(), WITHIN)
    other.execute("COMMIT")
    other.close()

    engine = create_engine(url)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        session.add(Customer(name="written-2", language="nl", created_at=NOW))
    names = await _names(sessions)
    await engine.dispose()
    assert names == ["written-1", "written-2"], names
    # Whatever SQLAlchemy still closes in the background ends too (the process can exit).
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        _, pending = await asyncio.wait(others, timeout=WITHIN)
        assert not pending, pending
    print("OK", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
