"""Cases as `cases list` and `cases show` read them: one line per case with its next
deadline, and one case's file with its timeline and deadlines. Data only; `cases` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.summary import handoff_summary
from storage import followups, outbox, repo
from storage.models import Agreement, AuditEvent, Case, Customer, FollowUp, Handler, OutboxRow

# A case in these states waits for nobody: it has no next deadline.
SETTLED = ("resolved", "closed")
# Agreements the bot makes itself; any other `what` is a handler's words.
OWN_AGREEMENTS = ("first_contact", "resolution")


@dataclass(frozen=True)
class CaseLine:
    number: str
    status: str
    handler: str | None
    next_due: datetime | None
    overdue: bool
    intent: str | None
    category: str | None
    customer: str | None
    channel: str
    received_at: datetime


async def case_lines(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    status: str | None = None,
    handler: str | None = None,
    overdue: bool = False,
) -> list[CaseLine]:
    """Cases newest first, filtered in the database: by status, by handler (name, any
    case), and to those with a deadline passed and not met."""
    statement = (
        select(Case, Customer.name, Handler.name)
        .join(Customer, col(Customer.id) == col(Case.customer_id), isouter=True)
        .join(Handler, col(Handler.id) == col(Case.handler_id), isouter=True)
        .order_by(col(Case.id).desc())
        .limit(limit)
    )
    if status:
        statement = statement.where(Case.status == status)
    if handler:
        statement = statement.where(func.lower(Handler.name) == handler.lower())
    if overdue:
        late_agreement = (
            select(Agreement.id)
            .where(
                col(Agreement.case_id) == col(Case.id),
                col(Agreement.done_at).is_(None),
                col(Agreement.due_at) < now,
            )
            .exists()
        )
        statement = statement.where(
            col(Case.status).not_in(SETTLED),
            or_(late_agreement, col(Case.resolution_due) < now),
        )
    found = list((await session.exec(statement)).all())
    ids = [case.id for case, _, _ in found if case.id is not None]
    earliest: dict[int, datetime] = {}
    if ids:
        open_due = await session.exec(
            select(Agreement.case_id, func.min(Agreement.due_at))
            .where(
                col(Agreement.case_id).in_(ids),
                col(Agreement.done_at).is_(None),
                col(Agreement.due_at).is_not(None),
            )
            .group_by(col(Agreement.case_id))
        )
        earliest = {case_id: due for case_id, due in open_due.all() if due is not None}
    lines = []
    for case, customer, handler_name in found:
        due = next_deadline(case, earliest.get(case.id or 0))
        lines.append(
            CaseLine(
                number=case.number or "",
                status=case.status,
                handler=handler_name,
                next_due=due,
                overdue=due is not None and due < now,
                intent=case.intent,
                category=case.category,
                customer=customer,
                channel=case.channel,
                received_at=case.received_at,
            )
        )
    return lines


def next_deadline(case: Case, earliest_agreement: datetime | None) -> datetime | None:
    """The first promise still open: an agreement's due time, or the resolution target."""
    if case.status in SETTLED:
        return None
    candidates = [d for d in (earliest_agreement, case.resolution_due) if d is not None]
    return min(candidates, default=None)


@dataclass(frozen=True)
class Entry:
    """One thing that happened on a case. `kind` is `message.in`, `message.out`,
    `message.<kind>` for a handler's mail, an audit action (`handler.note`, `case.reopened`,
    `deadline.missed`, …) or `survey.answer`; `text` what was said or written down;
    `detail` the rest as recorded."""

    at: datetime
    who: str
    kind: str
    text: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    """A promise on the case: first contact, an agreement, the resolution target, or a
    step after resolution (execution check, survey, closing)."""

    what: str
    due_at: datetime | None
    done_at: datetime | None
    agreed: bool  # an agreement recorded with the customer, `what` in their words


@dataclass(frozen=True)
class CaseFile:
    case: Case
    customer: str | None
    handler: str | None
    summary: str
    timeline: list[Entry]
    deadlines: list[Deadline]
    outbox: list[OutboxRow]


# Audit details that hold the words a person wrote or said.
_SAID = ("text", "what", "words", "before")
_WHO = {"in": "customer", "out": "bot"}


async def case_file(
    session: AsyncSession, number: str, tz: ZoneInfo, language: str
) -> CaseFile | None:
    case = await repo.case_by_number(session, number=number.strip().upper())
    if case is None or case.id is None:
        return None
    messages = await repo.messages_of_case(session, case_id=case.id)
    events = (
        await session.exec(
            select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(col(AuditEvent.id))
        )
    ).all()
    agreements = (
        await session.exec(
            select(Agreement).where(Agreement.case_id == case.id).order_by(col(Agreement.id))
        )
    ).all()
    steps = await followups.of_case(session, case_id=case.id)
    queued = await outbox.rows(session, case_id=case.id)
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    customer = await repo.customer(session, customer_id=case.customer_id)
    # As the case stands now (handler, status, later additions), not a copy from the handoff;
    # in the organisation's language, like everything the handler reads.
    summary = await handoff_summary(session, case=case, tz=tz, language=language)

    timeline = [
        Entry(
            at=message.created_at,
            # A handler's mail names the handler; the customer's own messages, "customer".
            who=message.sender if message.kind.startswith("handler") else _WHO[message.direction],
            kind=f"message.{message.direction if message.kind == 'text' else message.kind}",
            text=message.text,
        )
        for message in messages
    ]
    for event in events:
        said = next((str(event.detail[key]) for key in _SAID if event.detail.get(key)), "")
        timeline.append(
            Entry(at=event.at, who=event.actor, kind=event.action, text=said, detail=event.detail)
        )
    timeline += [_survey_answer(s) for s in steps if s.kind == "survey" and s.answered_at]
    timeline.sort(key=lambda entry: entry.at)

    deadlines = [
        Deadline(
            what=agreement.what,
            due_at=agreement.due_at,
            done_at=agreement.done_at,
            agreed=agreement.what not in OWN_AGREEMENTS,
        )
        for agreement in agreements
    ]
    deadlines += [
        Deadline(step.kind, step.due_at, step.answered_at, False)
        for step in steps
        if step.status != "cancelled"
    ]
    return CaseFile(
        case=case,
        customer=customer.name if customer else None,
        handler=handler.name if handler else None,
        summary=summary,
        timeline=timeline,
        deadlines=deadlines,
        outbox=queued,
    )


def _survey_answer(step: FollowUp) -> Entry:
    assert step.answered_at is not None
    scores = {name: getattr(step, name) for name in ("overall", "listened", "informed", "resolved")}
    return Entry(
        at=step.answered_at,
        who="customer",
        kind="survey.answer",
        text=step.comment or "",
        detail=scores,
    )
