"""The conversation's memory, stored as JSON on the case."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Step = Literal["listening", "acknowledged", "adding"]


@dataclass(frozen=True)
class DialogueState:
    step: Step = "listening"
    language: str = "nl"
    # Message ids and texts the customer sent since the bot last spoke.
    pending: tuple[int, ...] = ()
    story: tuple[str, ...] = ()
    # Counts transitions; with the case id it makes outbox keys unique and replay-safe.
    turn: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["pending"] = list(self.pending)
        data["story"] = list(self.story)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, language: str) -> DialogueState:
        if not data:
            return cls(language=language)
        return cls(
            step=data["step"],
            language=data.get("language", language),
            pending=tuple(data.get("pending", ())),
            story=tuple(data.get("story", ())),
            turn=int(data.get("turn", 0)),
            extra=dict(data.get("extra", {})),
        )

    def next_turn(self, **changes: Any) -> DialogueState:
        return replace(self, turn=self.turn + 1, **changes)
