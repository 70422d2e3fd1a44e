"""Load at start what the first conversations would otherwise wait for: the understanding
models (trained from their data on first use), the calendar names of each language, and
every template (compiled on first use; compiling them all also finds a broken one now,
not when a customer is waiting for it)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.nlu.pipeline import warm_understanding
from bot.nlu.types import LANGUAGES
from bot.outbound.outbound import readable_day
from common.templates import all_template_names, template


def warm_up() -> int:
    """Returns how many templates were compiled."""
    warm_understanding()
    for language in LANGUAGES:
        readable_day(datetime(2026, 1, 5, tzinfo=UTC), tz=ZoneInfo("UTC"), language=language)
    names = all_template_names()
    for name in names:
        template(name)
    return len(names)
