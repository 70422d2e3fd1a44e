"""SQLite through aiosqlite: a lock wait does not stop the loop, cancelling a write during a
lock wait neither crashes the process nor keeps it from exiting, and an error still reaches
the caller."""

import asyncio
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import Customer, Handler

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
CANCEL_RUNS = 5


async def test_a_write_waits_for_another_process_lock_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    database = tmp_path / "bot.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    sessions = session_factory(engine)
    other = sqlite3.connect(database, isolation_level=None)  # the CLI, say
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock

        async def write() -> None:
            async with transaction(sessions) as session:
                session.add(Customer(name="Anna", language="nl", created_at=NOW))

        writing = asyncio.create_task(write())
        # The loop keeps running this test while the write waits for the lock.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(writing), timeout=0.3)
        assert not writing.done()
        other.execute("COMMIT")
        await asyncio.wait_for(writing, timeout=10)
        async with transaction(sessions) as session:
            names = (await session.exec(select(Customer.name))).all()
        assert names == ["Anna"]
    finally:
        other.close()
        await engine.dispose()


async def test_errors_reach_the_caller_and_roll_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(engine)
    sessions = session_factory(engine)
    try:
        async with transaction(sessions) as session:
            session.add(Handler(name="Eva", role="handler", email="eva@example.nl"))

        async def bram_and_a_second_eva() -> None:
            async with transaction(sessions) as session:
                session.add(Customer(name="Bram", language="nl", created_at=NOW))
                await session.flush()
                session.add(Handler(name="Eva", role="handler", email="eva@example.nl"))

        async def read_a_missing_table() -> None:
            async with transaction(sessions) as session:
                await (await session.connection()).exec_driver_sql("SELECT * FROM nowhere")

        with pytest.raises(IntegrityError):
            await bram_and_a_second_eva()
        with pytest.raises(OperationalError, match="no such table"):
            await read_a_missing_table()
        async with transaction(sessions) as session:
            customers = (await session.exec(select(Customer))).all()
            handlers = (await session.exec(select(Handler.name))).all()
        assert customers == []  # Bram's transaction was rolled back
        assert handlers == ["Eva"]
    finally:
        await engine.dispose()


@pytest.mark.parametrize("run", range(CANCEL_RUNS))
def test_cancelling_a_write_during_a_lock_wait_does_not_crash(tmp_path: Path, run: int) -> None:
    # In a process of its own: a crash (SIGSEGV, as with the former inline shim) or a close
    # that never ends shows as its exit, not as this test run dying or hanging.
    done = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_cancel_harness", str(tmp_path / "bot.db")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-3000:])
    assert done.stdout.strip() == "OK"


LEFT_OPEN = """
import asyncio, sys
from storage.db import create_engine, upgrade

async def start_that_fails() -> None:
    engine = create_engine(sys.argv[1])
    await upgrade(engine)  # the connection stays open: nobody disposes of the engine
    sys.modules["__main__"].kept = engine
    raise SystemExit(3)

asyncio.run(start_that_fails())
"""


def test_a_connection_left_open_does_not_keep_the_process_from_exiting(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LEFT_OPEN, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr[-3000:]
