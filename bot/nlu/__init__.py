"""Offline understanding of customer messages: language, intent, topic, anger and slots.

A safety net of danger patterns decides emergencies (and their kind) first; a linear model
trained on the labelled corpus in `data/` (weights shipped in `data/model.npz`) reads intent,
explicit/hidden, topic and anger; extractors pull the facts. Nothing is downloaded at run time.
See docs/understanding.md.
"""

from bot.nlu.pipeline import understand
from bot.nlu.types import (
    CATEGORIES,
    EMERGENCY_KINDS,
    INTENTS,
    LANGUAGES,
    Category,
    EmergencyKind,
    Intent,
    Language,
    Slots,
    Understanding,
)

__all__ = [
    "CATEGORIES",
    "EMERGENCY_KINDS",
    "INTENTS",
    "LANGUAGES",
    "Category",
    "EmergencyKind",
    "Intent",
    "Language",
    "Slots",
    "Understanding",
    "understand",
]
