"""The measuring instrument of issue 15, not the dialogue's quality: the simulated customer
recognises what the current templates ask, a persona runs to an end through the wired app,
and the metrics find planted faults in a hand-made conversation."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from bot.dialogue import DialogueState
from common.templates import render_message
from tests.conversations.metrics import appears, labelled_part, measure
from tests.conversations.personas import BEHAVIOURS, PERSONAS, Correction, Persona
from tests.conversations.simulator import (
    END_STEPS,
    Conversation,
    Customer,
    Turn,
    question_kind,
    run_persona,
)
from tests.test_templates import SAMPLE

SLOTS = ("order_number", "invoice_number", "when", "product", "who", "amount", "outcome",
         "contact", "customer_number", "name", "address", "postcode", "email")  # fmt: skip
# A question for a phone number is a question for a way to reach the customer.
KIND_OF_SLOT = {"phone": "contact"}


def test_the_personas_cover_the_issue() -> None:
    keys = [p.key for p in PERSONAS]
    assert len(keys) == len(set(keys)) >= 40
    languages = Counter(p.language for p in PERSONAS)
    assert 1.5 <= languages["nl"] / languages["en"] <= 2.5
    held_out = [p for p in PERSONAS if p.held_out]
    assert 0.3 <= len(held_out) / len(PERSONAS) <= 0.37
    assert {p.language for p in held_out} == {"nl", "en"}
    routes = {"complaint", "emergency", "dispute", "nuisance", "repair_request", "question"}
    assert {p.route for p in PERSONAS} == routes == {p.route for p in held_out}
    assert set().union(*(p.behaviours for p in PERSONAS)) == BEHAVIOURS
    assert set().union(*(p.behaviours for p in held_out)) == BEHAVIOURS
    assert {p.channel for p in PERSONAS} == {"chat", "email"}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("slot", [*SLOTS, "phone"])
def test_each_question_the_templates_ask_is_recognised(language: str, slot: str) -> None:
    for variant, short, one_off in itertools.product(range(3), (False, True), (False, True)):
        context = {**SAMPLE, "slot": slot, "variant": variant, "short": short, "one_off": one_off}
        text = render_message(language, "question", **context)
        assert question_kind(text) == KIND_OF_SLOT.get(slot, slot), text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_route_choice_is_recognised(language: str) -> None:
    for variant, first in itertools.product(range(2), ("repair_request", "question")):
        context = {**SAMPLE, "variant": variant, "routes": [first, "complaint"]}
        assert question_kind(render_message(language, "route_choice", **context)) == "route"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_checks_and_offers_are_recognised(language: str) -> None:
    for variant in range(3):
        sample = {**SAMPLE, "variant": variant, "language": language}
        assert question_kind(render_message(language, "summary", **sample)) == "summary"
        assert question_kind(render_message(language, "ask_correction", **sample)) == "correction"
        assert question_kind(render_message(language, "ask_email", **sample)) == "email_offer"
        assert question_kind(render_message(language, "agreement", **sample)) == "email_offer"
        assert question_kind(render_message(language, "acknowledge", **sample)) is None


async def test_a_persona_runs_to_an_end_through_the_wired_app(tmp_path: Path) -> None:
    persona = next(p for p in PERSONAS if p.key == "nl-woensdag")
    conversation = await run_persona(persona, f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    assert conversation.state is not None
    assert conversation.state.step in END_STEPS
    assert conversation.case is not None
    assert conversation.case.intent == "complaint"
    assert conversation.turns[0].customer == persona.story
    assert "Zaak " in conversation.summary
    # The correction was sent together with an answer, as the persona says it does.
    assert persona.correction is not None
    assert any(persona.correction.text in (t.customer or "") for t in conversation.turns[1:])
    measures = measure(conversation)
    assert measures.route_right
    assert measures.facts_given >= 3


PLANTED = Persona(
    key="planted",
    language="nl",
    route="complaint",
    topic="delivery",
    story="Mijn bestelling 12345 is niet gekomen.",
    facts={
        "order_number": "12345",
        "outcome": "een nieuwe levering",
        "address": "Laan 1",
        "phone": "0612345678",
    },
    behaviours=frozenset({"correction"}),
    correction=Correction("order_number", "12345", "12346", "Sorry, het is 12346."),
)


def planted(turns: list[Turn], facts: dict[str, str], said: list[str]) -> Conversation:
    customer = Customer(PLANTED)
    customer.said = said
    state = DialogueState(step="handed_off", facts=facts)
    summary = (
        "Kern: Mijn bestelling 12345 is niet gekomen.\n"
        "Gegevens:\n  - Bestelnummer: 12345\n"
        'Verhaal van de klant:\n  "Laan 1"\n'
    )
    return Conversation(PLANTED, turns, customer, None, state, summary)


def test_the_metrics_find_a_planted_mis_slot_and_re_ask() -> None:
    said = [PLANTED.story, "Laan 1", "0612345678"]
    turns = [
        Turn(said[0], ["Wat vervelend.", "Wat zou u nu het meest helpen?"]),
        Turn(said[1], ["Wat is het bestelnummer?"]),  # given in the story: a re-ask
        Turn(said[2], ["Klopt dit?"]),
    ]
    measures = measure(planted(turns, {"outcome": "Laan 1", "contact": "0612345678"}, said))
    assert measures.misslotted == ["outcome holds address: Laan 1"]
    assert [r.split(":")[0] for r in measures.reasked] == ["order_number"]
    assert measures.ack_first
    assert measures.max_questions == 1
    # The address is only in the verbatim story, the phone nowhere in the summary.
    assert measures.facts_given == 3
    assert sorted(measures.missing) == ["address", "phone"]
    assert not measures.clean


def test_the_metrics_pass_a_conversation_without_faults() -> None:
    said = [PLANTED.story, "Een nieuwe levering"]
    turns = [Turn(said[0], ["Wat vervelend."]), Turn(None, ["Wat zou u nu het meest helpen?"]),
             Turn(said[1], ["Klopt dit?"])]  # fmt: skip
    conversation = planted(turns, {"order_number": "12345", "outcome": "een nieuwe levering"},
                           said)  # fmt: skip
    conversation.summary = conversation.summary.replace(
        "Gegevens:", "Wat de klant wil: een nieuwe levering\nGegevens:"
    )
    measures = measure(conversation)
    assert measures.misslotted == []
    assert measures.reasked == []
    assert measures.facts_recalled == measures.facts_given == 2
    # No day and time promised on a complaint: not clean.
    assert measures.promise_needed
    assert not measures.promised
    assert not measures.clean


def test_a_question_asked_back_and_a_language_switch_stored_as_facts_are_mis_slots() -> None:
    customer = Customer(PLANTED)
    said = [PLANTED.story, "Wanneer komt er dan iemand?", "Can we continue in English?"]
    customer.said = said
    customer.asked_back.append((said[1], "when"))
    turns = [Turn(said[0], ["Wat vervelend."]), Turn(said[1], ["Wanneer is dit gebeurd?"]),
             Turn(said[2], ["Klopt dit?"])]  # fmt: skip
    state = DialogueState(step="handed_off", facts={"when": said[1], "outcome": said[2]})
    measures = measure(Conversation(PLANTED, turns, customer, None, state, ""))
    assert len(measures.misslotted) == 2
    assert measures.asked_back == 1
    assert measures.answered_back == 0


def test_a_fact_counts_as_recalled_in_the_form_the_bot_stores_it() -> None:
    assert appears("when", "dinsdag", "Wanneer: 2026-11-17")  # the Tuesday before the clock
    assert not appears("when", "woensdag", "Wanneer: 2026-11-17")
    assert appears("when", "20 november", "Wanneer: 2026-11-20")
    assert appears("when", "gisteren", "Datum: maandag 23 november 2026")
    assert not appears("when", "gisteren", "Datum: dinsdag 24 november 2026")
    assert appears("amount", "59,95 euro", "Bedrag: 59.95")
    assert appears("phone", "06-24 68 24 68", "Bereikbaar via: 0624682468")
    assert not appears("phone", "06-24682468", "Bereikbaar via: kees@example.nl")
    # Quoted story lines do not count: only what the handler sees under a label.
    assert "Laan 1" not in labelled_part('Gegevens:\nVerhaal van de klant:\n  "Laan 1"')
