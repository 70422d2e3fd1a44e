"""Builds the email channel from the settings and gives it storage for its reading
position and its quarantine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.config.settings import EmailSettings
from channels.base import Offload, loop_capped, run_here
from channels.email.channel import EmailChannel, MailboxPosition
from channels.email.imap_reader import ImapConfig, ImapReader
from channels.email.smtp_sender import SmtpConfig, SmtpSender
from common.clock import Clock
from storage import mail
from storage.db import SessionFactory, transaction


def email_channel(
    settings: EmailSettings,
    *,
    sessions: Callable[[], SessionFactory],
    clock: Clock,
    offload: Offload = run_here,
) -> EmailChannel:
    """`sessions` is asked at use time: storage opens after the channels are built.
    `offload` parses mail in a helper process (`bot.reading.workers.Workers.run_each`)."""
    account = settings.username or settings.address
    password = settings.password.get_secret_value()

    async def load(uidvalidity: int) -> int:
        async with transaction(sessions()) as session:
            return await mail.last_uid(
                session, account=account, folder=settings.folder, uidvalidity=uidvalidity
            )

    async def save(uidvalidity: int, uid: int) -> None:
        async with transaction(sessions()) as session:
            await mail.save_uid(
                session,
                account=account,
                folder=settings.folder,
                uidvalidity=uidvalidity,
                uid=uid,
                now=clock(),
            )

    async def recent_sends(since: datetime) -> list[tuple[str, datetime]]:
        async with transaction(sessions()) as session:
            sent = await mail.sent_since(session, channel="email", since=since)
        return [(recipient, at) for recipient, at, template in sent if loop_capped(template)]

    async def quarantine(raw: bytes, source: str, error: str) -> None:
        async with transaction(sessions()) as session:
            await mail.quarantine(
                session, channel="email", source=source, error=error, raw=raw, now=clock()
            )

    return EmailChannel(
        address=settings.address,
        reader=ImapReader(
            ImapConfig(
                host=settings.imap_host,
                port=settings.imap_port,
                security=settings.imap_security,
                username=account,
                password=password,
                folder=settings.folder,
                processed_folder=settings.processed_folder,
                poll_seconds=settings.poll_seconds,
            )
        ),
        sender=SmtpSender(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                security=settings.smtp_security,
                username=account if settings.smtp_login else "",
                password=password if settings.smtp_login else "",
            )
        ),
        position=MailboxPosition(load=load, save=save),
        quarantine=quarantine,
        recent_sends=recent_sends,
        clock=clock,
        max_bytes=settings.max_message_bytes,
        idle_seconds=settings.poll_seconds,
        per_hour=settings.max_auto_mails_per_hour,
        offload=offload,
    )
