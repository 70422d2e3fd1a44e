"""The daily digest: mail the intake kept without a case reaches a handler once a day.

Automatic mail (out-of-office, delivery reports, bulk mail) joins the case it answers; what
answers none would otherwise lie unseen in the database, and the one customer among the
machines would never hear from us. A bounce of our mail on a case is listed too: the
customer did not get what we wrote.

Run from the follow-up tick. Each mail is marked in the same transaction as the digest's
outbox row, so a restart neither lists a mail twice nor loses one; an audit event per day
records that the digest went (or that nobody could receive it, with a WARNING).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.summary import local
from common.logs import log
from common.templates import render
from storage import handlers, mail, outbox, repo
from storage.models import AuditEvent, Handler, Message

if TYPE_CHECKING:
    from bot.followups.followups import FollowUps

SENT, UNDELIVERED = "digest.sent", "digest.undelivered"
# Listed in full up to here; beyond it (a flood of newsletters) the digest counts the rest,
# so it stays a mail a person reads and a server accepts.
LISTED = 200
SNIPPET = 300


def digest_moment(now: datetime, fu: FollowUps) -> datetime | None:
    """When today's digest is due (local `digest_hour`), or None before that hour."""
    today = now.astimezone(fu.sender.tz)
    if today.hour < fu.timing.digest_hour:
        return None
    moment = datetime.combine(today.date(), time(fu.timing.digest_hour), tzinfo=fu.sender.tz)
    return moment.astimezone(UTC)


async def _done_since(session: AsyncSession, moment: datetime) -> bool:
    result = await session.exec(
        select(AuditEvent.id)
        .where(col(AuditEvent.action).in_((SENT, UNDELIVERED)), col(AuditEvent.at) >= moment)
        .limit(1)
    )
    return result.first() is not None


async def _recipient(session: AsyncSession) -> Handler | None:
    """Who would get a new case now, among those with an email address."""
    reachable = [
        person
        for person in await handlers.list_handlers(session)
        if person.role in handlers.CONFIGURED_ROLES and person.email
    ]
    return handlers.pick_assignee(sorted(reachable, key=lambda person: person.id or 0))


def _listed(message: Message, case_number: str | None, fu: FollowUps) -> dict[str, Any]:
    text = " ".join(message.text.split())
    return {
        "received": local(message.created_at, fu.sender.tz),
        "sender": message.sender,
        "subject": message.subject or "",
        "kind": message.automated or "",
        "case_number": case_number,
        "text": text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…",
    }


async def send_when_due(session: AsyncSession, fu: FollowUps, *, now: datetime) -> int:
    """Queue today's digest once its hour has come; returns how many mails it lists."""
    moment = digest_moment(now, fu)
    if moment is None or await _done_since(session, moment):
        return 0
    kept = await mail.undigested(session)
    if not kept:
        return 0
    handler = await _recipient(session) if fu.email_enabled else None
    if handler is None or not handler.email:
        log.warning("digest.no_recipient", waiting=len(kept), setting="handlers.email")
        await repo.record_audit(
            session,
            case_id=None,
            actor="bot",
            action=UNDELIVERED,
            now=now,
            detail={"waiting": len(kept)},
        )
        return 0
    context: dict[str, Any] = {
        "handler_name": handler.name,
        "count": len(kept),
        "mails": [_listed(message, number, fu) for message, number in kept[:LISTED]],
        "more": max(len(kept) - LISTED, 0),
    }
    outbox_id = await outbox.enqueue(
        session,
        idempotency_key=f"digest:{moment.date().isoformat()}:{kept[0][0].id}",
        channel="email",
        recipient=handler.email,
        template="digest",
        body=render(f"digest/{fu.language}/digest.txt.j2", **context),
        meta={
            "subject": render(f"digest/{fu.language}/subject.txt.j2", **context),
            "sender_name": fu.sender.name,
        },
        due_at=now,
        now=now,
    )
    for message, _ in kept:
        message.digested_at = now
        session.add(message)
    await repo.record_audit(
        session,
        case_id=None,
        actor="bot",
        action=SENT,
        now=now,
        detail={"outbox_id": outbox_id, "handler": handler.name, "mails": len(kept)},
    )
    log.info("digest.queued", mails=len(kept), handler=handler.name, outbox_id=outbox_id)
    return len(kept)
