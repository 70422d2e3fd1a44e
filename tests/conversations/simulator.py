"""An adaptive simulated customer and the driver that runs it through the wired app.

The customer reads what the bot actually asked (recognised from the reply text here, in the
instrument, never in the product) and answers from its own facts, with its behaviours."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import select

from bot.config.settings import Settings
from bot.dialogue import DialogueState
from bot.runtime.app import App
from channels.base import CustomerPaused, InboundEvent, InboundMessage
from storage.db import transaction
from storage.models import Case
from tests.conversations.personas import Persona
from tests.support import RecordingChannel, SteppedClock

MAX_TURNS = 12
END_STEPS = ("handed_off", "closed")

# The kind of question a bot message asks, first match wins: the confirmation offer and the
# summary check come before the fact questions, "phone or email" before "which email".
QUESTION_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("route", r"klacht indienen|een klacht over|make a complaint|a complaint about"),
        ("email_offer", r"bevestig|confirm"),
        (
            "correction",
            r"klopt er niet|aanpassen|verkeerd genoteerd|what is not right|"
            r"what should I change|got wrong|what needs chang|not correct|wrong\b",
        ),
        (
            "summary",
            r"klopt dit|klopt dat|is this (right|correct)|is that (right|correct)|"
            r"did I get",
        ),
        ("contact", r"bereiken|telefoonnummer|reach you|phone"),
        ("email", r"e-?mail ?ad|email address"),
        ("order_number", r"bestelnummer|order number"),
        ("invoice_number", r"factuur|invoice"),
        ("customer_number", r"klantnummer|customer number"),
        ("amount", r"bedrag|amount"),
        ("product", r"product|apparaat|appliance"),
        ("who", r"met wie|wie van ons|who from|who did you"),
        ("when", r"wanneer|sinds|when|since"),
        (
            "outcome",
            r"helpen|oplossing|goed te maken|graag zien|help you|outcome|put this right|"
            r"would you like",
        ),
        ("name", r"naam|your name"),
        ("address", r"adres|address"),
        ("postcode", r"postcode|postal code|zip"),
    )
)

# Which of the customer's facts answer a question of each kind.
KIND_FACTS: dict[str, tuple[str, ...]] = {
    "contact": ("phone", "email"),
    "email": ("email",),
    "email_offer": ("email",),
}

# What counts as an answer to a question asked back.
ANSWER_TO: dict[str, re.Pattern[str]] = {
    "when": re.compile(
        r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|monday|tuesday|wednesday|"
        r"thursday|friday|saturday|sunday|vandaag|morgen|today|tomorrow|\b\d{1,2}:\d{2}\b",
        re.IGNORECASE,
    ),
    "who": re.compile(r"collega|behandelaar|medewerker|colleague|handler|member of", re.I),
    "why": re.compile(r"omdat|zodat|nodig om|because|so that|so we|we need", re.IGNORECASE),
}

DONT_KNOW = {"nl": "Weet ik niet.", "en": "No idea, sorry."}
YES = {"nl": "Ja, dat klopt.", "en": "Yes, that's right."}
NO_THANKS = {"nl": "Nee, dank u.", "en": "No thanks."}
SWITCH = "Can we continue in English?"
ROUTE_ANSWERS = {
    "nl": {"complaint": "Een klacht indienen.", "repair_request": "Een reparatie melden.",
           "question": "Ik heb een vraag."},
    "en": {"complaint": "Make a complaint.", "repair_request": "Report a repair.",
           "question": "Ask a question."},
}  # fmt: skip


def question_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.findall(r"[^.!?\n]*\?", text) if s.strip()]


def question_kind(text: str) -> str | None:
    """The kind of the (last) question in a bot message, or None when it asks nothing."""
    questions = question_sentences(text)
    if not questions:
        return None
    for kind, pattern in QUESTION_KINDS:
        if pattern.search(questions[-1]):
            return kind
    return "unknown"


@dataclass
class Turn:
    customer: str | None  # None for a pause
    bot: list[str]


@dataclass
class Customer:
    """One persona in one conversation: what it said so far and what it will say next."""

    persona: Persona
    language: str = ""
    said: list[str] = field(default_factory=list)
    asked_back: list[tuple[str, str]] = field(default_factory=list)  # (question, kind)
    answered: dict[str, int] = field(default_factory=dict)  # times per question kind
    switched: bool = False
    corrected: bool = False
    dont_knows: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.language = self.persona.language

    def opening(self) -> str:
        text = self.persona.story
        p = self.persona
        if p.ask_back and p.ask_back in text and p.ask_back_kind:
            self.asked_back.append((p.ask_back, p.ask_back_kind))
        return self._say(text)

    def _say(self, text: str) -> str:
        if "caps" in self.persona.behaviours:
            text = text.upper()
        self.said.append(text)
        return text

    def answer(self, kind: str | None) -> str | None:
        """The reply to a bot message whose last question is of `kind` (None: no question)."""
        p, b = self.persona, self.persona.behaviours
        if kind is None:
            return None
        if "switch_language" in b and not self.switched and len(self.said) == 1:
            self.switched = True
            self.language = "en"
            return self._say(SWITCH)
        if "asks_back" in b and p.ask_back and not self.asked_back and p.ask_back_kind:
            self.asked_back.append((p.ask_back, p.ask_back_kind))
            return self._say(p.ask_back)
        times = self.answered.get(kind, 0)
        self.answered[kind] = times + 1
        text = self._plain_answer(kind, first=times == 0)
        if "correction" in b and p.correction and not self.corrected and len(self.said) >= 2:
            self.corrected = True
            text = f"{text} {p.correction.text}" if text else p.correction.text
        if "typos" in b:
            text = text.lower().rstrip(".")
        return self._say(text)

    def _plain_answer(self, kind: str, *, first: bool) -> str:
        p, b, lang = self.persona, self.persona.behaviours, self.language
        facts = p.facts
        if kind == "route":
            return ROUTE_ANSWERS[lang].get(p.route, ROUTE_ANSWERS[lang]["complaint"])
        if kind == "summary":
            return YES[lang]
        if kind == "correction":
            return YES[lang]
        if kind == "email_offer":
            email = facts.get("email")
            if email:
                return f"Ja graag, {email}" if lang == "nl" else f"Yes please, {email}"
            return NO_THANKS[lang]
        if "out_of_order" in b and first and kind in ("outcome", "contact"):
            # Asked one thing, the customer gives another fact first.
            other = "address" if kind == "outcome" else "outcome"
            if other in facts and other not in self._given_kinds():
                return facts[other]
            if "outcome" in facts and kind == "contact":
                return facts["outcome"]
        if "dont_know" in b and first and not self.dont_knows and kind not in ("contact",):
            self.dont_knows.add(kind)
            return DONT_KNOW[lang]
        keys = KIND_FACTS.get(kind, (kind,))
        values = [facts[key] for key in keys if key in facts]
        if not values:
            self.dont_knows.add(kind)
            return DONT_KNOW[lang]
        joiner = " of " if lang == "nl" else " or "
        return joiner.join(values)

    def _given_kinds(self) -> set[str]:
        return set(given_facts(self.persona, self.said))


def squash(text: str) -> str:
    """Lower case, letters, digits and @ only: "06-12 34" and "061234" compare equal."""
    return re.sub(r"[^0-9a-z@àáäéèëïíóöúü]", "", text.lower())


def given_facts(persona: Persona, said: list[str]) -> dict[str, str]:
    """The persona's facts that appear in what the customer said (corrected values win)."""
    text = squash(" ".join(said))
    facts = dict(persona.facts)
    if persona.correction and squash(persona.correction.text) not in text:
        facts[persona.correction.slot] = persona.correction.wrong
    return {slot: value for slot, value in facts.items() if squash(value) and squash(value) in text}


