"""Load at start what the first conversations would otherwise wait for: the understanding
models (trained from their data on first use), the calendar names of each language, and
every template (compiled on first use; compiling them all also finds a broken one now,
not when a customer is waiting for it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.nlu import understand
from bot.nlu.classifier import category_model, complaint_model, intent_model
from bot.nlu.types import LANGUAGES
from bot.outbound import readable_day
from bot.templates import all_template_names, template


def warm_up() -> int:
    """Returns how many templates were compiled."""
    for model in (complaint_model(), intent_model(), category_model()):
        # The first scoring builds the model's lookup table; rules often decide before the
        # intent and category models are asked, so `understand` below may not reach them.
        model.probabilities("pakket niet geleverd")
    understand("Mijn pakket is niet geleverd.", today=date(2026, 1, 5))
    for language in LANGUAGES:
        readable_day(datetime(2026, 1, 5, tzinfo=UTC), tz=ZoneInfo("UTC"), language=language)
    names = all_template_names()
    for name in names:
        template(name)
    return len(names)
