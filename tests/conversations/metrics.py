"""What a conversation is measured on (issue 15): computed from the transcript and the stored
case only, so the same measure holds before and after the dialogue changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.conversations.personas import Persona
from tests.conversations.simulator import (
    ANSWER_TO,
    KIND_FACTS,
    SWITCH,
    Conversation,
    given_facts,
    question_kind,
    question_sentences,
    squash,
)

WEEKDAY_DATE = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)\s+\d{1,2}\s+\w+",
    re.IGNORECASE,
)
CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
PROMISE_ROUTES = ("complaint", "dispute")
# Facts a stored slot may hold; any other of the customer's facts in it is mis-slotted.
SLOT_HOLDS: dict[str, tuple[str, ...]] = {
    **KIND_FACTS,
    "email_confirmation": ("email",),
    "outcome": ("outcome", "product"),  # "a new kettle" names the product it wants
}
# The summary's parts that quote the customer verbatim (the core sentence, the quotes, the
# corrections as typed, the story): a fact found only there is not registered under a label.
VERBATIM_HEADS = (
    "Kern:",
    "Core:",
    "Letterlijk:",
    "Verbatim:",
    "Correcties van de klant:",
    "Customer's corrections:",
    "Vragen van de klant:",
    "Customer's questions:",
)
STORY_HEADS = ("Verhaal van de klant:", "Customer's story:")

TODAY = date(2026, 11, 24)  # the driver's clock: Tuesday 24 November 2026
WEEKDAYS = {
    name: index
    for names in (
        ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    )
    for index, name in enumerate(names)
}
MONTHS = {
    name: number
    for names in (
        (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
    )
    for number, name in enumerate(names, start=1)
}


def date_forms(value: str) -> set[str]:
    """The ISO dates a customer's "dinsdag", "gisteren" or "20 november" may be stored as."""
    text = value.lower()
    forms: set[str] = set()
    for name, index in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", text):
            back = (TODAY.weekday() - index) % 7 or 7
            forms.add((TODAY - timedelta(days=back)).isoformat())
    if re.search(r"\bgisteren\b|\byesterday\b", text):
        forms.add((TODAY - timedelta(days=1)).isoformat())
    for day, month in re.findall(r"\b(\d{1,2})\s+([a-z]+)", text):
        if month in MONTHS:
            forms |= {date(year, MONTHS[month], int(day)).isoformat() for year in (2025, 2026)}
    return forms


def labelled_part(summary: str) -> str:
    kept: list[str] = []
    quoting = False
    for line in summary.splitlines():
        if line.startswith(STORY_HEADS):
            break
        if line.startswith(VERBATIM_HEADS):
            quoting = True
            continue
        if quoting and line.startswith(" "):
            continue
        quoting = False
        kept.append(line)
    return "\n".join(kept)


def appears(slot: str, value: str, text: str) -> bool:
    squashed = squash(text)
    if squash(value) in squashed:
        return True
    if slot == "amount":  # stored as a number: "59,95 euro" as 59.95
        return any(squash(n) in squashed for n in re.findall(r"\d+(?:[.,]\d+)?", value))
    if slot != "when":
        return False
    # Stored as an ISO date, shown to the handler as people write it ("23 november").
    for form in date_forms(value):
        day = date.fromisoformat(form)
        written = {form} | {f"{day.day} {name}" for name, n in MONTHS.items() if n == day.month}
        if any(squash(w) in squashed for w in written):
            return True
    return False


@dataclass
class Measures:
    key: str
    held_out: bool
    route_expected: str
    route_reached: str | None
    ack_first: bool
    max_questions: int
    reasked: list[str] = field(default_factory=list)
    misslotted: list[str] = field(default_factory=list)
    facts_given: int = 0
    facts_recalled: int = 0
    missing: list[str] = field(default_factory=list)
    promise_needed: bool = False
    promised: bool = False
    asked_back: int = 0
    answered_back: int = 0

    @property
    def route_right(self) -> bool:
        return self.route_reached == self.route_expected

    @property
    def clean(self) -> bool:
        return (
            self.route_right
            and self.ack_first
            and self.max_questions <= 1
            and not self.reasked
            and not self.misslotted
            and self.facts_recalled == self.facts_given
            and (self.promised or not self.promise_needed)
            and self.answered_back == self.asked_back
        )


