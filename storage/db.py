"""Engine, sessions and schema upgrades."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.memo import remembered
from storage.sqlite import LOCK_WAIT_SECONDS, connector

SessionFactory = async_sessionmaker[AsyncSession]


def create_engine(url: str, *, sqlite_lock_wait: float = LOCK_WAIT_SECONDS) -> AsyncEngine:
    """`sqlite_lock_wait`: seconds a statement waits for a lock another process holds."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection, shared in turn: SQLite has one writer at a time anyway, and its
        # busy handler lets a steady writer (the intake) starve the others (the outbox).
        # Waiting for the pool is fair and costs no polling. (The web desk reads on an
        # engine of its own: bot/web/desk.py.)
        engine = create_async_engine(
            url,
            async_creator=connector(database or ":memory:", lock_wait=sqlite_lock_wait),
            pool_size=1,
            max_overflow=0,
            pool_timeout=30,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the console reader and the CLI look at the database while the bot writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed when the block ends, rolled back when it raises."""
    async with sessions() as session, session.begin():
        yield session


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def schema_is_current(session: AsyncSession) -> bool:
    """Whether the database is at the newest migration this code ships (readiness)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    def check(sync: Connection) -> bool:
        heads = ScriptDirectory.from_config(_alembic_config(sync)).get_heads()
        return set(MigrationContext.configure(sync).get_current_heads()) == set(heads)

    return await (await core(session)).run_sync(check)


async def core(session: AsyncSession) -> AsyncConnection:
    """The transaction's connection, for Core statements. Asked of the session once per
    transaction: every ask is a trip through SQLAlchemy's greenlet bridge."""
    return await remembered(session, "connection", session.connection)
