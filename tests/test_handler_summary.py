"""The handler's summary is wholly in the organisation's language: no stored code shows."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.dialogue import STEPS, DialogueState
from bot.dialogue.recap import FACT_ORDER, reached_by
from bot.handlers.summary import REGISTRATION, registration
from bot.nlu import CATEGORIES, INTENTS
from common.templates import environment, render
from common.written import readable_moment
from storage.models import Case

LANGUAGES = ("nl", "en")
STATUSES = ("open", "handed_off", "resolved", "closed")
FACT_KINDS = (*FACT_ORDER, "outcome")
TZ = ZoneInfo("Europe/Amsterdam")
# Codes that are also the plain word for the thing in that language ("product" in Dutch).
PLAIN_WORDS = {
    "nl": {"product", "compliment", "postcode", "open"},
    "en": {
        *INTENTS,
        *CATEGORIES,
        *STATUSES,
        "name",
        "address",
        "postcode",
        "phone",
        "email",
        "amount",
        "consent",
    },
}
CODES = {*INTENTS, *CATEGORIES, *STATUSES, *STEPS, *FACT_KINDS}


def words(language: str) -> Any:
    return environment().get_template(f"handler/{language}/_words.j2").module


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_has_a_word(language: str) -> None:
    module = words(language)
    assert set(module.intents) >= set(INTENTS)
    assert set(module.categories) >= set(CATEGORIES)
    assert set(module.statuses) >= set(STATUSES)
    assert set(module.steps) >= set(STEPS)
    assert set(module.facts) >= set(FACT_KINDS)


def summary(language: str, *, intent: str, category: str, status: str, step: str) -> str:
    facts = {
        "product": "wasmachine",
        "when": "2026-12-02",
        "order_number": "A-123456",
        "invoice_number": "F-2026-77",
        "customer_number": "KL-998",
        "amount": "89.95",
        "who": "Kees",
        "name": "Anna de Vries",
        "address": "Kerkstraat 12a",
        "postcode": "1234 AB",
        "phone": "06-12345678",
        "email": "anna@example.nl",
        "outcome": "Een nieuwe machine.",
    }
    case = Case(
        number="K-2026-000123",
        customer_id=1,
        channel="telegram",
        language="nl",
        received_at=datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
        intent=intent,
        category=category,
        explicit=False,
        anger=1,
        status=status,
    )
    state = DialogueState(
        step=step,  # type: ignore[arg-type]
        story=("Mijn wasmachine lekt.",),
        key_sentences=("Mijn wasmachine lekt.",),
        facts=facts,
        unknown=("who",),
        corrections=("Nee, het was woensdag.",),
        changed=("when",),
        customer_questions=("Wanneer komt er iemand?",),
        consent_email=True,
        email="anna@example.nl",
        promise_at="2026-12-07T16:00:00+00:00",
    )
    kind, address = reached_by(facts, channel="telegram", email=state.email)
    return render(
        f"handler/{language}/summary.txt.j2",
        case=case,
        state=state,
        gist="Mijn wasmachine lekt.",
        registration=registration(state, None, [("telegram", "4242")]),
        missing=[],
        details=[{"kind": k, "value": facts[k]} for k in ("product", "when", "who")],
        identities=[("telegram", "4242")],
        received=readable_moment(case.received_at, TZ, language),
        handler_name="Sanne",
        promise=readable_moment(datetime(2026, 12, 7, 16, tzinfo=UTC), TZ, language),
        reach_kind=kind,
        reach_address=address,
        earlier=[
            {
                "number": "K-2026-000100",
                "category": category,
                "received": readable_moment(case.received_at, TZ, language),
                "repeat": True,
            }
        ],
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_internal_code_appears(language: str) -> None:
    shown = set()
    for intent, category, status, step in itertools.product(INTENTS, CATEGORIES, STATUSES, STEPS):
        if category != CATEGORIES[0] and step != STEPS[0]:
            continue  # every code once is enough; the full product adds nothing
        text = summary(language, intent=intent, category=category, status=status, step=step)
        shown.add(text)
        for code in CODES - PLAIN_WORDS[language]:
            assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text), (code, text)
    assert len(shown) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_registration_fact_correction_question_and_promise_is_shown(language: str) -> None:
    text = summary(
        language, intent="complaint", category="product", status="handed_off", step="handed_off"
    )
    for value in (
        "Anna de Vries",
        "Kerkstraat 12a",
        "1234 AB",
        "06-12345678",
        "anna@example.nl",
        "KL-998",
        "Nee, het was woensdag.",
        "Wanneer komt er iemand?",
        "Een nieuwe machine.",
        "Sanne",
    ):
        assert value in text, (value, text)
    promise = {
        "nl": "Sanne belt de klant op 06-12345678, uiterlijk maandag 7 december 2026 om 17:00",
        "en": "Sanne calls the customer on 06-12345678, by Monday 7 December 2026 at 17:00",
    }
    assert f"{promise[language]} (CET)" in text, text
    hidden = {"nl": "verborgen", "en": "hidden"}
    assert hidden[language] in text, text


def test_registration_takes_what_the_channel_knows() -> None:
    state = DialogueState(facts={"contact": "06-1111"})
    known = registration(state, "Bram", [("email", "bram@example.nl")])
    assert known == {"name": "Bram", "phone": "06-1111", "email": "bram@example.nl"}
    assert tuple(known) == tuple(k for k in REGISTRATION if k in known)


@pytest.mark.parametrize(
    ("facts", "email", "expected"),
    [
        ({"phone": "06-1", "email": "a@b.nl"}, None, ("phone", "06-1")),
        ({"email": "a@b.nl"}, None, ("email", "a@b.nl")),
        ({}, "c@d.nl", ("email", "c@d.nl")),
        ({"contact": "06-2"}, None, ("phone", "06-2")),
        ({}, None, ("chat", "telegram")),
    ],
)
def test_the_promise_goes_through_the_channel_the_customer_gave(
    facts: dict[str, str], email: str | None, expected: tuple[str, str]
) -> None:
    assert reached_by(facts, channel="telegram", email=email) == expected
