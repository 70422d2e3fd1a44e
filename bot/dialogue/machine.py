"""The conversation as a pure transition table: `step(state, event, now) -> (state, actions)`.

listen → acknowledge → question (one at a time, only what is missing) → summarise and
confirm → agree → hand off → close warmly. Emergencies, disputes, nuisance, repair requests,
questions and compliments take their own short routes. No I/O: understanding a message is a
pure function passed in, time comes in with each event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.dialogue.acknowledgement import acknowledgement
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
from bot.dialogue.answers import beyond_yes_no, email_in, read_answer
from bot.dialogue.events import (
    ChoicePressed,
    CustomerMessage,
    Event,
    HandlerAction,
    PauseElapsed,
    TimerDue,
)
from bot.dialogue.reading import Reader, Understander
from bot.dialogue.recap import recap
from bot.dialogue.slots import facts_from, next_question
from bot.dialogue.state import STEPS, DialogueState, Step
from bot.nlu import Language, Understanding
from bot.policy.deadlines import Deadlines

Outcome = tuple[DialogueState, list[Action]]
YES_NO = ("yes", "no")
MAX_CORRECTIONS = 2
ROUTES = {
    "dispute": "route_dispute",
    "nuisance": "route_nuisance",
    "repair_request": "route_repair_request",
    "question": "route_question",
}


@dataclass(frozen=True)
class Policy:
    pause: timedelta = timedelta(seconds=20)
    # A customer who stops answering still gets a person: hand off with what is known.
    silence: timedelta = timedelta(hours=12)
    receipt_interval: timedelta = timedelta(hours=4)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    # When a person will act: office hours, holidays and the policy per intent/category.
    deadlines: Deadlines = field(default_factory=Deadlines)


def _answer_text(event: Event) -> str:
    """A pressed button and a typed answer are read the same way."""
    if isinstance(event, ChoicePressed):
        return event.choice
    return event.text if isinstance(event, CustomerMessage) else ""


class UnknownTransition(Exception):
    def __init__(self, state: DialogueState, event: Event) -> None:
        super().__init__(f"no transition for {type(event).__name__} in step {state.step!r}")


Transition = Callable[[DialogueState, Any, datetime], Outcome]


class Dialogue:
    def __init__(self, policy: Policy, understand: Understander, *, remember: int = 8) -> None:
        self._policy = policy
        # Reading is pure, so a message read by `step` and again by its transition costs once;
        # `remember` is how many readings are kept for that (0 reads every time).
        self._understand = Reader(understand, size=remember)
        self._table: dict[tuple[Step, type], Transition] = {}
        for step in STEPS:
            self._on(step, HandlerAction, self._handler_action)
            self._on(step, PauseElapsed, self._nothing)
            self._on(step, ChoicePressed, self._nothing)
            self._on(step, TimerDue, self._went_quiet)
            self._on(step, CustomerMessage, self._addition)
        self._on("listening", CustomerMessage, self._collect)
        self._on("listening", PauseElapsed, self._story_told)
        self._on("listening", TimerDue, self._story_told)
        self._on("questioning", CustomerMessage, self._answer)
        self._on("confirming", CustomerMessage, self._confirm)
        self._on("confirming", ChoicePressed, self._confirm)
        self._on("correcting", CustomerMessage, self._correct)
        self._on("consent", CustomerMessage, self._consent)
        self._on("consent", ChoicePressed, self._consent)
        self._on("asking_email", CustomerMessage, self._email_given)
        for step in ("handed_off", "closed"):
            self._on(step, TimerDue, self._nothing)

    def _on(self, step: Step, event: type, transition: Transition) -> None:
        self._table[(step, event)] = transition

    def step(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        try:
            transition = self._table[(state.step, type(event))]
        except KeyError:
            raise UnknownTransition(state, event) from None
        if isinstance(event, CustomerMessage):
            heard = self._read(state, event.text, now)
            # Every word the customer says is kept in the story, whatever the step.
            state = replace(state, language=heard.language, story=(*state.story, event.text))
            if heard.intent == "emergency":
                return self._emergency(state, event, heard, now)
        return transition(state, event, now)

    # -- helpers -------------------------------------------------------------------------

    def _read(self, state: DialogueState, text: str, now: datetime) -> Understanding:
        previous: Language = "en" if state.language == "en" else "nl"
        return self._understand(
            text, today=now.astimezone(self._policy.tz).date(), previous_language=previous
        )

    def _wait_for_answer(self, now: datetime) -> WakeAt:
        return WakeAt(now + self._policy.silence)

    # -- listen and acknowledge ------------------------------------------------------------

    def _collect(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        state = state.next_turn(pending=(*state.pending, event.message_id))
        if state.channel == "email":
            return self._story_told(state, event, now)  # a mail is a whole story
        return state, [WakeAt(now + self._policy.pause)]

    def _story_told(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        if not state.pending:
            return state, []
        heard = self._read(state, "\n".join(state.story), now)
        state = state.next_turn(
            pending=(),
            language=heard.language,
            intent=heard.intent,
            category=heard.category or ("other" if heard.intent == "other" else None),
            explicit=heard.explicit,
            anger=max(state.anger, heard.anger),
            key_sentences=heard.key_sentences,
            facts={**facts_from(heard.slots), **state.facts},
        )
        actions: list[Action] = [
            Classify(state.language, heard.intent, state.category, heard.explicit, state.anger),
            MarkAcknowledged(),
        ]
        if heard.intent == "compliment":
            actions += [Reply("compliment"), CloseCase("compliment")]
            return replace(state, step="closed"), actions
        if heard.intent in ROUTES:
            actions += [Reply(ROUTES[heard.intent]), HandOff(reason=heard.intent)]
            return replace(state, step="handed_off"), actions
        # A complaint, or something we cannot place: better a full intake than a missed one.
        actions.append(Reply("acknowledge", acknowledgement(heard, state.story)))
        return self._ask_next(state, now, actions)

    # -- question ------------------------------------------------------------------------

    def _ask_next(self, state: DialogueState, now: datetime, actions: list[Action]) -> Outcome:
        slot = next_question(
            category=state.category,
            channel=state.channel,
            known={**state.facts, **dict.fromkeys(state.unknown, "")},
            asked=state.asked,
        )
        if slot is None:
            return self._summarise(state, now, actions)
        actions += [Reply("question", {"slot": slot}), self._wait_for_answer(now)]
        return (
            replace(state, step="questioning", current_question=slot, asked=(*state.asked, slot)),
            actions,
        )

    def _answer(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        slot = state.current_question
        heard = self._read(state, event.text, now)
        found = facts_from(heard.slots)
        facts = {**found, **state.facts}
        unknown = state.unknown
        if slot is not None:
            if read_answer(event.text) == "unknown":
                unknown = (*unknown, slot)
            elif slot not in found:
                facts[slot] = event.text.strip()[:300]
            else:
                facts[slot] = found[slot]
        state = state.next_turn(
            facts=facts,
            unknown=unknown,
            current_question=None,
            email=state.email or email_in(event.text),
            anger=max(state.anger, heard.anger),
        )
        return self._ask_next(state, now, [])

    # -- summarise and confirm ------------------------------------------------------------

    def _summarise(self, state: DialogueState, now: datetime, actions: list[Action]) -> Outcome:
        actions += [Reply("summary", recap(state), choices=YES_NO), self._wait_for_answer(now)]
        return replace(state, step="confirming"), actions

    def _confirm(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        text = _answer_text(event)
        answer = read_answer(text)
        if answer == "yes":
            return self._agree(state.next_turn(), now)
        correction = beyond_yes_no(text) if answer == "no" else text
        if len(correction.split()) >= 2:
            return self._apply_correction(state, correction, now)
        return state.next_turn(step="correcting"), [
            Reply("ask_correction"),
            self._wait_for_answer(now),
        ]

    def _correct(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        return self._apply_correction(state, event.text, now)

    def _apply_correction(self, state: DialogueState, text: str, now: datetime) -> Outcome:
        heard = self._read(state, text, now)
        state = state.next_turn(
            facts={**state.facts, **facts_from(heard.slots)},
            corrections=(*state.corrections, text),
        )
        if len(state.corrections) > MAX_CORRECTIONS:
            return self._agree(state, now)  # the handler reads every correction
        return self._summarise(state, now, [])

    # -- agree, hand off, close ------------------------------------------------------------

    def _agree(self, state: DialogueState, now: datetime) -> Outcome:
        deadlines = self._policy.deadlines
        due = deadlines.first_contact_due(now, intent=state.intent, category=state.category)
        resolve_by = deadlines.resolution_due(now, intent=state.intent, category=state.category)
        offer_email = state.channel != "email"
        state = replace(state, promise_at=due.isoformat())
        actions: list[Action] = [
            Reply(
                "agreement",
                {"promise_at": due, "channel": state.channel, "offer_email": offer_email},
                choices=YES_NO if offer_email else (),
            ),
            HandOff(promise_at=due, resolve_by=resolve_by),
        ]
        if offer_email:
            return replace(state, step="consent"), [*actions, self._wait_for_answer(now)]
        return self._close_conversation(replace(state, consent_email=True), actions)

    def _consent(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        text = _answer_text(event)
        address = email_in(text) or state.email
        answer = read_answer(text)
        if answer == "yes" and address is None:
            return state.next_turn(step="asking_email"), [
                Reply("ask_email"),
                self._wait_for_answer(now),
            ]
        actions: list[Action] = []
        if (
            answer not in ("yes", "no")
            and isinstance(event, CustomerMessage)
            and not email_in(text)
        ):
            actions.append(NotifyHandler(event.message_id))  # not an answer: something to add
        consent = answer == "yes" or email_in(text) is not None
        return self._close_conversation(
            state.next_turn(consent_email=consent, email=address), actions
        )

    def _email_given(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        address = email_in(event.text)
        actions: list[Action] = [] if address else [NotifyHandler(event.message_id)]
        return self._close_conversation(
            state.next_turn(consent_email=address is not None, email=address), actions
        )

    def _close_conversation(self, state: DialogueState, actions: list[Action]) -> Outcome:
        actions.append(Reply("closing", {"consent_email": bool(state.consent_email)}))
        actions.append(SendConfirmation())
        return replace(state, step="handed_off"), actions

    # -- after the handoff, and routes that skip the intake ---------------------------------

    def _addition(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        actions: list[Action] = [NotifyHandler(event.message_id)]
        last = datetime.fromisoformat(state.last_receipt_at) if state.last_receipt_at else None
        receipt_due = last is None or now - last >= self._policy.receipt_interval
        if receipt_due:
            actions.append(Reply("receipt_after_handoff"))
        return (
            state.next_turn(
                last_receipt_at=now.isoformat() if receipt_due else state.last_receipt_at,
            ),
            actions,
        )

    def _emergency(
        self, state: DialogueState, event: CustomerMessage, heard: Understanding, now: datetime
    ) -> Outcome:
        state = state.next_turn(
            step="handed_off",
            pending=(),
            intent="emergency",
            anger=max(state.anger, heard.anger),
            key_sentences=heard.key_sentences or (event.text,),
        )
        return state, [
            # The instruction fits the danger: gas advice for gas, not for a flooding.
            Reply("emergency", {"emergency_kind": heard.emergency_kind}),
            Classify(state.language, "emergency", None, None, state.anger),
            MarkAcknowledged(),
            HandOff(
                urgent=True,
                reason="emergency",
                promise_at=self._policy.deadlines.first_contact_due(
                    now, intent="emergency", category=None
                ),
                resolve_by=self._policy.deadlines.resolution_due(
                    now, intent="emergency", category=None
                ),
            ),
        ]

    def _went_quiet(self, state: DialogueState, event: TimerDue, now: datetime) -> Outcome:
        return state.next_turn(step="handed_off", current_question=None), [
            HandOff(reason="customer went quiet")
        ]

    def _handler_action(self, state: DialogueState, event: HandlerAction, now: datetime) -> Outcome:
        if event.action in ("resolve", "close"):
            return state.next_turn(step="closed"), [CloseCase(event.action)]
        if event.action == "reopen":
            return state.next_turn(step="handed_off"), []
        raise UnknownTransition(state, event)

    def _nothing(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        return state, []
