"""Running the whole bot with its Telegram channel against a test server."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.runtime.telegram_wiring import telegram_channel
from channels.telegram import SendLimiter, TelegramChannel
from common.clock import utc_now
from storage.db import SessionFactory


def new_token() -> str:
    """A token of Telegram's shape; the test servers keep bots apart by it."""
    return f"{uuid.uuid4().int % 10**9}:{uuid.uuid4().hex}"


def telegram_settings(
    database_url: str,
    base_url: str,
    token: str,
    outbox: dict[str, Any] | None = None,
    web: dict[str, Any] | None = None,
    **telegram: Any,
) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "outbox": outbox or {},
            "organisation": {"name": "Woonstichting De Linde"},
            # A chat burst ends at once: the test says when the customer is done.
            "dialogue": {"pause_seconds": 0},
            "telegram": {"token": token, "base_url": base_url, **telegram},
            "handlers": [{"name": "Sanne", "telegram_user_id": 7001}],
            "web": web or {},
        }
    )


class RunningTelegramBot:
    """`async with RunningTelegramBot(settings) as bot:` runs `klachtbot run`'s App with the
    Telegram channel until the block ends, then stops it in the documented order."""

    def __init__(
        self,
        settings: Settings,
        *,
        limiter: SendLimiter | None = None,
        max_file_bytes: int = 1024 * 1024,
        serve_desk: bool = False,
    ) -> None:
        """`serve_desk`: also the handlers' web desk, as `klachtbot run` serves it."""
        self._settings = settings
        self._serve_desk = serve_desk
        self._limiter = limiter
        self._max_file_bytes = max_file_bytes
        self.app: App | None = None
        self.channel: TelegramChannel | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningTelegramBot:
        def sessions() -> SessionFactory:
            assert self.app is not None
            return self.app.sessions

        self.channel = telegram_channel(
            self._settings.telegram,
            sessions=sessions,
            clock=utc_now,
            limiter=self._limiter,
            poll_timeout=5,
            max_file_bytes=self._max_file_bytes,
        )
        self.app = App(self._settings, [self.channel], serve_desk=self._serve_desk)
        await self.app.__aenter__()
        self._task = asyncio.create_task(self.app.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.app is not None
        assert self._task is not None
        self.app.request_stop()
        async with asyncio.timeout(30):
            await self._task
        await self.app.__aexit__(None, None, None)
