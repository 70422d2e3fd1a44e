"""Keeping promises (first contact, resolution): a warning to the handler before the
promised moment, and when it passes unmet, a new realistic moment for the customer and an
escalation to handler, substitute and coordinator.

Run from the timer loop. `warned_at` and `escalated_at` on the agreement are written in the
same transaction as the messages, so a restart neither repeats nor loses one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbound.outbound import queue_reply
from channels.email.reply_token import new_reply_token
from common import metrics
from common.templates import render
from storage import handlers, mail, outbox, repo
from storage.models import Agreement, Case, Handler

if TYPE_CHECKING:
    from bot.followups.followups import FollowUps

FIRST_CONTACT, RESOLUTION = "first_contact", "resolution"
WATCHED = (FIRST_CONTACT, RESOLUTION)
WAITING = ("handed_off",)


async def _due_agreements(
    session: AsyncSession, *, until: datetime
) -> list[tuple[Agreement, Case]]:
    result = await session.exec(
        select(Agreement, Case)
        .join(Case, col(Case.id) == col(Agreement.case_id))
        .where(
            col(Agreement.what).in_(WATCHED),
            col(Agreement.done_at).is_(None),
            col(Agreement.due_at).is_not(None),
            col(Agreement.due_at) <= until,
            col(Case.status).in_(WAITING),
        )
        .order_by(col(Agreement.due_at))
        .with_for_update(of=Agreement, skip_locked=True)
    )
    return list(result.all())


async def check_deadlines(session: AsyncSession, fu: FollowUps, *, now: datetime) -> int:
    """Warn and escalate what is due; returns how many agreements needed something."""
    lead = timedelta(hours=fu.timing.warning_hours)
    acted = 0
    for agreement, case in await _due_agreements(session, until=now + lead):
        assert agreement.due_at is not None
        if agreement.due_at > now:
            if agreement.warned_at is None:
                await _warn(session, fu, agreement, case, now)
                acted += 1
        else:
            await _missed(session, fu, agreement, case, now)
            acted += 1
    return acted


async def _people(session: AsyncSession, case: Case) -> list[Handler]:
    """The case's handler, then every substitute and coordinator: who hears of a miss."""
    everyone = await handlers.list_handlers(session)
    own = [h for h in everyone if h.id == case.handler_id]
    others = [
        h
        for h in everyone
        if h.id != case.handler_id and h.role in (handlers.SUBSTITUTE, handlers.COORDINATOR)
    ]
    return own + others


async def _mail(
    session: AsyncSession,
    fu: FollowUps,
    case: Case,
    person: Handler,
    template: str,
    key: str,
    now: datetime,
    **context: object,
) -> None:
    if not (fu.email_enabled and person.email):
        return  # the audit event is the record; there is no mail to send it by
    assert case.id is not None
    body = render(f"handler/{template}.txt.j2", case=case, handler_name=person.name, **context)
    subject = render(f"handler/{template}_subject.txt.j2", case=case, **context)
    # A handler may answer a warning or an escalation as they would the handoff mail: the
    # token lets that answer reach the customer (see channels.email.reply_token).
    token = new_reply_token()
    mail.add_reply_token(session, token=token, case_id=case.id, address=person.email, now=now)
    await outbox.enqueue(
        session,
        idempotency_key=f"case:{case.id}:{key}:{person.id}",
        case_id=case.id,
        channel="email",
        recipient=person.email,
        template=f"handler/{template}",
        body=body,
        meta={
            "case": case.number,
            "subject": subject,
            "sender_name": fu.sender.name,
            "reply_token": token,
        },
        due_at=now,
        now=now,
    )


def _local(moment: datetime, fu: FollowUps) -> str:
    return moment.astimezone(fu.sender.tz).strftime("%Y-%m-%d %H:%M")


async def _warn(
    session: AsyncSession, fu: FollowUps, agreement: Agreement, case: Case, now: datetime
) -> None:
    assert agreement.due_at is not None
    agreement.warned_at = now
    session.add(agreement)
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    due = _local(agreement.due_at, fu)
    if handler is not None:
        key = f"warn:{agreement.id}:{agreement.due_at.isoformat()}"
        await _mail(
            session, fu, case, handler, "deadline_warning", key, now, due=due, what=agreement.what
        )
    await repo.record_audit(
        session,
        case_id=case.id,
        actor="bot",
        action="deadline.warning",
        now=now,
        detail={
            "due_at": agreement.due_at.isoformat(),
            "handler": handler.name if handler else None,
        },
    )


async def _missed(
    session: AsyncSession, fu: FollowUps, agreement: Agreement, case: Case, now: datetime
) -> None:
    assert agreement.due_at is not None
    missed = agreement.due_at
    metrics.DEADLINES_MISSED.labels(agreement.what).inc()
    # A new moment by the same policy, counted from now: as realistic as the first promise.
    policy = (
        fu.deadlines.first_contact_due
        if agreement.what == FIRST_CONTACT
        else fu.deadlines.resolution_due
    )
    renewed = policy(now, intent=case.intent, category=case.category, urgent=case.urgent)
    agreement.due_at = renewed
    agreement.escalated_at = now
    agreement.warned_at = None  # the new moment gets its own warning
    session.add(agreement)
    if agreement.what == FIRST_CONTACT:
        # What the handler reads as promised; the case's resolution target stays as it was,
        # so the report still measures against the first promise.
        case.first_contact_due = renewed
        case.dialogue_state = {**case.dialogue_state, "promise_at": renewed.isoformat()}
        session.add(case)
    key = f"missed:{agreement.id}:{missed.isoformat()}"
    await queue_reply(
        session,
        case=case,
        sender=fu.sender,
        calendar=fu.calendar,
        template="deadline_missed",
        key=key,
        at=now,
        now=now,
        context={"promise_at": renewed, "what": agreement.what},
    )
    people = await _people(session, case)
    for person in people:
        await _mail(
            session,
            fu,
            case,
            person,
            "escalation",
            key,
            now,
            due=_local(missed, fu),
            renewed=_local(renewed, fu),
            what=agreement.what,
        )
    await repo.record_audit(
        session,
        case_id=case.id,
        actor="bot",
        action="deadline.missed",
        now=now,
        detail={
            "what": agreement.what,
            "due_at": missed.isoformat(),
            "renewed_at": renewed.isoformat(),
            "escalated_to": [person.name for person in people],
        },
    )
