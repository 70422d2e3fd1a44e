"""The conversation core. Pure: no I/O, no clock, no database."""

from bot.dialogue.actions import Action, MarkAcknowledged, Reply, WakeAt
from bot.dialogue.events import CustomerMessage, Event, PauseElapsed
from bot.dialogue.machine import Dialogue, UnknownTransition
from bot.dialogue.state import DialogueState

__all__ = [
    "Action",
    "CustomerMessage",
    "Dialogue",
    "DialogueState",
    "Event",
    "MarkAcknowledged",
    "PauseElapsed",
    "Reply",
    "UnknownTransition",
    "WakeAt",
]
