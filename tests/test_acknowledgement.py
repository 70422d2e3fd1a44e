"""The acknowledgement reflects the customer's own story, read by the real understanding."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

import pytest

from bot.dialogue import Dialogue, DialogueState, Policy, Reply
from bot.dialogue.acknowledgement import acknowledgement, impacts
from bot.dialogue.events import CustomerMessage, PauseElapsed
from bot.nlu import understand
from common.templates import render_message, variant

TODAY = date(2026, 12, 4)
APOLOGY = r"spijt|excuses|sorry|apologi[sz]e|apologies"


def acknowledge(text: str, case_id: int = 1) -> tuple[dict[str, object], str]:
    heard = understand(text, today=TODAY)
    context = acknowledgement(heard, (text,))
    shown = render_message(
        heard.language,
        "acknowledge",
        variant=variant(case_id, "acknowledge"),
        anger=heard.anger,
        category=heard.category,
        **context,
    )
    return context, shown


@pytest.mark.parametrize(
    ("story", "words"),
    [
        ("De nieuwe wasmachine die ik bij u kocht is kapot.", ["wasmachine"]),
        ("Mijn factuur is te hoog, er staat € 89,95 te veel op.", ["€ 89,95"]),
        (
            "Ik heb een dag vrij genomen voor de monteur en niemand kwam opdagen.",
            ["vrij"],
        ),
        ("The sofa I ordered arrived with a torn cushion.", ["sofa"]),
        ("I have been waiting for my refund of 120.00 for weeks now.", ["120.00", "wait"]),
    ],
)
def test_the_acknowledgement_names_what_happened_and_what_it_cost(
    story: str, words: list[str]
) -> None:
    _, shown = acknowledge(story)
    for word in words:
        assert word in shown, shown
    assert "?" not in shown, shown


def test_the_feeling_is_named_when_anger_runs_high() -> None:
    angry, shown = acknowledge(
        "DIT IS BELACHELIJK!!! Voor de derde keer komt de monteur niet opdagen, ik ben woest!"
    )
    assert angry["feeling"] is True
    assert re.search(r"boos|kwaad|ergernis", shown), shown
    calm, shown = acknowledge("De monteur is dinsdag niet gekomen, jammer.")
    assert calm["feeling"] is False
    assert not re.search(r"boos|kwaad|ergernis", shown), shown


@pytest.mark.parametrize(
    ("story", "sorry"),
    [
        ("Mijn bovenburen maken elke nacht herrie tot drie uur.", False),
        ("Jullie nieuwe regel dat ik geen huisdieren mag houden vind ik oneerlijk.", False),
        ("Mijn pakket is na twee weken nog steeds niet bezorgd.", True),
        ("The engineer was rude to me on the phone.", True),
    ],
)
def test_an_apology_only_where_something_went_wrong_on_our_side(story: str, sorry: bool) -> None:
    context, shown = acknowledge(story)
    assert context["apology"] is sorry
    assert bool(re.search(APOLOGY, shown, re.IGNORECASE)) is sorry, shown


def test_customers_in_a_row_do_not_read_the_same_sentences() -> None:
    story = "Mijn pakket is na twee weken nog steeds niet bezorgd."
    shown = [acknowledge(story, case_id)[1] for case_id in range(100, 110)]
    for first, second in itertools.pairwise(shown):
        assert not set(first.split(". ")) & set(second.split(". ")), (first, second)
    assert len(set(shown)) >= 6


def test_impacts_are_read_in_both_languages() -> None:
    assert impacts(["Ik heb er een snipperdag voor opgenomen."]) == ("day_off",)
    assert impacts(["I took the day off and waited all day."]) == ("day_off", "waiting")
    assert impacts(["Nobody answers the phone."]) == ("unreachable",)
    assert impacts(["Het is al de derde keer."]) == ("again",)
    assert impacts(["Er klopt iets niet."], amount=True) == ("money",)


def test_the_dialogue_sends_this_acknowledgement_once_the_story_is_told() -> None:
    now = datetime(2026, 12, 4, 10, tzinfo=UTC)
    talk = Dialogue(Policy(), understand)
    story = "De nieuwe wasmachine die ik bij u kocht is kapot."
    state, _ = talk.step(DialogueState(channel="telegram"), CustomerMessage(1, story), now)
    state, actions = talk.step(state, PauseElapsed(), now)
    (reply,) = [a for a in actions if isinstance(a, Reply) and a.template == "acknowledge"]
    assert reply.context == acknowledgement(understand(story, today=now.date()), (story,))


def test_a_dutch_preposition_is_not_taken_for_a_product() -> None:
    context, shown = acknowledge("Mijn plafond is beschadigd door de lekkage bij de buren.")
    assert context["product"] == "plafond"
    assert "uw door" not in shown, shown
