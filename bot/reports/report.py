"""The coordinator's report over a period: counts per intent, category and channel,
handling times, deadlines met, satisfaction and response rate.

`figures` is pure (rows in, numbers out); `load` reads the rows; the CLI shows them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Agreement, AuditEvent, Case, FollowUp

SCORES = ("overall", "listened", "informed", "resolved")


@dataclass(frozen=True)
class Figures:
    cases: int
    per_intent: dict[str, int]
    per_category: dict[str, int]
    per_channel: dict[str, int]
    resolved: int
    handling_median: timedelta | None
    handling_p90: timedelta | None
    first_contact_met: int
    first_contact_due: int
    resolution_met: int
    resolution_due: int
    survey_averages: dict[str, float | None] = field(default_factory=dict)
    surveys_sent: int = 0
    surveys_answered: int = 0


def percentile(values: Sequence[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def middle(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def figures(
    *,
    cases: Sequence[Case],
    first_contacts: Sequence[Agreement],
    missed_case_ids: set[int],
    surveys: Sequence[FollowUp],
    now: datetime,
) -> Figures:
    handling = [
        case.resolved_at - case.received_at for case in cases if case.resolved_at is not None
    ]
    # A first contact counts as met when it was done in time and never escalated as missed
    # (an escalation moves due_at on, so the escalation is what marks the first miss).
    decided = [a for a in first_contacts if a.done_at is not None or (a.due_at and a.due_at <= now)]
    met = [
        a
        for a in decided
        if a.done_at is not None
        and (a.due_at is None or a.done_at <= a.due_at)
        and a.case_id not in missed_case_ids
    ]
    with_target = [
        c
        for c in cases
        if c.resolution_due is not None and (c.resolved_at is not None or c.resolution_due <= now)
    ]
    on_time = [
        c
        for c in with_target
        if c.resolved_at is not None
        and c.resolution_due is not None
        and c.resolved_at <= c.resolution_due
    ]
    sent = [s for s in surveys if s.status != "cancelled" and s.due_at <= now]
    answered = [s for s in sent if s.overall is not None]
    averages: dict[str, float | None] = {}
    for name in SCORES:
        given = [value for s in answered if (value := getattr(s, name)) is not None]
        averages[name] = round(sum(given) / len(given), 2) if given else None
    return Figures(
        cases=len(cases),
        per_intent=dict(Counter(c.intent or "unknown" for c in cases).most_common()),
        per_category=dict(Counter(c.category or "none" for c in cases).most_common()),
        per_channel=dict(Counter(c.channel for c in cases).most_common()),
        resolved=len(handling),
        handling_median=middle(handling),
        handling_p90=percentile(handling, 0.9),
        first_contact_met=len(met),
        first_contact_due=len(decided),
        resolution_met=len(on_time),
        resolution_due=len(with_target),
        survey_averages=averages,
        surveys_sent=len(sent),
        surveys_answered=len(answered),
    )


def period(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Whole local days, `end` included."""
    return (
        datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC),
    )


async def load(session: AsyncSession, *, start: datetime, end: datetime, now: datetime) -> Figures:
    """Cases received in [start, end), with their agreements, escalations and surveys.

    The period's cases are a subquery in each statement, never a list of their ids: a
    year's cases would pass PostgreSQL's limit of 32,767 parameters per statement."""
    in_period = (col(Case.received_at) >= start, col(Case.received_at) < end)
    cases = list((await session.exec(select(Case).where(*in_period))).all())
    period_ids = select(Case.id).where(*in_period).scalar_subquery()
    first_contacts = list(
        (
            await session.exec(
                select(Agreement).where(
                    col(Agreement.case_id).in_(period_ids), Agreement.what == "first_contact"
                )
            )
        ).all()
    )
    escalations = (
        await session.exec(
            select(AuditEvent).where(
                col(AuditEvent.case_id).in_(period_ids), AuditEvent.action == "deadline.missed"
            )
        )
    ).all()
    # Only a missed first contact counts against first contact; resolution is measured
    # against the case's own target.
    missed = [
        event.case_id
        for event in escalations
        if event.detail.get("what", "first_contact") == "first_contact"
    ]
    surveys = list(
        (
            await session.exec(
                select(FollowUp).where(
                    col(FollowUp.case_id).in_(period_ids), FollowUp.kind == "survey"
                )
            )
        ).all()
    )
    return figures(
        cases=cases,
        first_contacts=first_contacts,
        missed_case_ids={case_id for case_id in missed if case_id is not None},
        surveys=surveys,
        now=now,
    )
