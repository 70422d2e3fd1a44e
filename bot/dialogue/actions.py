"""What the dialogue asks the wiring to do. Plain commands; the caller does the I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Reply:
    """Send the customer the message template `template` rendered with `context`."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class WakeAt:
    """Feed the dialogue a TimerDue at `at` unless something else happens first."""

    at: datetime


@dataclass(frozen=True)
class MarkAcknowledged:
    """The customer has been told we heard them; stamps the case."""


@dataclass(frozen=True)
class Classify:
    """What the story turned out to be; stored on the case."""

    language: str
    intent: str
    category: str | None
    explicit: bool | None
    anger: int


@dataclass(frozen=True)
class HandOff:
    """Give the case to a person: assign, store the summary, tell them."""

    urgent: bool = False
    promise_at: datetime | None = None  # first human contact
    resolve_by: datetime | None = None
    reason: str = "intake complete"


@dataclass(frozen=True)
class NotifyHandler:
    """The customer added something to a case a person already has."""

    message_id: int


@dataclass(frozen=True)
class SendConfirmation:
    """The agreement is complete (consent to email known): confirm it in writing."""


@dataclass(frozen=True)
class CloseCase:
    reason: str


Action = (
    Reply
    | WakeAt
    | MarkAcknowledged
    | Classify
    | HandOff
    | NotifyHandler
    | SendConfirmation
    | CloseCase
)
