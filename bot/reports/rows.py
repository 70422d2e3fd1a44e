"""The rows a report reads, streamed from the database in a handful of statements.

Every statement selects the cases of a window by a subquery on `received_at`, never by a
list of ids, so no statement binds one parameter per case (PostgreSQL's driver takes at
most 32,767) and a year of 50,000 cases is read in seconds. Only the columns the figures
need are read: the dialogue's JSON is reduced in SQL to the three facts a report uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.sql import Executable

from common.addresses import complex_of
from storage.models import Agreement, AuditEvent, Case, FollowUp, Handler

# The audit action of a deadline that passed unmet (bot.followups.progress records it).
MISSED = "deadline.missed"


@dataclass(frozen=True)
class CaseRow:
    id: int
    customer_id: int
    channel: str
    intent: str
    category: str
    explicit: bool | None
    received_at: datetime
    resolved_at: datetime | None
    # Against the case's own resolution target, as of `now`: None when it has no target or
    # the target is still ahead while the case is open.
    resolved_in_time: bool | None
    handler: str | None
    product: str | None
    address: str | None
    key_sentences: tuple[str, ...]
    # The address without its house number (common.addresses.complex_of); an erased case
    # keeps only this.
    complex: str | None


@dataclass(frozen=True)
class FirstContact:
    decided: bool  # done, or its time has passed
    in_time: bool  # done, and by its due time


@dataclass(frozen=True)
class Survey:
    sent: bool  # not cancelled, and its time has come
    scores: dict[str, int | None]


@dataclass
class Rows:
    """A window's cases, and per case id what happened around it."""

    cases: list[CaseRow] = field(default_factory=list)
    first_contact: dict[int, FirstContact] = field(default_factory=dict)
    # Deadlines escalated, and whether one of them was the first contact.
    escalations: dict[int, int] = field(default_factory=dict)
    first_contact_missed: set[int] = field(default_factory=set)
    # Execution checks: the customer's "yes" or "no".
    checks: dict[int, str] = field(default_factory=dict)
    surveys: dict[int, list[Survey]] = field(default_factory=lambda: defaultdict(list))


SCORES = ("overall", "listened", "informed", "resolved")


def _in_window(start: datetime, end: datetime) -> Any:
    return (
        select(col(Case.id))
        .where(col(Case.received_at) >= start, col(Case.received_at) < end)
        .scalar_subquery()
    )


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


async def _all(session: AsyncSession, statement: Executable) -> Sequence[Any]:
    # Fetched in one go on the Core connection: streaming row by row costs a switch into
    # the driver's thread per row, and the ORM's row handling a second more per year; a
    # year's narrow rows fit in memory easily.
    connection = await session.connection()
    return (await connection.execute(statement)).all()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


async def load(session: AsyncSession, *, start: datetime, end: datetime, now: datetime) -> Rows:
    """The cases received in [start, end) with their agreements, escalations, checks and
    surveys: four statements, whatever the number of cases. Deadlines are compared in SQL
    (with `now`), so only the two moments a handling time needs are read per case."""
    rows = Rows()
    state = col(Case.dialogue_state)
    resolved, due = col(Case.resolved_at), col(Case.resolution_due)
    in_time = case(
        (due.is_(None), None),
        (and_(resolved.is_not(None), resolved <= due), 1),
        (or_(resolved.is_not(None), due <= now), 0),
        else_=None,
    )
    cases = (
        select(
            col(Case.id),
            col(Case.customer_id),
            col(Case.channel),
            col(Case.intent),
            col(Case.category),
            col(Case.explicit),
            col(Case.received_at),
            resolved,
            in_time,
            col(Handler.name),
            state["facts"]["product"].as_string(),
            state["facts"]["address"].as_string(),
            state["key_sentences"],
            state["complex"].as_string(),
        )
        .select_from(Case)
        .outerjoin(Handler, col(Handler.id) == col(Case.handler_id))
        .where(col(Case.received_at) >= start, col(Case.received_at) < end)
        .order_by(col(Case.received_at))
    )
    for row in await _all(session, cases):
        sentences = row[12] if isinstance(row[12], list) else []
        address = _text(row[11])
        rows.cases.append(
            CaseRow(
                id=row[0],
                customer_id=row[1],
                channel=row[2],
                intent=row[3] or "unknown",
                category=row[4] or "none",
                explicit=row[5],
                received_at=row[6],
                resolved_at=row[7],
                resolved_in_time=None if row[8] is None else bool(row[8]),
                handler=row[9],
                product=_text(row[10]),
                address=address,
                key_sentences=tuple(str(s) for s in sentences),
                complex=complex_of(address) if address else _text(row[13]),
            )
        )
    window = _in_window(start, end)
    done, due_at = col(Agreement.done_at), col(Agreement.due_at)
    contacts = select(
        col(Agreement.case_id),
        _flag(or_(done.is_not(None), and_(due_at.is_not(None), due_at <= now))),
        _flag(and_(done.is_not(None), or_(due_at.is_(None), done <= due_at))),
    ).where(col(Agreement.case_id).in_(window), col(Agreement.what) == "first_contact")
    for case_id, decided, on_time in await _all(session, contacts):
        rows.first_contact.setdefault(case_id, FirstContact(bool(decided), bool(on_time)))
    # Only a missed first contact counts against first contact (an escalation without a
    # `what` is one, as the first escalations were); resolution is measured against the
    # case's own target.
    what = col(AuditEvent.detail)["what"].as_string()
    missed = (
        select(
            col(AuditEvent.case_id),
            func.count(),
            func.sum(_flag(or_(what.is_(None), what == "first_contact"))),
        )
        .where(col(AuditEvent.case_id).in_(window), col(AuditEvent.action) == MISSED)
        .group_by(col(AuditEvent.case_id))
    )
    for case_id, count, first_contact in await _all(session, missed):
        rows.escalations[case_id] = count
        if first_contact:
            rows.first_contact_missed.add(case_id)
    followups = select(
        col(FollowUp.case_id),
        col(FollowUp.kind),
        _flag(and_(col(FollowUp.status) != "cancelled", col(FollowUp.due_at) <= now)),
        col(FollowUp.outcome),
        *(col(getattr(FollowUp, name)) for name in SCORES),
    ).where(
        col(FollowUp.case_id).in_(window),
        col(FollowUp.kind).in_(("survey", "execution_check")),
    )
    for case_id, kind, sent, outcome, *scores in await _all(session, followups):
        if kind == "execution_check":
            if outcome in ("yes", "no"):
                rows.checks[case_id] = outcome
        else:
            rows.surveys[case_id].append(
                Survey(sent=bool(sent), scores=dict(zip(SCORES, scores, strict=True)))
            )
    return rows
