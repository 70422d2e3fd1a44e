"""The deadline policy: how soon a person makes contact and resolves, per intent and category.

A span reads as people say it: "1 business day", "4 business hours", "2 hours" (round the
clock, for emergencies), "3 days" (calendar days). Pure: the calendar does the counting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.policy.calendar import Calendar

Unit = Literal["business_days", "business_hours", "hours", "days"]

_SPAN = re.compile(
    r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>business days?|business hours?|hours?|days?)\s*$",
    re.IGNORECASE,
)
_UNITS: dict[str, Unit] = {
    "business day": "business_days",
    "business hour": "business_hours",
    "hour": "hours",
    "day": "days",
}


@dataclass(frozen=True)
class Span:
    amount: float
    unit: Unit

    def after(self, at: datetime, calendar: Calendar) -> datetime:
        match self.unit:
            case "business_days":
                return calendar.add_business_days(at, int(self.amount))
            case "business_hours":
                return calendar.add_business_hours(at, self.amount)
            case "hours":
                return at + timedelta(hours=self.amount)
            case "days":
                return at + timedelta(days=self.amount)


def parse_span(text: str) -> Span:
    found = _SPAN.match(text)
    if found is None:
        raise ValueError(
            f"{text!r} is not a span; write e.g. '1 business day', '4 business hours', '2 hours'"
        )
    unit = _UNITS[found["unit"].lower().rstrip("s")]
    amount = float(found["amount"])
    if unit == "business_days" and amount != int(amount):
        raise ValueError(f"{text!r}: business days are whole days")
    return Span(amount, unit)


@dataclass(frozen=True)
class Rule:
    first_contact: Span | None = None
    resolution: Span | None = None


@dataclass(frozen=True)
class Deadlines:
    calendar: Calendar = field(default_factory=Calendar)
    first_contact: Span = Span(1, "business_days")
    resolution: Span = Span(10, "business_days")
    # An intent's rule wins over a category's; what neither sets comes from the defaults.
    intents: Mapping[str, Rule] = field(
        default_factory=lambda: {
            "emergency": Rule(Span(2, "hours"), Span(1, "business_days")),
        }
    )
    categories: Mapping[str, Rule] = field(default_factory=dict)

    def _span(self, which: str, intent: str | None, category: str | None, urgent: bool) -> Span:
        # A case handed off as an emergency keeps the emergency's rule whatever its intent (a
        # complaint that reported a danger).
        intent = "emergency" if urgent else intent
        for rule in (self.intents.get(intent or ""), self.categories.get(category or "")):
            span: Span | None = getattr(rule, which, None)
            if span is not None:
                return span
        default: Span = getattr(self, which)
        return default

    def first_contact_due(
        self, at: datetime, *, intent: str | None, category: str | None, urgent: bool = False
    ) -> datetime:
        return self._span("first_contact", intent, category, urgent).after(at, self.calendar)

    def resolution_due(
        self, at: datetime, *, intent: str | None, category: str | None, urgent: bool = False
    ) -> datetime:
        return self._span("resolution", intent, category, urgent).after(at, self.calendar)
