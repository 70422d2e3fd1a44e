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
from bot.dialogue.answers import (
    QuestionBack,
    beyond_yes_no,
    email_in,
    language_asked,
    question_kind,
    questions_in,
    read_answer,
    route_named,
    split_correction,
    wants_person,
    without_old_values,
)
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
from bot.dialogue.slots import (
    ANSWERED_BY,
    DEFAULT_REQUIRE,
    FREE_TEXT,
    ONE_OFF_CATEGORIES,
    facts_from,
    next_question,
    outcome_in,
    reference_in,
    who_in,
)
from bot.dialogue.state import STEPS, DialogueState, Step
from bot.nlu import Language, Understanding
from bot.nlu.lexicon import EXPLICIT
from bot.nlu.normalize import fold
from bot.policy.deadlines import Deadlines

Outcome = tuple[DialogueState, list[Action]]
YES_NO = ("yes", "no")
MAX_CORRECTIONS = 2
# At most this many questions asked back are answered in one reply; the rest the handler reads.
MAX_ANSWERS = 2
ROUTES = {
    "dispute": "route_dispute",
    "nuisance": "route_nuisance",
    "repair_request": "route_repair_request",
    "question": "route_question",
}
# Routes a story may be confused with a complaint in: then the customer chooses.
CHOOSABLE = ("repair_request", "question")
# Facts that name a person, a place or a reference: never part of a wish typed as written.
IDENTIFYING = (
    "order_number",
    "invoice_number",
    "customer_number",
    "name",
    "address",
    "postcode",
    "phone",
    "email",
)
# Facts the customer keeps in the story, however many: the dates of a long mail.
MAX_DATES = 3


@dataclass(frozen=True)
class Policy:
    pause: timedelta = timedelta(seconds=20)
    # A customer who stops answering still gets a person: hand off with what is known.
    silence: timedelta = timedelta(hours=12)
    receipt_interval: timedelta = timedelta(hours=4)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    # When a person will act: office hours, holidays and the policy per intent/category.
    deadlines: Deadlines = field(default_factory=Deadlines)
    # Whether a written confirmation by email can be offered (email is set up).
    email_confirmation: bool = True
    # The registration the organisation requires: fact kinds, "contact" for a phone or email.
    require: tuple[str, ...] = DEFAULT_REQUIRE


def _answer_text(event: Event) -> str:
    """A pressed button and a typed answer are read the same way."""
    if isinstance(event, ChoicePressed):
        return event.choice
    return event.text if isinstance(event, CustomerMessage) else ""


class UnknownTransition(Exception):
    def __init__(self, state: DialogueState, event: Event) -> None:
        super().__init__(f"no transition for {type(event).__name__} in step {state.step!r}")


Transition = Callable[[DialogueState, Any, datetime], Outcome]
EVENT_TYPES: tuple[type, ...] = (
    CustomerMessage,
    PauseElapsed,
    TimerDue,
    ChoicePressed,
    HandlerAction,
)


@dataclass(frozen=True)
class Heard:
    """One customer message read during the intake, sorted by what it does."""

    answer: str  # the message without a correction sent along with it
    facts: dict[str, str]  # every fact in the answer, under its own kind
    questions: tuple[str, ...]  # questions asked back, verbatim
    corrected: dict[str, str]  # facts the correction names, with their new values
    correction: str  # the correction as typed ("" for none)
    dont_know: bool


