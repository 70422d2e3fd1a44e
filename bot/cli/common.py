"""What every command needs: the settings, an event loop of its own, the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from bot.config.settings import Settings, SettingsError, load_settings, secret_values
from bot.runtime.database import open_database
from common.logs import hide
from common.problems import StartupFailure
from common.terminal import err
from storage.db import SessionFactory, session_factory

T = TypeVar("T")


def settings_of(ctx: typer.Context) -> Settings:
    """The settings from `--config` (kept in the context by the main callback)."""
    try:
        return load_settings(ctx.find_root().obj)
    except SettingsError as exc:
        err.print(f"klachtbot: configuration error\n{exc}")
        raise typer.Exit(2) from None


def run(coroutine: Callable[[], Awaitable[T]], settings: Settings | None = None) -> T:
    """Run `coroutine` on a new event loop. A part that cannot start (`StartupFailure`) is
    one line naming the setting, no traceback; exit code 2 when the settings are wrong,
    1 when a service the bot needs is away."""

    async def wrapped() -> T:
        return await coroutine()

    try:
        return asyncio.run(wrapped())
    except StartupFailure as exc:
        secrets = secret_values(settings) if settings is not None else ()
        err.print(f"error: {hide(str(exc.problem), secrets)}")
        raise typer.Exit(exc.exit_code) from None


def with_sessions(settings: Settings, work: Callable[[SessionFactory], Awaitable[T]]) -> T:
    """Open the database, do `work`, close it again."""

    async def go() -> T:
        engine = await open_database(settings.database.url)
        try:
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return run(go, settings)
