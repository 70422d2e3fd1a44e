"""The conversation core. Pure: no I/O, no clock, no database."""

from bot.dialogue.actions import (
    Action,
    Classify,
    CloseCase,
    HandOff,
    MarkAcknowledged,
    NotifyHandler,
    Reply,
    SendConfirmation,
    WakeAt,
)
from bot.dialogue.events import (
    ChoicePressed,
    CustomerMessage,
    Event,
    HandlerAction,
    PauseElapsed,
    TimerDue,
)
from bot.dialogue.machine import Dialogue, Policy, UnknownTransition
from bot.dialogue.state import STEPS, DialogueState

__all__ = [
    "STEPS",
    "Action",
    "ChoicePressed",
    "Classify",
    "CloseCase",
    "CustomerMessage",
    "Dialogue",
    "DialogueState",
    "Event",
    "HandOff",
    "HandlerAction",
    "MarkAcknowledged",
    "NotifyHandler",
    "PauseElapsed",
    "Policy",
    "Reply",
    "SendConfirmation",
    "TimerDue",
    "UnknownTransition",
    "WakeAt",
]