class Dialogue:
    def __init__(self, policy: Policy, understand: Understander, *, remember: int = 8) -> None:
        self._policy = policy
        # Reading is pure, so a message read by `step` and again by its transition costs once;
        # `remember` is how many readings are kept for that (0 reads every time).
        self._understand = Reader(understand, size=remember)
        # Every (step, event) pair, written out: a hole is a bug, found by `step` raising. A
        # timer is the end of a burst while listening, the customer's silence while the intake
        # waits for an answer (hand off once, with a closing), and nothing after the handoff.
        m, p, t, c, h = EVENT_TYPES
        table: dict[tuple[Step, type], Transition] = {
            ("listening", m): self._collect,
            ("listening", p): self._story_told,
            ("listening", t): self._story_told,
            ("listening", c): self._nothing,  # a button from an earlier case
            ("listening", h): self._handler_action,
            ("choosing", m): self._choose,
            ("choosing", p): self._nothing,
            ("choosing", t): self._went_quiet,
            ("choosing", c): self._choose,
            ("choosing", h): self._handler_action,
            ("questioning", m): self._answer,
            ("questioning", p): self._nothing,
            ("questioning", t): self._went_quiet,
            ("questioning", c): self._nothing,  # no buttons with a question
            ("questioning", h): self._handler_action,
            ("confirming", m): self._confirm,
            ("confirming", p): self._nothing,
            ("confirming", t): self._went_quiet,
            ("confirming", c): self._confirm,
            ("confirming", h): self._handler_action,
            ("correcting", m): self._correct,
            ("correcting", p): self._nothing,
            ("correcting", t): self._went_quiet,
            ("correcting", c): self._nothing,
            ("correcting", h): self._handler_action,
            # Handed off already at the agreement: silence only closes the conversation.
            ("consent", m): self._consent,
            ("consent", p): self._nothing,
            ("consent", t): self._close_unanswered,
            ("consent", c): self._consent,
            ("consent", h): self._handler_action,
            ("asking_email", m): self._email_given,
            ("asking_email", p): self._nothing,
            ("asking_email", t): self._close_unanswered,
            ("asking_email", c): self._nothing,
            ("asking_email", h): self._handler_action,
            ("handed_off", m): self._addition,
            ("handed_off", p): self._nothing,
            ("handed_off", t): self._nothing,
            ("handed_off", c): self._nothing,
            ("handed_off", h): self._handler_action,
            ("closed", m): self._addition,
            ("closed", p): self._nothing,
            ("closed", t): self._nothing,
            ("closed", c): self._nothing,
            ("closed", h): self._handler_action,
        }
        missing = {(s, e) for s in STEPS for e in EVENT_TYPES} - set(table)
        assert not missing, f"transitions not written out: {sorted(map(str, missing))}"
        self._table = table

    def step(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        try:
            transition = self._table[(state.step, type(event))]
        except KeyError:
            raise UnknownTransition(state, event) from None
        if isinstance(event, CustomerMessage):
            heard = self._read(state, event.text, now)
            # Every word the customer says is kept in the story, whatever the step. A request
            # to switch language switches it, whatever the text's own words look like.
            language = language_asked(event.text) or heard.language
            state = replace(state, language=language, story=(*state.story, event.text))
            if heard.danger:
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

    def _first_contact(self, state: DialogueState, now: datetime) -> datetime:
        return self._policy.deadlines.first_contact_due(
            now, intent=state.intent, category=state.category
        )

    def _reach(self, state: DialogueState) -> dict[str, str | None]:
        """How the person will reach the customer: a phone number given means a call."""
        if state.facts.get("phone"):
            return {"reach": "phone", "reach_to": state.facts["phone"]}
        if state.channel_reaches_customer:
            return {"reach": "channel", "reach_to": None}
        if state.facts.get("email"):
            return {"reach": "email", "reach_to": state.facts["email"]}
        return {"reach": "conversation", "reach_to": None}

    # -- listen and acknowledge ------------------------------------------------------------

    def _collect(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        state = state.next_turn(pending=(*state.pending, event.message_id))
        if state.whole_story:
            return self._story_told(state, event, now)  # a mail is a whole story
        return state, [WakeAt(now + self._policy.pause)]

    def _story_told(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        if not state.pending:
            return state, []
        story = "\n".join(state.story)
        heard = self._read(state, story, now)
        # A language asked for is the conversation's, whatever most of the words are.
        heard = replace(heard, language=language_asked(story) or heard.language)
        facts = {**self._story_facts(state, story, heard, now), **state.facts}
        state = state.next_turn(
            pending=(),
            language=heard.language,
            intent=heard.intent,
            category=heard.category or ("other" if heard.intent == "other" else None),
            explicit=heard.explicit,
            anger=max(state.anger, heard.anger),
            key_sentences=heard.key_sentences,
            facts=facts,
            customer_questions=(*state.customer_questions, *questions_in(story)),
        )
        actions: list[Action] = [MarkAcknowledged()]
        if heard.intent == "compliment":
            actions += [Reply("compliment"), CloseCase("compliment")]
            return self._classified(replace(state, step="closed"), actions)
        if heard.intent in CHOOSABLE and EXPLICIT.search(fold(story)):
            # A repair or a question told with dissatisfaction: let the customer say which.
            choices = (heard.intent, "complaint")
            actions += [Reply("route_choice", {"routes": list(choices)}, choices=choices)]
            return self._classified(
                replace(state, step="choosing", route_choices=choices),
                [*actions, self._wait_for_answer(now)],
            )
        if wants_person(story) and heard.intent not in ROUTES:
            # Asked for a person straight away: hear them, then a person, no questions.
            state = replace(state, intent="complaint", category=state.category or "other")
            state, actions = self._classified(
                state, [*actions, self._acknowledgement(state, heard)]
            )
            return self._agree(state, now, actions, requested=True)
        return self._route(state, heard, now, actions)

    def _acknowledgement(self, state: DialogueState, heard: Understanding) -> Reply:
        # The route taken may be one the customer chose (a complaint, not a repair).
        heard = replace(heard, intent=state.intent or heard.intent)  # type: ignore[arg-type]
        return Reply("acknowledge", acknowledgement(heard, state.story, state.facts.get("outcome")))

    def _classified(self, state: DialogueState, actions: list[Action]) -> Outcome:
        classify = Classify(
            state.language, state.intent or "other", state.category, state.explicit, state.anger
        )
        return state, [classify, *actions]

    def _story_facts(
        self, state: DialogueState, story: str, heard: Understanding, now: datetime
    ) -> dict[str, str]:
        facts = facts_from(heard.slots)
        if len(heard.slots.dates) > 1 and heard.key_sentences:
            # Of several dates, the one in the sentence that carries the complaint.
            key_dates = self._read(state, heard.key_sentences[0], now).slots.dates
            facts["when"] = key_dates[0] if key_dates else ", ".join(heard.slots.dates[:MAX_DATES])
        who = who_in(story)
        if who:
            facts["who"] = who
        wish = outcome_in(story)
        if wish:
            facts["outcome"] = wish
        return facts

    def _route(
        self, state: DialogueState, heard: Understanding, now: datetime, actions: list[Action]
    ) -> Outcome:
        intent = state.intent
        if intent in ROUTES:
            due = self._first_contact(state, now)
            state = replace(state, step="handed_off", promise_at=due.isoformat())
            actions += [
                Reply(ROUTES[intent], {"promise_at": due, **self._reach(state)}),
                HandOff(
                    reason=intent or "route",
                    promise_at=due,
                    resolve_by=self._policy.deadlines.resolution_due(
                        now, intent=intent, category=state.category
                    ),
                ),
            ]
            return self._classified(state, actions)
        # A complaint, or something we cannot place: better a full intake than a missed one,
        # and the case is then a complaint.
        state = replace(state, intent="complaint", category=state.category or "other")
        state, actions = self._classified(state, [*actions, self._acknowledgement(state, heard)])
        kinds = list(dict.fromkeys(question_kind(q) for q in state.customer_questions))
        actions += self._answers(state, kinds, now)
        return self._ask_next(state, now, actions)

    def _choose(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        text = _answer_text(event)
        chosen = next((r for r in state.route_choices if r == text), None)
        if chosen is None and isinstance(event, CustomerMessage):
            if wants_person(text):
                return self._agree(state.next_turn(route_choices=()), now, requested=True)
            chosen = route_named(text, state.route_choices)
        # Unsure: a full intake misses nothing.
        state = state.next_turn(intent=chosen or "complaint", route_choices=())
        if state.intent == "complaint" and state.category is None:
            state = replace(state, category="other")
        return self._route(state, self._read(state, "\n".join(state.story), now), now, [])

    # -- question ------------------------------------------------------------------------

    def _ask_next(self, state: DialogueState, now: datetime, actions: list[Action]) -> Outcome:
        slot = next_question(
            category=state.category,
            require=self._policy.require,
            facts=state.facts,
            settled=state.unknown,
            asked=state.asked,
            reaches_customer=state.channel_reaches_customer,
        )
        if slot is None:
            return self._summarise(state, now, actions)
        actions += [Reply("question", self._question(state, slot)), self._wait_for_answer(now)]
        return (
            replace(state, step="questioning", current_question=slot, asked=(*state.asked, slot)),
            actions,
        )

    def _question(self, state: DialogueState, slot: str, *, short: bool = False) -> dict[str, Any]:
        return {
            "slot": slot,
            "short": short,
            "one_off": state.category in ONE_OFF_CATEGORIES,
        }

    def _hear(self, state: DialogueState, text: str, now: datetime) -> Heard:
        answer, correction = split_correction(text)
        facts = self._facts_in(state, answer, now) if answer else {}
        old_left_out = without_old_values(correction)
        corrected = self._facts_in(state, old_left_out, now) if old_left_out else {}
        questions = tuple(questions_in(text))
        return Heard(
            answer, facts, questions, corrected, correction, read_answer(answer) == "unknown"
        )

    def _facts_in(self, state: DialogueState, text: str, now: datetime) -> dict[str, str]:
        facts = facts_from(self._read(state, text, now).slots)
        wish = None if "?" in text else outcome_in(text)
        if wish:
            facts["outcome"] = wish
        return facts

    def _answer(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        slot = state.current_question
        text = event.text
        anger = max(state.anger, self._read(state, text, now).anger)
        state = state.next_turn(anger=anger)
        if language_asked(text):
            # Not an answer: the same question again, now in the language asked for.
            assert slot is not None
            return state, [
                Reply("language_switched"),
                Reply("question", self._question(state, slot)),
                self._wait_for_answer(now),
            ]
        if wants_person(text):
            return self._agree(state, now, requested=True)
        heard = self._hear(state, text, now)
        found = dict(heard.facts)
        answered = slot is not None and any(
            k in found or k in heard.corrected for k in ANSWERED_BY.get(slot, (slot,))
        )
        if slot is not None and not answered and not heard.dont_know:
            value = self._typed_answer(slot, heard.answer, found, heard)
            if value is not None:
                # A wish or a person typed as written: the dates and things in it are its own.
                for kind in ("when", "product", "amount", "name"):
                    found.pop(kind, None)
                found[slot] = value
                answered = True
        state, actions = self._take_facts(state, found, heard, keep=slot)
        state, actions = self._answer_questions(state, heard, now, actions)
        if slot is None or answered:
            return self._ask_next(replace(state, current_question=None), now, actions)
        if heard.dont_know or slot in state.reasked:
            # Never a loop: the handler sees the fact as unknown.
            state = replace(state, current_question=None, unknown=(*state.unknown, slot))
            return self._ask_next(state, now, actions)
        actions += [
            Reply("question", self._question(state, slot, short=True)),
            self._wait_for_answer(now),
        ]
        return replace(state, reasked=(*state.reasked, slot)), actions

    def _typed_answer(
        self, slot: str, text: str, found: dict[str, str], heard: Heard
    ) -> str | None:
        """The answer as written, when it fits the question's kind and is nothing else."""
        if heard.questions or not text or any(kind in found for kind in IDENTIFYING):
            return None
        value = text.strip()[:300]
        has_digit = any(c.isdigit() for c in value)
        # A name has no digits and an address has its house number: "Dat er morgen iemand
        # komt", typed after "Wat is het adres?", is not an address.
        if (slot == "name" and has_digit) or (slot == "address" and not has_digit):
            return None
        if slot in FREE_TEXT and value:
            return value
        if slot in ("order_number", "invoice_number", "customer_number"):
            return reference_in(text)
        return None

    def _take_facts(
        self,
        state: DialogueState,
        found: dict[str, str],
        heard: Heard,
        *,
        keep: str | None,
    ) -> Outcome:
        """File each fact under its kind: new ones fill the gaps (and are confirmed where they
        were not asked for), the asked one is taken, a correction overwrites and says so."""
        facts = dict(state.facts)
        noted: dict[str, str] = {}
        changed: dict[str, str] = {}
        for kind, value in found.items():
            if not facts.get(kind):
                if kind != keep and kind not in ANSWERED_BY.get(keep or "", ()):
                    noted[kind] = value
                facts[kind] = value
            elif kind == keep:
                facts[kind] = value
        for kind, value in heard.corrected.items():
            if facts.get(kind) != value:
                facts[kind] = value
                changed[kind] = value
                noted.pop(kind, None)
        actions: list[Action] = []
        state = replace(state, facts=facts)
        if heard.correction:
            state = replace(
                state,
                corrections=(*state.corrections, heard.correction),
                changed=(*state.changed, *(k for k in changed if k not in state.changed)),
            )
        if changed:
            actions.append(Reply("changed", {"facts": _listed(changed)}))
        if noted:
            actions.append(Reply("noted", {"facts": _listed(noted)}))
        return state, actions

    def _answer_questions(
        self, state: DialogueState, heard: Heard, now: datetime, actions: list[Action]
    ) -> Outcome:
        """Questions asked back, answered from what the bot knows: the promise it is about to
        make, who will take the case, why it asks. The handler reads them all."""
        if not heard.questions:
            return state, actions
        state = replace(state, customer_questions=(*state.customer_questions, *heard.questions))
        kinds = list(dict.fromkeys(question_kind(q) for q in heard.questions))
        return state, [*actions, *self._answers(state, kinds, now)]

    def _answers(
        self, state: DialogueState, kinds: list[QuestionBack], now: datetime
    ) -> list[Action]:
        due = self._first_contact(state, now)
        return [
            Reply(
                "answer_question",
                {
                    "about": kind,
                    "promise_at": due,
                    "asking": state.current_question,
                    **self._reach(state),
                },
            )
            for kind in kinds[:MAX_ANSWERS]
        ]

    # -- summarise and confirm ------------------------------------------------------------

    def _summarise(self, state: DialogueState, now: datetime, actions: list[Action]) -> Outcome:
        actions += [Reply("summary", recap(state), choices=YES_NO), self._wait_for_answer(now)]
        return replace(state, step="confirming", current_question=None), actions

    def _intake_aside(self, state: DialogueState, text: str, now: datetime) -> Outcome | None:
        """What any intake step does with a request for a person or another language."""
        if wants_person(text):
            return self._agree(state.next_turn(), now, requested=True)
        if language_asked(text):
            return self._summarise(state.next_turn(), now, [Reply("language_switched")])
        return None

    def _confirm(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        text = _answer_text(event)
        aside = self._intake_aside(state, text, now)
        if aside is not None:
            return aside
        answer = read_answer(text)
        if answer == "yes" and not (isinstance(event, CustomerMessage) and "?" in text):
            return self._agree(state.next_turn(), now)
        correction = beyond_yes_no(text) if answer == "no" else text
        if len(correction.split()) >= 2 or "?" in correction:
            return self._apply_correction(state, correction, now)
        return state.next_turn(step="correcting"), [
            Reply("ask_correction"),
            self._wait_for_answer(now),
        ]

    def _correct(self, state: DialogueState, event: CustomerMessage, now: datetime) -> Outcome:
        aside = self._intake_aside(state, event.text, now)
        if aside is not None:
            return aside
        return self._apply_correction(state, event.text, now)

    def _apply_correction(self, state: DialogueState, text: str, now: datetime) -> Outcome:
        """After the summary every fact named is the customer's correction of it."""
        heard = self._hear(state, text, now)
        if heard.questions and not (heard.facts or heard.corrected):
            state, actions = self._answer_questions(state.next_turn(), heard, now, [])
            return self._summarise(state, now, actions)
        heard = replace(
            heard, corrected={**heard.facts, **heard.corrected}, correction=text, facts={}
        )
        state, actions = self._take_facts(state.next_turn(), {}, heard, keep=None)
        state, actions = self._answer_questions(state, heard, now, actions)
        if len(state.corrections) > MAX_CORRECTIONS:
            return self._agree(state, now, actions)  # the handler reads every correction
        return self._summarise(state, now, actions)

    # -- agree, hand off, close ------------------------------------------------------------

    def _agree(
        self,
        state: DialogueState,
        now: datetime,
        actions: list[Action] | None = None,
        *,
        requested: bool = False,
        quiet: bool = False,
    ) -> Outcome:
        deadlines = self._policy.deadlines
        due = self._first_contact(state, now)
        resolve_by = deadlines.resolution_due(now, intent=state.intent, category=state.category)
        email = state.email or state.facts.get("email")
        offer_email = (
            self._policy.email_confirmation
            and not state.channel_reaches_customer
            and not quiet
            and email is None
        )
        state = replace(state, promise_at=due.isoformat(), current_question=None, email=email)
        if email is not None and self._policy.email_confirmation and not quiet:
            state = replace(state, consent_email=True)  # they gave it: no need to ask again
        actions = [
            *(actions or []),
            Reply(
                "agreement",
                {
                    "promise_at": due,
                    "offer_email": offer_email,
                    "requested": requested,
                    "email": state.email if state.consent_email else None,
                    **self._reach(state),
                },
                choices=YES_NO if offer_email else (),
            ),
            HandOff(
                promise_at=due,
                resolve_by=resolve_by,
                reason="customer went quiet"
                if quiet
                else "customer asked for a person"
                if requested
                else "intake complete",
            ),
        ]
        if offer_email:
            return replace(state, step="consent"), [*actions, self._wait_for_answer(now)]
        return self._close_conversation(state, actions)

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

    def _close_unanswered(self, state: DialogueState, event: TimerDue, now: datetime) -> Outcome:
        """No answer to the email offer: the case is handed off already; close, in the chat."""
        return self._close_conversation(state.next_turn(), [])

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
        actions: list[Action] = []
        if state.step not in ("handed_off", "closed") or state.intent != "emergency":
            actions.append(
                HandOff(
                    urgent=True,
                    reason="emergency",
                    promise_at=self._policy.deadlines.first_contact_due(
                        now, intent="emergency", category=None
                    ),
                    resolve_by=self._policy.deadlines.resolution_due(
                        now, intent="emergency", category=None
                    ),
                )
            )
        # The conversation takes the emergency route; a complaint that reports the danger is
        # still registered as the complaint it is, so that reports count it.
        complaint = heard.intent == "complaint"
        state = state.next_turn(
            step="handed_off",
            pending=(),
            intent="emergency",
            anger=max(state.anger, heard.anger),
            key_sentences=heard.key_sentences or (event.text,),
            facts={**facts_from(heard.slots), **state.facts},
        )
        return state, [
            # The instruction fits the danger: gas advice for gas, not for a flooding.
            Reply("emergency", {"emergency_kind": heard.emergency_kind}),
            Classify(
                state.language,
                "complaint" if complaint else "emergency",
                heard.category if complaint else None,
                heard.explicit if complaint else None,
                state.anger,
            ),
            MarkAcknowledged(),
            *actions,
        ]

    def _went_quiet(self, state: DialogueState, event: TimerDue, now: datetime) -> Outcome:
        """Silence mid-intake: a person takes it with what is known, once, and the customer
        reads what was agreed when they come back."""
        if state.intent is None:
            state = replace(state, intent="complaint", category=state.category or "other")
        unknown = state.current_question
        if unknown is not None and unknown not in state.unknown:
            state = replace(state, unknown=(*state.unknown, unknown))
        return self._agree(state.next_turn(), now, quiet=True)

    def _handler_action(self, state: DialogueState, event: HandlerAction, now: datetime) -> Outcome:
        if event.action in ("resolve", "close"):
            return state.next_turn(step="closed"), [CloseCase(event.action)]
        if event.action == "reopen":
            return state.next_turn(step="handed_off"), []
        raise UnknownTransition(state, event)

    def _nothing(self, state: DialogueState, event: Event, now: datetime) -> Outcome:
        return state, []


def _listed(facts: dict[str, str]) -> list[dict[str, str]]:
    return [{"slot": kind, "value": value} for kind, value in facts.items()]
