"""Facts and moments as people write them, in the reader's language: "maandag 30 november
2026", "30 nov - 4 dec 2026", "€ 9,99", "vrijdag 4 december 2026" at "17:00" "CET"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_interval
from babel.numbers import format_currency


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def readable_fact(value: str, language: str, kind: str = "") -> str:
    """A fact as people write it: "maandag 30 november 2026", "30 nov - 4 dec 2026" for a
    range, "€ 9,99" for an amount; anything else as the customer wrote it."""
    start, _, end = value.partition("/")
    first, last = _day(start), _day(end)
    if first and last:
        return format_interval(first, last, "yMMMMd", locale=language)
    if first and not end:
        return format_date(first, "EEEE d MMMM yyyy", locale=language)
    if kind == "amount":
        try:
            return format_currency(Decimal(value), "EUR", locale=language)
        except InvalidOperation:
            return value
    return value


def readable_moment(moment: datetime | None, tz: ZoneInfo, language: str) -> dict[str, str] | None:
    """Day, time and zone as people write them: "vrijdag 4 december 2026", "17:00", "CET"."""
    if moment is None:
        return None
    there = moment.astimezone(tz)
    return {
        "day": format_date(there, "EEEE d MMMM yyyy", locale=language),
        "time": there.strftime("%H:%M"),
        "zone": there.tzname() or str(tz),
    }
