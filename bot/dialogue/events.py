"""What can happen to a conversation. Frozen data, produced by the wiring."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerMessage:
    message_id: int
    text: str


@dataclass(frozen=True)
class PauseElapsed:
    """The customer stopped typing (a timer ran out, or the channel said so)."""


Event = CustomerMessage | PauseElapsed
