"""Public result types of the message-understanding module."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal, get_args

Language = Literal["nl", "en"]
Intent = Literal[
    "complaint",
    "repair_request",
    "question",
    "compliment",
    "dispute",
    "nuisance",
    "emergency",
    "other",
]
Category = Literal[
    "delivery",
    "product",
    "service_execution",
    "billing",
    "staff_conduct",
    "communication",
    "policy",
    "other",
]

# The allowed values, in order, taken from the types so the two cannot drift apart.
LANGUAGES: tuple[Language, ...] = get_args(Language)
INTENTS: tuple[Intent, ...] = get_args(Intent)
CATEGORIES: tuple[Category, ...] = get_args(Category)


@dataclass(frozen=True)
class Slots:
    """Facts pulled from free text; every field keeps the order of appearance."""

    dates: tuple[str, ...] = ()
    order_numbers: tuple[str, ...] = ()
    invoice_numbers: tuple[str, ...] = ()
    customer_numbers: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        # Empty fields are left out so stored case data stays small and readable.
        return {f.name: list(v) for f in fields(self) if (v := getattr(self, f.name))}


@dataclass(frozen=True)
class Understanding:
    """What one customer message is about, as far as the offline rules can tell."""

    language: Language
    intent: Intent
    explicit: bool | None
    category: Category | None
    anger: int
    slots: Slots
    key_sentences: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "intent": self.intent,
            "explicit": self.explicit,
            "category": self.category,
            "anger": self.anger,
            "slots": self.slots.to_dict(),
            "key_sentences": list(self.key_sentences),
        }
