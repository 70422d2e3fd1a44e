"""The coordinator's report over a period, compared with the period before it and with the
same period a year earlier (when there were cases then).

`figures` is pure (rows in, numbers out) and so is `assemble`; `build` reads the rows
(`bot.reports.rows`) for the period and the windows it is compared with. Durations are
hours of office time (`Calendar.office_hours_between`): a complaint received on Friday
afternoon and answered on Monday morning took a few working hours, not three days.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.policy.calendar import Calendar, OfficeClock
from bot.reports import patterns
from bot.reports.rows import SCORES, CaseRow, Rows, load

Bucket = Literal["week", "month"]
# A case is a repeat when the same customer complained about the same topic (or someone
# at the same complex about anything) within this many days before it.
REPEAT_DAYS = 90


@dataclass(frozen=True)
class Figures:
    cases: int
    hidden: int  # complaints the customer did not call one (the dialogue's `explicit` False)
    per_intent: dict[str, int]
    per_category: dict[str, int]
    per_channel: dict[str, int]
    resolved: int
    handling_median_hours: float | None
    handling_p90_hours: float | None
    first_contact_met: int
    first_contact_due: int
    resolution_met: int
    resolution_due: int
    escalations: int
    escalated_cases: int
    checks_answered: int
    checks_no: int
    survey_averages: dict[str, float | None] = field(default_factory=dict)
    surveys_sent: int = 0
    surveys_answered: int = 0
    repeat_customer_topic: int = 0
    repeat_complex: int = 0


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included


@dataclass(frozen=True)
class Report:
    period: Period
    previous_period: Period
    current: Figures
    previous: Figures
    year_ago: Figures | None
    bucket: Bucket
    # dimension (intent, category, channel) -> bucket label -> value -> count
    series: dict[str, dict[str, dict[str, int]]]
    rises: list[patterns.Rise]
    phrases: list[tuple[str, int]]


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of them at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def middle(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    half = len(ordered) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def repeats(cases: Sequence[CaseRow], earlier: Iterable[CaseRow]) -> tuple[set[int], set[int]]:
    """Ids of `cases` that repeat an earlier case (in `cases` or `earlier`) within
    REPEAT_DAYS: by the same customer on the same topic, and at the same complex."""
    last_topic: dict[tuple[int, str], datetime] = {}
    last_complex: dict[str, datetime] = {}
    by_customer: set[int] = set()
    by_complex: set[int] = set()
    wanted = {case.id for case in cases}
    window = timedelta(days=REPEAT_DAYS)
    everything = sorted({c.id: c for c in (*earlier, *cases)}.values(), key=lambda c: c.received_at)
    for case in everything:
        key = (case.customer_id, case.category)
        block = case.complex
        if case.id in wanted:
            if key in last_topic and case.received_at - last_topic[key] <= window:
                by_customer.add(case.id)
            if block and block in last_complex and case.received_at - last_complex[block] <= window:
                by_complex.add(case.id)
        last_topic[key] = case.received_at
        if block:
            last_complex[block] = case.received_at
    return by_customer, by_complex


def figures(
    rows: Rows,
    cases: Sequence[CaseRow],
    *,
    office_hours: Callable[[datetime, datetime], float],
    earlier: Iterable[CaseRow] = (),
) -> Figures:
    """The figures of `cases` (a period's part of `rows`); `earlier` are cases before the
    period, for repeats."""
    handling = [
        office_hours(case.received_at, case.resolved_at)
        for case in cases
        if case.resolved_at is not None
    ]
    # A first contact counts as met when it was done in time and never escalated as missed
    # (an escalation moves due_at on, so the escalation is what marks the first miss).
    contacts = [
        (case.id, contact)
        for case in cases
        if (contact := rows.first_contact.get(case.id)) is not None and contact.decided
    ]
    met = sum(
        1
        for case_id, contact in contacts
        if contact.in_time and case_id not in rows.first_contact_missed
    )
    with_target = [c.resolved_in_time for c in cases if c.resolved_in_time is not None]
    sent = [survey for case in cases for survey in rows.surveys.get(case.id, ()) if survey.sent]
    answered = [survey for survey in sent if survey.scores["overall"] is not None]
    averages: dict[str, float | None] = {}
    for name in SCORES:
        given = [value for s in answered if (value := s.scores[name]) is not None]
        averages[name] = round(sum(given) / len(given), 2) if given else None
    checks = [rows.checks[case.id] for case in cases if case.id in rows.checks]
    by_customer, by_complex = repeats(cases, earlier)
    return Figures(
        cases=len(cases),
        hidden=sum(1 for c in cases if c.explicit is False),
        per_intent=dict(Counter(c.intent for c in cases).most_common()),
        per_category=dict(Counter(c.category for c in cases).most_common()),
        per_channel=dict(Counter(c.channel for c in cases).most_common()),
        resolved=len(handling),
        handling_median_hours=_rounded(middle(handling)),
        handling_p90_hours=_rounded(percentile(handling, 0.9)),
        first_contact_met=met,
        first_contact_due=len(contacts),
        resolution_met=sum(with_target),
        resolution_due=len(with_target),
        escalations=sum(rows.escalations.get(c.id, 0) for c in cases),
        escalated_cases=sum(1 for c in cases if rows.escalations.get(c.id)),
        checks_answered=len(checks),
        checks_no=checks.count("no"),
        survey_averages=averages,
        surveys_sent=len(sent),
        surveys_answered=len(answered),
        repeat_customer_topic=len(by_customer),
        repeat_complex=len(by_complex),
    )


def bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Whole local days, `end` included, as [start, end) in UTC."""
    return (
        datetime.combine(period.start, time(0), tzinfo=tz).astimezone(UTC),
        datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC),
    )


