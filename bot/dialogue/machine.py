"""The conversation as a pure transition table: `step(state, event, now) -> (state, actions)`.

This is the foundation's placeholder: it listens to a burst, acknowledges it once, and
acknowledges later additions. The full intake (question, agree, hand off) replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.dialogue.actions import Action, MarkAcknowledged, Reply, WakeAt
from bot.dialogue.events import CustomerMessage, Event, PauseElapsed
from bot.dialogue.state import DialogueState, Step

Outcome = tuple[DialogueState, list[Action]]


class UnknownTransition(Exception):
    def __init__(self, state: DialogueState, event: Event) -> None:
        super().__init__(f"no transition for {type(event).__name__} in step {state.step!r}")


class Dialogue:
    def __init__(self, *, pause: timedelta) -> None:
        self._pause = pause
        self._table: dict[
            tuple[Step, type], Callable[[DialogueState, Event, datetime], Outcome]
        ] = {
            ("listening", CustomerMessage): self._collect,
            ("listening", PauseElapsed): self._acknowledge,
            ("acknowledged", CustomerMessage): self._collect_addition,
            ("acknowledged", PauseElapsed): self._nothing,
            ("adding", CustomerMessage): self._collect_addition,
            ("adding", PauseElapsed): self._receipt,
        }

    def step(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        try:
            transition = self._table[(state.step, type(event))]
        except KeyError:
            raise UnknownTransition(state, event) from None
        return transition(state, event, now)

    def _collect(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        assert isinstance(event, CustomerMessage)
        return (
            state.next_turn(
                pending=(*state.pending, event.message_id), story=(*state.story, event.text)
            ),
            [WakeAt(now + self._pause)],
        )

    def _collect_addition(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        collected, actions = self._collect(state, event, now)
        return replace(collected, step="adding"), actions

    def _acknowledge(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        if not state.pending:
            return state, []
        return (
            state.next_turn(step="acknowledged", pending=()),
            [Reply("acknowledge", {"story": list(state.story)}), MarkAcknowledged()],
        )

    def _receipt(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        if not state.pending:
            return state, []
        return state.next_turn(step="acknowledged", pending=()), [Reply("addition_received")]

    def _nothing(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        return state, []
