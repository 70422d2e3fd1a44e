"""The conversation's memory, stored as JSON on the case."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

Step = Literal[
    "listening",  # the customer tells the story; a pause ends it
    "questioning",  # one open question at a time, only what is missing
    "confirming",  # "klopt dit?" after the summary
    "correcting",  # the customer said it is not right; waiting for what is
    "consent",  # offered a written confirmation by email
    "asking_email",  # agreed to it, but we have no address yet
    "handed_off",  # a person has the case; later messages join it
    "closed",
]
STEPS: tuple[Step, ...] = (
    "listening",
    "questioning",
    "confirming",
    "correcting",
    "consent",
    "asking_email",
    "handed_off",
    "closed",
)


@dataclass(frozen=True)
class DialogueState:
    step: Step = "listening"
    channel: str = "console"
    language: str = "nl"
    # Message ids and texts of the story so far; `pending` are those not yet answered.
    pending: tuple[int, ...] = ()
    story: tuple[str, ...] = ()
    intent: str | None = None
    category: str | None = None
    explicit: bool | None = None
    anger: int = 0
    key_sentences: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()  # facts the customer said they do not know
    asked: tuple[str, ...] = ()
    current_question: str | None = None
    corrections: tuple[str, ...] = ()
    customer_questions: tuple[str, ...] = ()  # what the customer asked us mid-intake
    changed: tuple[str, ...] = ()  # kinds of the facts the customer corrected
    email: str | None = None
    consent_email: bool | None = None
    promise_at: str | None = None  # ISO 8601, UTC
    last_receipt_at: str | None = None
    # Counts transitions; with the case id it makes outbox keys unique and replay-safe.
    turn: int = 0

    def to_dict(self) -> dict[str, Any]:
        # Flat fields: no need for `asdict`'s recursive deep copy, run for every message.
        data: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, language: str, channel: str) -> DialogueState:
        if not data:
            return cls(language=language, channel=channel)
        values: dict[str, Any] = {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in data.items()
            if name in _FIELD_NAMES
        }
        return cls(**values)

    def next_turn(self, **changes: Any) -> DialogueState:
        return replace(self, turn=self.turn + 1, **changes)


_FIELD_NAMES = tuple(f.name for f in fields(DialogueState))
