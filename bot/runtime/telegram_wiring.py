"""Builds the Telegram channel from the settings and gives it storage for its offset."""

from __future__ import annotations

import os
from collections.abc import Callable
from urllib.parse import urlsplit

from telegram.request import BaseRequest, HTTPXRequest

from bot.config.settings import TelegramSettings
from channels.telegram import OffsetStore, SendLimiter, TelegramChannel
from channels.telegram.api import ChannelBot
from channels.telegram.channel import PARALLEL_SENDS, PARALLEL_TIDYING, WebhookConfig
from channels.telegram.media import DEFAULT_MAX_FILE_BYTES
from common.clock import Clock
from storage import telegram
from storage.db import SessionFactory, transaction

POLL_TIMEOUT_SECONDS = 30
# Telegram answers a call within a second or two; a connection that does not open or answer
# within this long is a network fault (TimedOut), and the outbox tries again later.
CALL_TIMEOUT_SECONDS = 5.0
# Waiting for a free connection: the pools are sized so that it does not happen; when it
# does, the call fails (TimedOut) instead of queueing behind the others.
POOL_TIMEOUT_SECONDS = 1.0


def telegram_bot(
    settings: TelegramSettings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> ChannelBot:
    """`base_url` points at a self-hosted Bot API server (or a test server) instead of
    Telegram's; file downloads then come from the same place."""
    # Opt in to PTB 22's time periods as timedelta: without it every RetryAfter (429) is
    # built with a deprecation warning. The adapter reads both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    base_url = settings.base_url.rstrip("/") or "https://api.telegram.org/bot"
    file_url = (
        base_url[: -len("/bot")] + "/file/bot"
        if base_url.endswith("/bot")
        else "https://api.telegram.org/file/bot"
    )
    return ChannelBot(
        settings.token.get_secret_value(),
        base_url=base_url,
        base_file_url=file_url,
        # The dispatcher's parallel sends, the chat tidying (answering a button, removing a
        # keyboard) and the reader's file downloads, each with its own connections: waiting
        # for a free connection would time out.
        request=request or bot_request(PARALLEL_SENDS + PARALLEL_TIDYING + 1),
        # One long poll at a time; `ChannelBot.receive` lets each poll read for its length
        # on top of the read timeout.
        get_updates_request=get_updates_request or bot_request(1),
    )


def bot_request(pool_size: int) -> BaseRequest:
    """PTB's httpx client with `pool_size` connections. httpx takes the CA bundle from
    SSL_CERT_FILE or SSL_CERT_DIR when set (else certifi's), and proxies from HTTP(S)_PROXY
    and NO_PROXY."""
    return HTTPXRequest(
        connection_pool_size=pool_size,
        connect_timeout=CALL_TIMEOUT_SECONDS,
        read_timeout=CALL_TIMEOUT_SECONDS,
        write_timeout=CALL_TIMEOUT_SECONDS,
        pool_timeout=POOL_TIMEOUT_SECONDS,
    )


def offset_store(sessions: Callable[[], SessionFactory], clock: Clock) -> OffsetStore:
    """`sessions` is asked at use time: storage opens after the channels are built."""

    async def load(bot_id: int) -> int:
        async with transaction(sessions()) as session:
            return await telegram.next_update_id(session, bot_id=bot_id)

    async def save(bot_id: int, next_update_id: int) -> None:
        async with transaction(sessions()) as session:
            await telegram.save_next_update_id(
                session, bot_id=bot_id, next_update_id=next_update_id, now=clock()
            )

    return OffsetStore(load=load, save=save)


def webhook_config(settings: TelegramSettings) -> WebhookConfig | None:
    if settings.mode != "webhook":
        return None
    return WebhookConfig(
        url=settings.webhook_url,
        secret=settings.webhook_secret.get_secret_value(),
        path=urlsplit(settings.webhook_url).path or "/",
    )


def telegram_channel(
    settings: TelegramSettings,
    *,
    sessions: Callable[[], SessionFactory],
    clock: Clock,
    bot: ChannelBot | None = None,
    limiter: SendLimiter | None = None,
    poll_timeout: int = POLL_TIMEOUT_SECONDS,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> TelegramChannel:
    return TelegramChannel(
        bot=bot or telegram_bot(settings),
        offsets=offset_store(sessions, clock),
        clock=clock,
        limiter=limiter,
        poll_timeout=poll_timeout,
        max_file_bytes=max_file_bytes,
        webhook=webhook_config(settings),
        handler_chat_id=settings.handler_chat_id,
    )
