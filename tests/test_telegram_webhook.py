"""Webhook mode, served by the bot itself: the secret is checked on every call, an update is
answered 200 only once it is stored, and the conversation runs as with polling."""

from __future__ import annotations

from sqlmodel import select

from storage.db import SessionFactory, transaction
from storage.models import Message
from tests.mail_lab.lab import free_ports
from tests.telegram_fake import FakeBotApi, customer_update
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

SECRET = "s3cret_Token-42"
ANNA = 4242


async def _stored(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        rows = (await session.exec(select(Message).where(Message.direction == "in"))).all()
    return [row.external_id for row in rows]


async def test_webhook_calls_need_the_secret_and_are_answered_once_stored(
    database_url: str, sessions: SessionFactory
) -> None:
    port = free_ports(1)[0]
    async with FakeBotApi() as api:
        settings = telegram_settings(
            database_url,
            api.base_url,
            new_token(),
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
            webhook_secret=SECRET,
            webhook_listen=f"127.0.0.1:{port}",
        )
        async with RunningTelegramBot(settings):
            assert api.webhook["url"] == f"http://127.0.0.1:{port}/telegram/hook"
            assert api.webhook["secret_token"] == SECRET
            assert not [call for call in api.calls if call.method == "getUpdates"]

            story = customer_update(ANNA, 1, text="Mijn pakket is niet bezorgd, al twee weken.")
            assert await api.deliver_by_webhook(story, secret=None) == 403
            assert await api.deliver_by_webhook(story, secret="wrong") == 403
            assert await _stored(sessions) == []

            assert await api.deliver_by_webhook(story, secret=SECRET) == 200
            assert await _stored(sessions) == [f"{ANNA}:1"]  # stored before the 200
            # Telegram sends again when unsure; the repeat is recognised.
            assert await api.deliver_by_webhook(story, secret=SECRET) == 200
            assert await _stored(sessions) == [f"{ANNA}:1"]

            sent = await api.wait_sent(2)
            assert sent[1].params["text"].count("?") == 1
        # Stopping leaves the webhook set, so Telegram keeps what comes in meanwhile.
        assert api.webhook
