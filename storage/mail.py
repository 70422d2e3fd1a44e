"""Repository functions for the email channel: mailbox cursors, quarantine, threads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.memo import remember, remembered
from storage.models import Case, MailboxCursor, Message, OutboxRow, QuarantinedMail, RawPayload


async def last_uid(session: AsyncSession, *, account: str, folder: str, uidvalidity: int) -> int:
    """The last UID taken in; 0 when the mailbox is new or its UIDVALIDITY changed, which
    means every UID must be read again (duplicates fall out on Message-ID)."""
    cursor = (
        await session.exec(
            select(MailboxCursor).where(
                MailboxCursor.account == account, MailboxCursor.folder == folder
            )
        )
    ).first()
    if cursor is None or cursor.uidvalidity != uidvalidity:
        return 0
    return cursor.last_uid


async def save_uid(
    session: AsyncSession,
    *,
    account: str,
    folder: str,
    uidvalidity: int,
    uid: int,
    now: datetime,
) -> None:
    cursor = (
        await session.exec(
            select(MailboxCursor).where(
                MailboxCursor.account == account, MailboxCursor.folder == folder
            )
        )
    ).first()
    if cursor is None:
        cursor = MailboxCursor(
            account=account, folder=folder, uidvalidity=uidvalidity, updated_at=now
        )
    if cursor.uidvalidity != uidvalidity:
        cursor.uidvalidity, cursor.last_uid = uidvalidity, 0
    cursor.last_uid = max(cursor.last_uid, uid)
    cursor.updated_at = now
    session.add(cursor)


async def quarantine(
    session: AsyncSession, *, channel: str, source: str, error: str, raw: bytes, now: datetime
) -> QuarantinedMail:
    payload = RawPayload(content_type="message/rfc822", data=raw)
    session.add(payload)
    await session.flush()
    assert payload.id is not None
    kept = QuarantinedMail(
        channel=channel, source=source, error=error, raw_id=payload.id, created_at=now
    )
    session.add(kept)
    await session.flush()
    return kept


async def quarantined(session: AsyncSession) -> list[QuarantinedMail]:
    result = await session.exec(select(QuarantinedMail).order_by(col(QuarantinedMail.id)))
    return list(result.all())


async def case_by_thread(session: AsyncSession, *, message_ids: Sequence[str]) -> Case | None:
    """The case a mail answers: any of its referenced ids that we stored, inbound or our own."""
    if not message_ids:
        return None
    # Mails taken in earlier in this transaction may have joined a case not yet written:
    # their case comes from the session, the rest from storage, without a flush per reply.
    wanted = set(message_ids)
    joined: dict[int, int | None] = {
        stored.id: stored.case_id
        for stored in session.identity_map.values()
        if isinstance(stored, Message)
        and stored.channel == "email"
        and stored.external_id in wanted
        and stored.id is not None
    }
    with session.no_autoflush:
        found = await session.exec(
            select(Message.id, Message.case_id).where(
                Message.channel == "email",  # with the id: the unique index answers, no scan
                col(Message.external_id).in_(message_ids),
            )
        )
        for message_id, case_id in found.all():
            if message_id is not None:
                joined.setdefault(message_id, case_id)
        answered = [case_id for _, case_id in sorted(joined.items()) if case_id is not None]
        case_id = answered[-1] if answered else None
        if case_id is None:
            ours = await session.exec(
                select(OutboxRow.case_id)
                .where(
                    col(OutboxRow.external_id).in_(message_ids),
                    col(OutboxRow.case_id).is_not(None),
                )
                .order_by(col(OutboxRow.id).desc())
            )
            case_id = ours.first()
        return await session.get(Case, case_id) if case_id is not None else None


async def thread_of_case(session: AsyncSession, *, case: Case) -> tuple[str | None, list[str]]:
    """What our next mail on a case answers: the customer's latest mail and its references
    (a handler's mail on the case is not the customer's thread). Asked once per transaction;
    a mail taken in meanwhile updates it (`remember_thread`)."""
    return await remembered(session, ("thread", case.id), lambda: _latest_thread(session, case))


def remember_thread(session: AsyncSession, *, case_id: int | None, message: Message) -> None:
    """`message` was just taken into the case: it is what our next mail there answers."""
    if replies_thread(message):
        remember(session, ("thread", case_id), thread_answering(message))


async def _latest_thread(session: AsyncSession, case: Case) -> tuple[str | None, list[str]]:
    latest = (
        await session.exec(
            select(Message)
            .where(
                Message.case_id == case.id,
                Message.customer_id == case.customer_id,
                Message.direction == "in",  # the same test as `replies_thread`
                Message.channel == "email",
                col(Message.external_id).startswith("<"),
            )
            .order_by(col(Message.id).desc())
        )
    ).first()
    return thread_answering(latest) if latest is not None else (None, [])


def replies_thread(message: Message) -> bool:
    """Whether our next mail on the case should answer `message` (see `thread_of_case`)."""
    return (
        message.direction == "in"
        and message.channel == "email"
        and message.external_id.startswith("<")
    )


def thread_answering(message: Message) -> tuple[str, list[str]]:
    """In-Reply-To and References of a mail answering `message`."""
    return message.external_id, [*message.thread, message.external_id]


async def sent_since(
    session: AsyncSession, *, channel: str, since: datetime, skip_templates: str = ""
) -> list[tuple[str, datetime]]:
    """(recipient, sent at) of every message sent on `channel` after `since`, except those
    whose template starts with `skip_templates` (when given)."""
    statement = select(OutboxRow.recipient, OutboxRow.sent_at).where(
        OutboxRow.channel == channel,
        OutboxRow.status == "sent",
        col(OutboxRow.sent_at) > since,
    )
    if skip_templates:
        statement = statement.where(col(OutboxRow.template).not_like(f"{skip_templates}%"))
    result = await session.exec(statement)
    return [(recipient, sent_at) for recipient, sent_at in result.all() if sent_at is not None]
