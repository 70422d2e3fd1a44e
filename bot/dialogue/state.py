"""The conversation's memory, stored as JSON on the case."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

Step = Literal[
    "listening",  # the customer tells the story; a pause ends it
    "choosing",  # two routes fit the story: the customer picks one with a button
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
    "choosing",
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
    # What the channel is like, told by the caller (the dialogue never compares channel names):
    # a message is a whole story, no pause to wait for (email, a web form) ...
    whole_story: bool = False
    # ... and the channel itself is a way to reach the customer later (email).
    channel_reaches_customer: bool = False
    language: str = "nl"
    # Message ids and texts of the story so far; `pending` are those not yet answered.
    pending: tuple[int, ...] = ()
    story: tuple[str, ...] = ()
    intent: str | None = None
    category: str | None = None
    explicit: bool | None = None
    anger: int = 0
    key_sentences: tuple[str, ...] = ()
    # Keyed by fact kind (see `bot.dialogue.slots.FACT_KINDS`), never by the question open
    # when the fact came.
    facts: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()  # facts the customer said they do not know, or never gave
    asked: tuple[str, ...] = ()
    reasked: tuple[str, ...] = ()  # questions asked a second time, in a short form
    current_question: str | None = None
    corrections: tuple[str, ...] = ()  # the customer's corrections, as typed
    changed: tuple[str, ...] = ()  # fact kinds the customer corrected
    customer_questions: tuple[str, ...] = ()  # questions the customer asked, verbatim
    route_choices: tuple[str, ...] = ()  # the routes offered when two fit
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
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        language: str,
        channel: str,
        whole_story: bool | None = None,
        channel_reaches_customer: bool | None = None,
    ) -> DialogueState:
        """Reads states stored by older versions too: missing fields take their defaults and
        an old "contact" fact becomes the phone or email it holds. The channel's traits, when
        given, are the channel's as it is now."""
        traits: dict[str, Any] = {}
        if whole_story is not None:
            traits["whole_story"] = whole_story
        if channel_reaches_customer is not None:
            traits["channel_reaches_customer"] = channel_reaches_customer
        if not data:
            return cls(language=language, channel=channel, **traits)
        values: dict[str, Any] = {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in data.items()
            if name in _FIELD_NAMES
        }
        facts = dict(values.get("facts") or {})
        contact = facts.pop("contact", None)
        if contact:
            facts.setdefault("email" if "@" in contact else "phone", contact)
        values["facts"] = facts
        return cls(**{**values, **traits})

    def next_turn(self, **changes: Any) -> DialogueState:
        return replace(self, turn=self.turn + 1, **changes)


_FIELD_NAMES = tuple(f.name for f in fields(DialogueState))
