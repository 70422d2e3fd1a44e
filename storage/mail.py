"""Repository functions for the email channel: mailbox cursors, quarantine, threads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.memo import remember, remembered
from storage.models import (
    Case,
    HandlerReplyToken,
    MailboxCursor,
    Message,
    OutboxRow,
    QuarantinedMail,
    RawPayload,
)


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


# Ids a thread lookup binds at most: a mail may carry 50,000 References, and PostgreSQL's
# driver takes 32,767 parameters per statement. The newest ids are the ones that matter.
THREAD_LOOKUP_IDS = 50


def newest(message_ids: Sequence[str]) -> Sequence[str]:
    """A thread (In-Reply-To first, then References from old to new) cut to its first id
    and the newest ones."""
    if len(message_ids) <= THREAD_LOOKUP_IDS:
        return message_ids
    return [message_ids[0], *message_ids[-(THREAD_LOOKUP_IDS - 1) :]]


async def case_by_thread(
    session: AsyncSession, *, message_ids: Sequence[str], customer_id: int | None = None
) -> Case | None:
    """The case a mail answers: any of its referenced ids that we stored, inbound or our own.
    A Message-ID can be reused by someone else: with `customer_id`, that customer's own
    mails count first."""
    if not message_ids:
        return None
    message_ids = newest(message_ids)
    # Mails taken in earlier in this transaction may have joined a case not yet written:
    # their case comes from the session, the rest from storage, without a flush per reply.
    wanted = set(message_ids)
    joined: dict[int, tuple[int | None, int | None]] = {
        stored.id: (stored.case_id, stored.customer_id)
        for stored in session.identity_map.values()
        if isinstance(stored, Message)
        and stored.channel == "email"
        and stored.external_id in wanted
        and stored.id is not None
    }
    with session.no_autoflush:
        found = await session.exec(
            select(Message.id, Message.case_id, Message.customer_id).where(
                Message.channel == "email",  # with the id: the unique index answers, no scan
                col(Message.external_id).in_(message_ids),
            )
        )
        for message_id, case_id, customer in found.all():
            if message_id is not None:
                joined.setdefault(message_id, (case_id, customer))
        answered = sorted(
            (customer == customer_id, message_id, case_id)
            for message_id, (case_id, customer) in joined.items()
            if case_id is not None
        )
        case_id = answered[-1][2] if answered else None
        if case_id is None:
            ours = await sent_mail(session, message_ids=message_ids)
            case_id = ours.case_id if ours is not None else None
        return await session.get(Case, case_id) if case_id is not None else None


def add_reply_token(
    session: AsyncSession, *, token: str, case_id: int, address: str, now: datetime
) -> None:
    """`token` went to `address` in a handoff mail on the case."""
    session.add(
        HandlerReplyToken(
            token=token, case_id=case_id, address=address.strip().casefold(), created_at=now
        )
    )


async def case_by_reply_token(
    session: AsyncSession, *, tokens: Sequence[str], address: str
) -> Case | None:
    """The case of the first of `tokens` that went to `address`; None when none did."""
    if not tokens:
        return None
    found = await session.exec(
        select(HandlerReplyToken.token, HandlerReplyToken.case_id).where(
            col(HandlerReplyToken.token).in_(tokens),
            HandlerReplyToken.address == address.strip().casefold(),
        )
    )
    cases = dict(found.all())
    case_id = next((cases[token] for token in tokens if token in cases), None)
    return await session.get(Case, case_id) if case_id is not None else None


async def sent_mail(session: AsyncSession, *, message_ids: Sequence[str]) -> OutboxRow | None:
    """The newest mail we sent with one of these Message-IDs, one on a case first."""
    if not message_ids:
        return None
    result = await session.exec(
        select(OutboxRow)
        .where(col(OutboxRow.external_id).in_(newest(message_ids)))
        .order_by(col(OutboxRow.case_id).is_(None), col(OutboxRow.id).desc())
    )
    return result.first()


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
    session: AsyncSession, *, channel: str, since: datetime
) -> list[tuple[str, datetime, str]]:
    """(recipient, sent at, template) of every message sent on `channel` after `since`."""
    result = await session.exec(
        select(OutboxRow.recipient, OutboxRow.sent_at, OutboxRow.template).where(
            OutboxRow.channel == channel,
            OutboxRow.status == "sent",
            col(OutboxRow.sent_at) > since,
        )
    )
    return [(recipient, at, template) for recipient, at, template in result.all() if at]


async def undigested(session: AsyncSession) -> list[tuple[Message, str | None]]:
    """Mail taken in without a case, and bounces of our mail on a case, that no daily
    digest listed yet; with the case number, oldest first. Locked for the transaction, so
    two workers never list the same mail."""
    result = await session.exec(
        select(Message, Case.number)
        .outerjoin(Case, col(Case.id) == col(Message.case_id))
        .where(
            Message.channel == "email",
            Message.direction == "in",
            col(Message.processed_at).is_not(None),
            col(Message.digested_at).is_(None),
            or_(col(Message.case_id).is_(None), col(Message.automated) == "bounce"),
        )
        .order_by(col(Message.id))
        .with_for_update(of=Message, skip_locked=True)
    )
    return list(result.all())
