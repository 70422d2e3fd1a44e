"""A bot process for the crash tests: it stops at a chosen point and waits to be killed, or
runs the email channel against a mail lab until it is killed.

python -m tests.crash_harness DATABASE_URL after-store|mid-send
python -m tests.crash_harness DATABASE_URL email IMAP_PORT SMTP_PORT

In `email` mode the process is a starter: it loads the bot once (imports, templates, the
understanding models), says WARM, and for each `start` line on stdin forks a bot process
that says `READY <pid>` once its storage and channel are up and runs until it is killed;
the starter then says `ENDED <exit code>` (-9 after a SIGKILL). A bot started so is a
process of its own with its own connections, killed as any other; it skips only the two
to three seconds of loading that a new interpreter spends before it can read any mail.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from typing import TextIO

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from bot.runtime.warmup import warm_up
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


async def run_email(settings: Settings, *, say: TextIO) -> None:
    """Wired as `klachtbot run` wires it; says READY to `say` once storage and the channel
    are up."""
    bot: App | None = None

    def sessions() -> SessionFactory:
        assert bot is not None
        return bot.sessions

    bot = App(settings, [email_channel(settings.email, sessions=sessions, clock=utc_now)])
    async with bot:
        print(f"READY {os.getpid()}", file=say, flush=True)
        await bot.run()


def start_on_request(settings: Settings) -> None:
    """The starter: a forked bot per `start` line, one at a time, until stdin ends."""
    warm_up()
    print("WARM", flush=True)
    for line in sys.stdin:
        assert line.strip() == "start", line
        pid = os.fork()
        if pid == 0:  # the bot; it ends by being killed
            # Its log lines go to stderr: one cut off by the kill would run into ENDED.
            harness, sys.stdout = sys.stdout, sys.stderr
            try:
                asyncio.run(run_email(settings, say=harness))
            finally:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        print(f"ENDED {os.waitstatus_to_exitcode(status)}", flush=True)


async def main(database_url: str, mode: str) -> None:
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
    if sys.argv[2] == "email":
        # No event loop here: each forked bot starts its own.
        imap_port, smtp_port = map(int, sys.argv[3:])
        start_on_request(email_settings(sys.argv[1], imap_port, smtp_port))
    else:
        asyncio.run(main(*sys.argv[1:]))