def shifted(period: Period, count: int) -> Period:
    """The period `count` lengths earlier. Whole calendar months stay whole months
    (November before December), other periods move by their length in days."""
    first, last = period.start, period.end
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        start = _add_months(first, -months * count)
        return Period(start, _add_months(start, months) - timedelta(days=1))
    days = (last - first).days + 1
    return Period(first - timedelta(days=days * count), last - timedelta(days=days * count))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def year_earlier(period: Period) -> Period:
    def back(day: date) -> date:
        return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else day.day))

    return Period(back(period.start), back(period.end))


def bucket_for(period: Period) -> Bucket:
    """Weeks up to a quarter, months beyond."""
    return "week" if (period.end - period.start).days < 92 else "month"


def bucket_label(moment: datetime, bucket: Bucket, tz: ZoneInfo) -> str:
    day = moment.astimezone(tz).date()
    if bucket == "month":
        return f"{day:%Y-%m}"
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def bucket_starts(period: Period, bucket: Bucket, tz: ZoneInfo) -> tuple[list[datetime], list[str]]:
    """The moments (UTC) each bucket of the period begins, and their labels."""
    starts: list[datetime] = []
    labels: list[str] = []
    day = period.start
    while day <= period.end:
        moment = datetime.combine(day, time(0), tzinfo=tz)
        label = bucket_label(moment, bucket, tz)
        if not labels or labels[-1] != label:
            starts.append(moment.astimezone(UTC))
            labels.append(label)
        day += timedelta(days=1)
    return starts, labels


def _inside(cases: Iterable[CaseRow], period: Period, tz: ZoneInfo) -> list[CaseRow]:
    # Compared in UTC: one conversion per period instead of one per case.
    start, end = bounds(period, tz)
    return [c for c in cases if start <= c.received_at < end]


def _dimension_counts(cases: Iterable[CaseRow]) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in patterns.DIMENSIONS}
    for case in cases:
        counts["topic"][case.category] += 1
        if case.product:
            counts["product"][case.product.lower()] += 1
        if case.complex:
            counts["complex"][case.complex] += 1
        if case.handler:
            counts["handler"][case.handler] += 1
    return counts


def assemble(
    period: Period,
    window: Rows,
    year_rows: Rows | None,
    *,
    calendar: Calendar,
) -> Report:
    """The report from the rows of the baseline window (which ends with the period) and of
    the same period a year earlier."""
    tz = calendar.tz
    previous_period = shifted(period, 1)
    current = _inside(window.cases, period, tz)
    start, _ = bounds(period, tz)
    before = [c for c in window.cases if c.received_at < start]
    office = OfficeClock(calendar).between
    history_periods = [shifted(period, n) for n in range(1, patterns.BASELINE + 1)]
    histories = [_inside(before, p, tz) for p in history_periods]
    bucket = bucket_for(period)
    series: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    starts, labels = bucket_starts(period, bucket, tz)
    for case in current:
        # Bisected in UTC: converting each case's moment to local time costs more.
        label = labels[bisect_right(starts, case.received_at) - 1]
        for name, value in (
            ("intent", case.intent),
            ("category", case.category),
            ("channel", case.channel),
        ):
            counts = series[name][label]
            counts[value] = counts.get(value, 0) + 1
    now_counts = _dimension_counts(current)
    past_counts = [_dimension_counts(cases) for cases in histories]
    found = [
        rise
        for name in patterns.DIMENSIONS
        for rise in patterns.rises(name, now_counts[name], [p[name] for p in past_counts])
    ]
    year_ago = None
    if year_rows is not None and year_rows.cases:
        year_ago = figures(year_rows, year_rows.cases, office_hours=office)
    return Report(
        period=period,
        previous_period=previous_period,
        current=figures(window, current, office_hours=office, earlier=before),
        previous=figures(
            window,
            histories[0],
            office_hours=office,
            earlier=[c for c in before if c.received_at < bounds(previous_period, tz)[0]],
        ),
        year_ago=year_ago,
        bucket=bucket,
        series={
            name: {label: dict(values) for label, values in sorted(labels.items())}
            for name, labels in series.items()
        },
        rises=found,
        phrases=patterns.recurring_phrases(case.key_sentences for case in current),
    )


async def build(
    session: AsyncSession, period: Period, *, now: datetime, calendar: Calendar
) -> Report:
    """Two reads: the period with its baseline (and REPEAT_DAYS before that for repeats),
    and the same period a year earlier."""
    tz = calendar.tz
    oldest = shifted(period, patterns.BASELINE)
    # The period before has its repeats too: REPEAT_DAYS before its start.
    window_start = min(
        bounds(oldest, tz)[0],
        bounds(shifted(period, 1), tz)[0] - timedelta(days=REPEAT_DAYS),
    )
    _, end = bounds(period, tz)
    window = await load(session, start=window_start, end=end, now=now)
    year_start, year_end = bounds(year_earlier(period), tz)
    year_rows = await load(session, start=year_start, end=year_end, now=now)
    return assemble(period, window, year_rows, calendar=calendar)