@dataclass
class Conversation:
    persona: Persona
    turns: list[Turn]
    customer: Customer
    case: Case | None
    state: DialogueState | None
    summary: str

    @property
    def bot_messages(self) -> list[str]:
        return [text for turn in self.turns for text in turn.bot]


def settings_for(database_url: str) -> Settings:
    return Settings.model_validate({"database": {"url": database_url}})


async def run_persona(persona: Persona, database_url: str) -> Conversation:
    """Run one persona through the wired app until handoff or `MAX_TURNS` customer turns."""
    clock = SteppedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # a Tuesday morning
    channel = RecordingChannel()
    customer = Customer(persona)
    turns: list[Turn] = []
    numbers = iter(range(1, 10_000))

    async with App(settings_for(database_url), [channel], clock=clock) as app:

        async def exchange(text: str | None) -> list[str]:
            before = len(channel.sent)
            event: InboundEvent
            if text is None:
                event = CustomerPaused(channel="test", sender=persona.key, at=clock())
            else:
                event = InboundMessage(
                    channel="test",
                    external_id=f"m{next(numbers)}",
                    sender=persona.key,
                    text=text,
                    received_at=clock(),
                )
            channel.inbox = [event]
            await app.run(stop_when_intake_ends=True)
            app._stop.clear()  # the same app runs again for the next turn
            clock.advance(minutes=1)
            replies = [m.text for m in channel.sent[before:] if m.recipient == persona.key]
            turns.append(Turn(text, replies))
            return replies

        async def current() -> tuple[Case | None, DialogueState | None]:
            async with transaction(app.sessions) as session:
                case = (
                    await session.exec(select(Case).order_by(Case.id.desc()))  # type: ignore[union-attr]
                ).first()
            if case is None:
                return None, None
            return case, DialogueState.from_dict(
                case.dialogue_state, language=case.language, channel=case.channel
            )

        replies = await exchange(customer.opening())
        for _ in range(MAX_TURNS - 1):
            case, state = await current()
            if state is None or state.step in END_STEPS:
                break
            kind = question_kind(replies[-1]) if replies else None
            if kind is None:
                replies = await exchange(None)  # a pause: the bot may go on by itself
                kind = question_kind(replies[-1]) if replies else None
                if kind is None:
                    break
            reply = customer.answer(kind)
            if reply is None:
                break
            replies = await exchange(reply)
        case, state = await current()
    return Conversation(persona, turns, customer, case, state, (case.summary if case else "") or "")
