"""Offline understanding of customer messages: language, intent, topic, anger and slots.

Rules and a small lexicon decide where there is a clear cue; a tiny naive Bayes model trained
on `data/train.jsonl` fills in where no rule fires. Nothing is downloaded at run time.
"""

from bot.nlu.pipeline import understand
from bot.nlu.types import (
    CATEGORIES,
    INTENTS,
    LANGUAGES,
    Category,
    Intent,
    Language,
    Slots,
    Understanding,
)

__all__ = [
    "CATEGORIES",
    "INTENTS",
    "LANGUAGES",
    "Category",
    "Intent",
    "Language",
    "Slots",
    "Understanding",
    "understand",
]