def reasked(persona: Persona, turns: list[tuple[str | None, list[str]]]) -> list[str]:
    """Questions for a fact the customer had already given, or said they did not know."""
    found: list[str] = []
    said: list[str] = []
    dont_know: set[str] = set()
    last_kind: str | None = None
    for customer, bot in turns:
        if customer is not None:
            said.append(customer)
            if last_kind and re.search(r"weet ik niet|no idea|don't know", customer, re.I):
                dont_know.add(last_kind)
        given = given_facts(persona, said)
        for text in bot:
            kind = question_kind(text)
            if kind is None:
                continue
            last_kind = kind
            facts = KIND_FACTS.get(kind, (kind,))
            if any(fact in given for fact in facts) or kind in dont_know:
                found.append(f"{kind}: {question_sentences(text)[-1]}")
    return found


def misslotted(persona: Persona, stored: dict[str, str], noise: list[str]) -> list[str]:
    """Stored facts that hold another kind of fact, a question asked back or a request."""
    found: list[str] = []
    for slot, value in stored.items():
        holds = SLOT_HOLDS.get(slot, (slot,))
        squashed = squash(value)
        # A fact inside a rightly stored one is not a second fact: the name in an email
        # address, the product in "a new kettle".
        for kind in holds:
            if squash(persona.facts.get(kind, "")):
                squashed = squashed.replace(squash(persona.facts[kind]), " ")
        for kind, fact in persona.facts.items():
            if kind not in holds and len(squash(fact)) >= 4 and squash(fact) in squashed:
                found.append(f"{slot} holds {kind}: {value}")
                break
        else:
            if any(squash(text) and squash(text) in squashed for text in noise):
                found.append(f"{slot} holds the customer's words: {value}")
    return found


def replies_to(question: str, turns: list[tuple[str | None, list[str]]]) -> list[str]:
    """What the bot said after the customer's message with `question`, up to the customer's
    next message: in a chat the bot may answer only after the pause that ends a burst."""
    replies: list[str] = []
    asked = False
    for said, bot in turns:
        if asked and said is not None:
            break
        asked = asked or bool(said and question in said)
        if asked:
            replies += bot
    return replies


def measure(conversation: Conversation) -> Measures:
    persona, customer = conversation.persona, conversation.customer
    turns = [(turn.customer, turn.bot) for turn in conversation.turns]
    messages = conversation.bot_messages
    first = next((bot for _said, bot in turns if bot), [])
    state = conversation.state
    stored = dict(state.facts) if state else {}
    if state and state.email:
        stored["email_confirmation"] = state.email
    noise = [question for question, _kind in customer.asked_back] + [SWITCH]
    if persona.correction:
        noise.append(persona.correction.text)
    given = given_facts(persona, customer.said)
    summary = labelled_part(conversation.summary)
    missing = [slot for slot, value in given.items() if not appears(slot, value, summary)]
    answered = 0
    for question, kind in customer.asked_back:
        replies = replies_to(question, turns)
        if any(ANSWER_TO[kind].search(text) for text in replies):
            answered += 1
    route = conversation.case.intent if conversation.case else None
    return Measures(
        key=persona.key,
        held_out=persona.held_out,
        route_expected=persona.route,
        route_reached=route,
        ack_first=bool(first) and not question_sentences(first[0]),
        max_questions=max((len(question_sentences(text)) for text in messages), default=0),
        reasked=reasked(persona, turns),
        misslotted=misslotted(persona, stored, noise),
        facts_given=len(given),
        facts_recalled=len(given) - len(missing),
        missing=missing,
        promise_needed=persona.route in PROMISE_ROUTES,
        promised=any(WEEKDAY_DATE.search(t) and CLOCK_TIME.search(t) for t in messages),
        asked_back=len(customer.asked_back),
        answered_back=answered,
    )
