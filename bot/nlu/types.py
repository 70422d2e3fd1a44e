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

EmergencyKind = Literal["gas", "co", "fire", "electrical", "structural", "water", "power"]

# The allowed values, in order, taken from the types so the two cannot drift apart.
LANGUAGES: tuple[Language, ...] = get_args(Language)
INTENTS: tuple[Intent, ...] = get_args(Intent)
CATEGORIES: tuple[Category, ...] = get_args(Category)
EMERGENCY_KINDS: tuple[EmergencyKind, ...] = get_args(EmergencyKind)


@dataclass(frozen=True)
class Slots:
    """Facts pulled from free text; every field keeps the order of appearance.

    Values are copied from the text as written, except `dates` (ISO dates, "start/end" for a
    range, so a handler sees the day meant by "vorige week dinsdag") and `amounts` (plain
    decimals). `date_mentions` keeps the words the dates were read from, also those that name
    no single day ("begin november")."""

    dates: tuple[str, ...] = ()
    date_mentions: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    order_numbers: tuple[str, ...] = ()
    invoice_numbers: tuple[str, ...] = ()
    customer_numbers: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()

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
    # Whether the message shows a sign of danger: it takes the emergency route whatever its
    # intent (always with the intent "emergency"; also beside another intent the model is sure
    # of, such as a complaint that reports a danger).
    danger: bool = False
    # The danger behind the emergency route, so the customer gets the instruction that fits it
    # (gas advice for gas, not for a flooding); None without danger or of no known kind.
    emergency_kind: EmergencyKind | None = None
    # How sure the offline reading is of its intent, 0-1: low values are where a second opinion
    # (the optional LLM) may be asked.
    confidence: float = 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "intent": self.intent,
            "explicit": self.explicit,
            "category": self.category,
            "anger": self.anger,
            "danger": self.danger,
            "emergency_kind": self.emergency_kind,
            "confidence": round(self.confidence, 3),
            "slots": self.slots.to_dict(),
            "key_sentences": list(self.key_sentences),
        }
