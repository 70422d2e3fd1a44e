"""Mail parsed in a helper process, from the real Dovecot: a mail whose parsing kills the
helper is quarantined with the reason, not parsed again in the bot, and the other mails of
its block are stored.

No real mail is known to kill Python's parser, so the fault is injected: the bot's own
helper runs the real `parse_many`, except that it dies on a mail with a marker header (as a
crash in C code or the OOM killer would end it). Everything else is as in `klachtbot run`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from sqlmodel import select

from bot.reading.workers import Workers
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from channels.base import WorkLost
from channels.email.parse import ParsedMail, UnparseableMail, parse_many
from common.clock import utc_now
from storage.db import SessionFactory, transaction
from storage.models import Message, QuarantinedMail
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.support import eventually
from tests.test_email_channel import mail

KILLER = b"X-Test-Kills-The-Helper: yes"
_T = TypeVar("_T")


def parse_many_or_die(
    raws: list[bytes], max_bytes: int, bot_pid: int
) -> list[ParsedMail | UnparseableMail]:
    """`parse_many`, but a mail with the marker ends the helper process that parses it."""
    for raw in raws:
        if KILLER in raw:
            if os.getpid() == bot_pid:
                return [UnparseableMail("parsed again in the bot")]
            os._exit(70)
    return parse_many(raws, max_bytes)


async def test_a_mail_that_kills_the_helper_is_quarantined_and_its_block_is_stored(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab)
    texts = [f"Mijn bestelling {4471230 + n} is nog steeds niet geleverd." for n in range(5)]
    for n, text in enumerate(texts):
        message = mail(text, subject=f"Bestelling {n}", sender=f"klant{n}@lab.test")
        raw = message.as_bytes()
        if n == 2:
            raw = KILLER + b"\r\n" + raw
        lab.deliver(raw, to=INTAKE)  # all in the mailbox before the bot reads: one block

    workers = Workers(1)

    async def offload(
        function: Callable[..., list[_T]], items: Sequence[Any], /, *args: Any
    ) -> list[_T | WorkLost]:
        assert function is parse_many
        parsed = await workers.run_each(parse_many_or_die, items, *args, os.getpid())
        return cast(list[_T | WorkLost], parsed)

    app: App | None = None

    def app_sessions() -> SessionFactory:
        assert app is not None
        return app.sessions

    channel = email_channel(settings.email, sessions=app_sessions, clock=utc_now, offload=offload)
    app = App(settings, [channel], workers=workers)
    quarantined: list[QuarantinedMail] = []
    stored: list[Message] = []

    async def settled() -> bool:
        async with transaction(sessions) as session:
            quarantined[:] = (await session.exec(select(QuarantinedMail))).all()
            stored[:] = (await session.exec(select(Message).where(Message.direction == "in"))).all()
        return len(quarantined) + len(stored) == len(texts)

    async with app:
        running = asyncio.create_task(app.run())
        try:
            await eventually(settled, within=60)
        finally:
            app.request_stop()
            await asyncio.wait_for(running, 30)

    assert sorted(message.text.strip() for message in stored) == [
        text for n, text in enumerate(texts) if n != 2
    ]
    (kept,) = quarantined
    assert "helper process died" in kept.error  # not "parsed again in the bot"
    assert kept.source.startswith("imap:")
