"""What can happen to a conversation. Frozen data, produced by the wiring."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerMessage:
    message_id: int
    text: str


@dataclass(frozen=True)
class PauseElapsed:
    """The channel says the customer stopped typing (the console's `~pause`, an empty line)."""


@dataclass(frozen=True)
class TimerDue:
    """The time the dialogue asked to be woken at has come (end of a burst, long silence)."""


@dataclass(frozen=True)
class ChoicePressed:
    """The customer pressed a button; `choice` is one of the choices the bot offered."""

    choice: str


@dataclass(frozen=True)
class HandlerAction:
    """A handler did something to the case: "resolve", "close" or "reopen"."""

    action: str


Event = CustomerMessage | PauseElapsed | TimerDue | ChoicePressed | HandlerAction
