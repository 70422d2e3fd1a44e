"""Opening the database named by `database.url`, or saying in one line why it cannot be
opened: `database.url: cannot connect to 127.0.0.1:5999 (connection refused)`."""

from __future__ import annotations

import sqlite3

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from common.problems import Problem, StartupFailure, causes, network_problem, strerror
from storage.db import create_engine, upgrade

DATABASE_URL = "database.url"
# SQLSTATE classes that mean the settings are wrong: 28 login refused, 3D no such database.
_CONFIGURATION_SQLSTATES = ("28", "3D")


def database_problem(exc: BaseException, url: str) -> Problem | None:
    """Why the database at `url` cannot be opened; None if `exc` says nothing about that."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ":memory:"
        for cause in causes(exc):
            if isinstance(cause, sqlite3.Error):
                # Locked by another process: that passes; anything else is the path or file.
                locked = "locked" in str(cause)
                return Problem(DATABASE_URL, f"cannot open {path} ({cause})", not locked)
            if isinstance(cause, OSError):
                return Problem(DATABASE_URL, f"cannot create {path} ({strerror(cause)})")
        return None
    host, port = parsed.host or "localhost", parsed.port or 5432
    network = network_problem(exc, setting=DATABASE_URL, host=host, port=port)
    if network is not None:
        return network
    for cause in causes(exc):
        if isinstance(cause, asyncpg.PostgresError):
            configuration = str(cause.sqlstate)[:2] in _CONFIGURATION_SQLSTATES
            return Problem(DATABASE_URL, f"PostgreSQL at {host}:{port}: {cause}", configuration)
        if isinstance(cause, ConnectionError | asyncpg.InterfaceError):
            return Problem(DATABASE_URL, f"cannot connect to {host}:{port} ({cause})", False)
    return None


async def open_database(url: str) -> AsyncEngine:
    """An engine on `url` with the schema brought up to date. When the database cannot be
    reached or opened: `StartupFailure` naming `database.url`, nothing left open."""
    try:
        engine = create_engine(url)
    except OSError as exc:  # the SQLite file's folder cannot be made
        raise StartupFailure(_database_problem(exc, url)) from None
    try:
        # Connecting first tells "cannot reach or open it" apart from a failed migration,
        # which is a fault of ours and keeps its traceback.
        connection = await engine.connect()
        await connection.close()
    except Exception as exc:
        await engine.dispose()
        problem = database_problem(exc, url)
        if problem is None:
            raise
        raise StartupFailure(problem) from None
    try:
        await upgrade(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


def _database_problem(exc: OSError, url: str) -> Problem:
    return database_problem(exc, url) or Problem(DATABASE_URL, strerror(exc))
