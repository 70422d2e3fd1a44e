"""When a person will act: N business days ahead, before a time of day, in local time.

A stand-in until office hours and holidays arrive with the calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def promise_at(now: datetime, *, tz: ZoneInfo, business_days: int, by: time) -> datetime:
    local = now.astimezone(tz)
    day = local.date()
    remaining = business_days
    # Promising "today" only makes sense on a working day before the deadline hour.
    if remaining == 0 and (day.weekday() >= 5 or local.time() >= by):
        remaining = 1
    while remaining > 0 or day.weekday() >= 5:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return datetime.combine(day, by, tzinfo=tz).astimezone(UTC)
