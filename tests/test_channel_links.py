"""A channel that cannot reach its service says so and keeps trying: the bot starts
anyway, `App.status()` shows the channel as not connected with the setting to look at,
every failed attempt is a WARNING, and once the service is back the channel connects and
reads again. The outage is real: a TCP relay in front of the real server is closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from sqlmodel import select
from structlog.testing import capture_logs

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from bot.runtime.telegram_wiring import telegram_channel
from common.clock import utc_now
from storage.db import SessionFactory, transaction
from storage.models import Message
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.relay import Relay
from tests.support import eventually
from tests.telegram_lab import TelegramLab
from tests.telegram_support import new_token, telegram_settings

HOST = "127.0.0.1"


@pytest.fixture
async def relay_closed() -> AsyncIterator[list[Relay]]:
    """Relays the test makes; all closed at the end."""
    relays: list[Relay] = []
    yield relays
    for relay in relays:
        await relay.close()


class Running:
    """The App with `channels` made by `build(sessions)`, running until the block ends."""

    def __init__(self, settings: Settings, build: Any) -> None:
        self.app: App | None = None

        def sessions() -> SessionFactory:
            assert self.app is not None
            return self.app.sessions

        self.app = App(settings, [build(sessions)])
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> App:
        assert self.app is not None
        await self.app.__aenter__()
        self._task = asyncio.create_task(self.app.run())
        return self.app

    async def __aexit__(self, *exc: object) -> None:
        assert self.app is not None
        assert self._task is not None
        self.app.request_stop()
        async with asyncio.timeout(30):
            await self._task
        await self.app.__aexit__(None, None, None)


def _complaint() -> bytes:
    message = EmailMessage()
    message["From"] = "Anna de Vries <anna@lab.test>"
    message["To"] = INTAKE
    message["Subject"] = "Lekkage"
    message["Message-ID"] = make_msgid(domain="lab.test")
    message.set_content("Er lekt al een week water door het plafond.")
    return message.as_bytes()


async def _stored(sessions: SessionFactory) -> int:
    async with transaction(sessions) as session:
        return len((await session.exec(select(Message).where(Message.direction == "in"))).all())


def _not_connected(logs: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        entry["problem"]
        for entry in logs
        if entry["event"] == "channel.not_connected" and entry["log_level"] == "warning"
    ]


async def test_email_starts_unconnected_reads_once_reachable_and_reconnects_after_an_outage(
    database_url: str, lab: MailLab, sessions: SessionFactory, relay_closed: list[Relay]
) -> None:
    imap = Relay(lab.imap_port)
    relay_closed.append(imap)
    settings = lab_settings(database_url, lab)
    settings.email.imap_port = imap.port
    refused = f"email.imap_host: cannot connect to {HOST}:{imap.port} (connection refused)"

    def build(sessions: Any) -> Any:
        return email_channel(settings.email, sessions=sessions, clock=utc_now)

    with capture_logs() as logs:
        async with Running(settings, build) as app:
            status = app.status()["email"]
            assert not status.connected
            assert status.problem == refused

            await imap.open()
            lab.deliver(_complaint(), to=INTAKE)
            await eventually(lambda: _at_least(sessions, 1), within=30)
            assert app.status()["email"].connected

            await imap.close()  # after a good start
            await eventually(lambda: _disconnected(app), within=30)
            await imap.open()
            await eventually(lambda: _connected(app), within=30)
    problems = _not_connected(logs)
    assert len(problems) >= 2  # at the start, and after the outage
    assert all(problem.startswith("email.imap_host: ") for problem in problems)
    assert refused in problems
    assert any(entry["event"] == "channel.connected" for entry in logs)


async def test_email_shows_the_smtp_server_away_and_back(
    database_url: str, lab: MailLab, relay_closed: list[Relay]
) -> None:
    smtp = Relay(lab.smtp_port)
    relay_closed.append(smtp)
    settings = lab_settings(database_url, lab)
    settings.email.smtp_port = smtp.port

    def build(sessions: Any) -> Any:
        return email_channel(settings.email, sessions=sessions, clock=utc_now)

    with capture_logs() as logs:
        async with Running(settings, build) as app:
            status = app.status()["email"]
            assert not status.connected
            assert status.problem == (
                f"email.smtp_host: cannot connect to {HOST}:{smtp.port} (connection refused)"
            )
            await smtp.open()
            await eventually(lambda: _connected(app), within=30)
    assert _not_connected(logs)[0].startswith("email.smtp_host: ")


async def test_telegram_starts_unconnected_and_connects_once_the_bot_api_is_reachable(
    database_url: str,
    sessions: SessionFactory,
    telegram_lab: TelegramLab,
    relay_closed: list[Relay],
) -> None:
    api = Relay(telegram_lab.port)
    relay_closed.append(api)
    token = new_token()
    settings = telegram_settings(database_url, f"http://{HOST}:{api.port}/bot", token)

    def build(sessions: Any) -> Any:
        return telegram_channel(settings.telegram, sessions=sessions, clock=utc_now, poll_timeout=1)

    with capture_logs() as logs:
        async with Running(settings, build) as app:
            status = app.status()["telegram"]
            assert not status.connected
            assert status.problem is not None
            assert status.problem.startswith(f"telegram.base_url: cannot connect to {HOST}:")
            await api.open()
            await eventually(lambda: _connected(app), within=30)
            customer = telegram_lab.chat(token, user_id=5150)
            await customer.say("Mijn pakket is al drie weken onderweg.")
            assert await customer.replies(1, within=30)  # answered through the relay

            # The token revoked while running: said, and tried again now and then.
            await telegram_lab.revoke(token)
            await eventually(lambda: _disconnected(app), within=30)
            assert app.status()["telegram"].problem == (
                "telegram.token: Telegram refused the token (wrong or revoked)"
            )
    problems = _not_connected(logs)
    assert problems[0].startswith("telegram.base_url: ")
    assert problems[-1].startswith("telegram.token: ")
    assert all(token not in str(entry) for entry in logs)


async def _at_least(sessions: SessionFactory, count: int) -> bool:
    return await _stored(sessions) >= count


async def _connected(app: App) -> bool:
    return all(status.connected for status in app.status().values())


async def _disconnected(app: App) -> bool:
    return not await _connected(app)
