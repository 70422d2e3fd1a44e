"""A bot process for the crash tests: it stops at a chosen point and waits to be killed, or
runs the email channel against a mail lab until it is killed.

python -m tests.crash_harness DATABASE_URL after-store|mid-send
python -m tests.crash_harness DATABASE_URL email IMAP_PORT SMTP_PORT
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from channels.base import CustomerPaused, DeliveryResult, InboundMessage, OutboundMessage
from common.clock import utc_now
from storage.db import SessionFactory
from tests.mail_lab.lab import HOST, LAB_USERS
from tests.support import RecordingChannel

INTAKE = "klachten@lab.test"
HANDLER = "behandelaar@example.org"
# A killed bot's claims end after this: the next one soon sends what was in flight.
CRASH_LEASE_SECONDS = 1.0


class HangingChannel(RecordingChannel):
    """Announces a send, then never finishes it: the process dies mid-flight."""

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        print("SENDING", flush=True)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def email_settings(database_url: str, imap_port: int, smtp_port: int) -> Settings:
    """The bot against a mail lab, with a handler outside it (so the lab records their mail)."""
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "organisation": {"name": "Woonstichting De Linde", "emergency_phone": "0800-1234"},
            "outbox": {"lease_seconds": CRASH_LEASE_SECONDS},
            "email": {
                "address": INTAKE,
                "imap_host": HOST,
                "imap_port": imap_port,
                "imap_security": "none",
                "smtp_host": HOST,
                "smtp_port": smtp_port,
                "smtp_security": "none",
                "smtp_login": False,
                "username": INTAKE,
                "password": LAB_USERS[INTAKE],
                "poll_seconds": 2,
            },
            "handlers": [{"name": "Sanne de Boer", "email": HANDLER}],
            # No helper processes: a killed bot would leave them behind (issue 13, 12).
            "workers": {"processes": 0},
        }
    )


async def run_email(settings: Settings) -> None:
    """Wired as `klachtbot run` wires it; says READY once storage and the channel are up."""
    bot: App | None = None

    def sessions() -> SessionFactory:
        assert bot is not None
        return bot.sessions

    bot = App(settings, [email_channel(settings.email, sessions=sessions, clock=utc_now)])
    async with bot:
        print("READY", flush=True)
        await bot.run()


async def main(database_url: str, mode: str, *ports: str) -> None:
    if mode == "email":
        imap_port, smtp_port = map(int, ports)
        await run_email(email_settings(database_url, imap_port, smtp_port))
        return
    now = datetime.now(UTC)
    first = InboundMessage(
        channel="test",
        external_id="1",
        sender="anna",
        text="Mijn rekening is te hoog.",
        received_at=now,
    )
    channel = HangingChannel()
    settings = Settings.model_validate({"database": {"url": database_url}})
    async with App(settings, [channel]) as app:
        if mode == "after-store":
            await app.intake.store(first)
            print("STORED", flush=True)
            await asyncio.Event().wait()
        channel.inbox = [first, CustomerPaused(channel="test", sender="anna", at=now)]
        await app.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
