"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every storage test,
a driven clock, and a recording channel.

A service that is missing skips its tests with the reason; with CI=true it fails them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from bot.config.settings import Settings, WorkerSettings
from storage.db import SessionFactory, create_engine, session_factory, upgrade
from tests.mail_lab import MailLab
from tests.support import RecordingChannel, SteppedClock, require_service

pytest_plugins = [
    "tests.mail_lab.fixtures",  # the session-wide mail lab
    "tests.telegram_lab.fixtures",  # the session-wide Telegram emulator
]

# A helper process per App costs half a second to start: the tests run without helpers
# unless they ask for them (tests/test_workers.py, the mail conversation with helpers).
# Settings are made in many ways here (constructor, model_validate, a TOML file for the CLI),
# so the default itself is changed, and the environment for the CLI run in a subprocess.
WorkerSettings.model_fields["processes"].default = 0
WorkerSettings.model_rebuild(force=True)
Settings.model_rebuild(force=True)
os.environ.setdefault("KLACHTBOT_WORKERS__PROCESSES", "0")
# `klachtbot run` serves the web desk; tests running it at once must not all want port 8080.
os.environ.setdefault("KLACHTBOT_WEB__LISTEN", "127.0.0.1:0")

POSTGRES_URL = os.environ.get(
    "KLACHTBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


# Fixtures that start or use a real server of their own (Dovecot, SMTP, the Bot API emulator)
# or a real browser (Chromium, tests/web).
LAB_FIXTURES = frozenset({"mail_lab", "telegram_lab", "smtp", "browser"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # SKIP LOCKED concurrency is a PostgreSQL matter: SQLite has one writer at a time. Some
    # storage details (SQLite's FTS5 index) exist on SQLite only.
    items[:] = [
        item
        for item in items
        if not (item.get_closest_marker("postgres_only") and "[sqlite]" in item.nodeid)
        and not (item.get_closest_marker("sqlite_only") and "[postgresql]" in item.nodeid)
    ]
    # Markers for the fast subset (`make test-fast`: not postgresql and not lab).
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgresql)
        if LAB_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.lab)


async def _postgres_admin(statement: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh, migrated PostgreSQL database for this test run (None if unreachable)."""
    name = f"klachtbot_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, Exception) as exc:
        yield None
        print(f"PostgreSQL unavailable: {exc}")
        return
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    async def migrate() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None
) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'klachtbot.db'}"
    require_service(postgres_database is not None, f"PostgreSQL not reachable at {POSTGRES_URL}")
    assert postgres_database is not None
    return postgres_database


@pytest.fixture
async def unmigrated_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same kind, for tests that migrate step by step."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}"
        return
    name = f"klachtbot_empty_{uuid.uuid4().hex[:10]}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per run: each test's database starts as a copy.
    Running every migration costs a quarter to half a second, copying the file a millisecond."""
    path = tmp_path_factory.mktemp("migrated") / "klachtbot.db"

    async def migrate() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    # Closing the last connection folds the write-ahead log into the file: the file is whole.
    assert not path.with_name(f"{path.name}-wal").exists()
    return path


def _copy_if_new(migrated: Path, database_url: str) -> None:
    """A SQLite database not made yet starts as a copy of `migrated`."""
    file = make_url(database_url).database
    if database_url.startswith("sqlite") and file and not Path(file).exists():
        shutil.copyfile(migrated, file)


@pytest.fixture
async def engine(database_url: str, migrated_sqlite_file: Path) -> AsyncIterator[AsyncEngine]:
    _copy_if_new(migrated_sqlite_file, database_url)
    engine = create_engine(database_url)
    await upgrade(engine)  # a no-op on a copy at head, as on the PostgreSQL database
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def lab(mail_lab: MailLab, engine: AsyncEngine) -> MailLab:
    """The shared mail lab, emptied, next to an empty database of the test's kind."""
    mail_lab.reset()
    return mail_lab


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.fixture
def channel() -> RecordingChannel:
    return RecordingChannel()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For a test that calls `common.logs.configure` (to stderr, read with capsys): afterwards
    the logging set-up, structlog's and the standard library's root logger, is as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)
