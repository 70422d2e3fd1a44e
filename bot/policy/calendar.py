"""When people are at work: office hours per weekday, public holidays, quiet hours.

Pure: no clock, no I/O. Every answer is an aware datetime in UTC; the reasoning happens in
the organisation's local time, because "before 17:00" and "a holiday" are local ideas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import holidays

# A calendar with no open day at all is refused up front; this bounds every search.
SEARCH_DAYS = 800
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)


@dataclass(frozen=True)
class Hours:
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(f"opening time {self.opens} is not before closing time {self.closes}")


def parse_clock(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def parse_span(text: str) -> tuple[time, time]:
    """'09:00-17:00' into two times; used for office hours and quiet hours ('' is none)."""
    if not text.strip():
        return time(0), time(0)
    start, end = text.split("-")
    return parse_clock(start), parse_clock(end)


def office_week(spec: Mapping[Weekday, str]) -> dict[int, Hours]:
    """{"monday": "09:00-17:00", "saturday": ""} into weekday number -> Hours; empty is closed."""
    week: dict[int, Hours] = {}
    for name, text in spec.items():
        if text.strip():
            week[WEEKDAYS.index(name)] = Hours(*parse_span(text))
    return week


def public_holidays(country: str, subdivision: str | None = None) -> Callable[[date], bool]:
    # The holidays package fills in each year on first use, so no year range to maintain.
    table = holidays.country_holidays(country, subdiv=subdivision or None)
    return lambda day: day in table


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    week: Mapping[int, Hours] = field(
        default_factory=lambda: {day: Hours(time(9), time(17)) for day in range(5)}
    )
    holiday: Callable[[date], bool] = field(default_factory=lambda: public_holidays("NL"))
    extra_closed: frozenset[date] = frozenset()
    quiet_from: time = time(21)
    quiet_until: time = time(8)

    def __post_init__(self) -> None:
        if not self.week:
            raise ValueError("office hours: at least one weekday must be open")

    @classmethod
    def build(
        cls,
        *,
        tz: ZoneInfo,
        office_hours: Mapping[Weekday, str],
        country: str,
        subdivision: str | None = None,
        extra_closed_days: Iterable[date] = (),
        quiet_hours: str = "21:00-08:00",
    ) -> Calendar:
        quiet_from, quiet_until = parse_span(quiet_hours)
        return cls(
            tz=tz,
            week=office_week(office_hours),
            holiday=public_holidays(country, subdivision),
            extra_closed=frozenset(extra_closed_days),
            quiet_from=quiet_from,
            quiet_until=quiet_until,
        )

    # -- days --------------------------------------------------------------------------------

    def hours_on(self, day: date) -> Hours | None:
        """Office hours on `day`, or None when the office is closed all day."""
        if day in self.extra_closed or self.holiday(day):
            return None
        return self.week.get(day.weekday())

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def _open_days_from(self, day: date) -> Iterable[tuple[date, Hours]]:
        for offset in range(SEARCH_DAYS):
            current = day + timedelta(days=offset)
            hours = self.hours_on(current)
            if hours is not None:
                yield current, hours
        raise ValueError(f"no open day within {SEARCH_DAYS} days of {day}")

    # -- questions ---------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        hours = self.hours_on(local.date())
        return hours is not None and hours.opens <= local.time() < hours.closes

    def next_open(self, at: datetime) -> datetime:
        """When a handler is next at work: `at` itself during office hours."""
        local = at.astimezone(self.tz)
        for day, hours in self._open_days_from(local.date()):
            if day == local.date():
                if local.time() < hours.opens:
                    return self._at(day, hours.opens).astimezone(UTC)
                if local.time() < hours.closes:
                    return at.astimezone(UTC)
                continue
            return self._at(day, hours.opens).astimezone(UTC)
        raise AssertionError("unreachable")  # pragma: no cover

    def add_business_hours(self, at: datetime, hours: float) -> datetime:
        """`hours` of office time after `at`; time outside office hours does not count."""
        remaining = timedelta(hours=hours)
        current = self.next_open(at).astimezone(self.tz)
        while True:
            day_hours = self.hours_on(current.date())
            assert day_hours is not None
            # Wall-clock arithmetic within one day: an office day is as long as its hours say.
            closes = self._at(current.date(), day_hours.closes)
            left_today = closes.replace(tzinfo=None) - current.replace(tzinfo=None)
            if remaining <= left_today:
                end = current.replace(tzinfo=None) + remaining
                return end.replace(tzinfo=self.tz).astimezone(UTC)
            remaining -= left_today
            current = self.next_open(closes).astimezone(self.tz)

    def add_business_days(self, at: datetime, days: int) -> datetime:
        """Closing time of the `days`-th open day after the day of `at`.

        0 means today's closing time if the office is still to close today, else the next
        open day's: a promise for "today" made after hours is a promise for tomorrow.
        """
        local = at.astimezone(self.tz)
        remaining = days
        for day, hours in self._open_days_from(local.date()):
            if day == local.date():
                if remaining == 0 and local.time() < hours.closes:
                    return self._at(day, hours.closes).astimezone(UTC)
                continue
            remaining = max(remaining - 1, 0)
            if remaining == 0:
                return self._at(day, hours.closes).astimezone(UTC)
        raise AssertionError("unreachable")  # pragma: no cover

    def office_hours_between(self, start: datetime, end: datetime) -> float:
        """Hours of office time from `start` to `end` (0 when `end` is not later): how long a
        case took in working time. For many cases, use one `OfficeClock`."""
        return OfficeClock(self).between(start, end)

    # -- quiet hours -------------------------------------------------------------------------

    def in_quiet_hours(self, at: datetime) -> bool:
        moment = at.astimezone(self.tz).time()
        if self.quiet_from == self.quiet_until:
            return False
        if self.quiet_from > self.quiet_until:  # spans midnight, as 21:00-08:00 does
            return moment >= self.quiet_from or moment < self.quiet_until
        return self.quiet_from <= moment < self.quiet_until

    def end_of_quiet(self, at: datetime) -> datetime:
        """`at` outside quiet hours; otherwise the moment the quiet hours end."""
        if not self.in_quiet_hours(at):
            return at.astimezone(UTC)
        local = at.astimezone(self.tz)
        day = local.date()
        if self.quiet_from > self.quiet_until and local.time() >= self.quiet_from:
            day += timedelta(days=1)
        return self._at(day, self.quiet_until).astimezone(UTC)

    def deliver_at(self, at: datetime, *, urgent: bool = False) -> datetime:
        """When a customer message planned for `at` may go out: urgent ones at once,
        others not during quiet hours."""
        return at.astimezone(UTC) if urgent else self.end_of_quiet(at)


class OfficeClock:
    """Office time between moments, for many pairs at constant cost: the office seconds
    before each day are summed once, so a pair costs two lookups, however far apart."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self._first: date | None = None
        # _before[i]: office seconds on the days from _first up to (not including) day i.
        self._before: list[float] = [0.0]
        # Each day's opening and closing as seconds since midnight.
        self._spans: list[tuple[float, float] | None] = []

    def _index(self, day: date) -> int:
        if self._first is None or day < self._first:
            # Start again from a little before the earliest day asked (rare: once or twice).
            self._first = day - timedelta(days=31)
            self._before, self._spans = [0.0], []
        index = (day - self._first).days
        while len(self._spans) <= index:
            current = self._first + timedelta(days=len(self._spans))
            hours = self.calendar.hours_on(current)
            span = None if hours is None else (_seconds(hours.opens), _seconds(hours.closes))
            self._spans.append(span)
            length = 0.0 if span is None else span[1] - span[0]
            self._before.append(self._before[-1] + length)
        return index

    def _position(self, moment: datetime) -> float:
        local = moment.astimezone(self.calendar.tz)
        index = self._index(local.date())
        span = self._spans[index]
        today = 0.0
        if span is not None:
            # Wall-clock within a day, as `Calendar.add_business_hours` counts it.
            clock = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
            today = min(max(clock, span[0]), span[1]) - span[0]
        return self._before[index] + today

    def between(self, start: datetime, end: datetime) -> float:
        return max(self._position(end) - self._position(start), 0.0) / 3600


def _seconds(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
