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
    """Feed the dialogue a PauseElapsed at `at` unless something else happens first."""

    at: datetime


@dataclass(frozen=True)
class MarkAcknowledged:
    """The customer has been told we heard them; stamps the case."""


Action = Reply | WakeAt | MarkAcknowledged
