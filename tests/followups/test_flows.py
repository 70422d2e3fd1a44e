"""The follow-up conversations as generator flows, stepped with .send()."""

import pytest

from bot.followups.flows import (
    Ask,
    CheckOutcome,
    SurveyOutcome,
    execution_check,
    read_score,
    replay,
    survey,
)


def test_execution_check_yes() -> None:
    flow = execution_check()
    first = next(flow)
    assert (first.template, first.choices) == ("execution_check", ("yes", "no"))
    with pytest.raises(StopIteration) as done:
        flow.send("Ja hoor, alles is gedaan")
    assert done.value.value == CheckOutcome(True, "Ja hoor, alles is gedaan")


def test_a_bare_no_asks_what_did_not_happen() -> None:
    flow = execution_check()
    next(flow)
    what = flow.send("nee")
    assert what == Ask("execution_check_reply", {"step": "what"})
    with pytest.raises(StopIteration) as done:
        flow.send("De schilder is nooit gekomen.")
    assert done.value.value == CheckOutcome(False, "De schilder is nooit gekomen.")


def test_an_unclear_answer_is_asked_again_and_kept_for_the_handler() -> None:
    assert replay("execution_check", ["Tja, de helft"]) == Ask(
        "execution_check_reply", {"step": "again"}, ("yes", "no")
    )
    outcome = replay("execution_check", ["Tja, de helft", "nee"])
    assert outcome == CheckOutcome(False, "Tja, de helft")


def test_survey_collects_five_answers_and_reasks_without_a_number() -> None:
    flow = survey()
    assert next(flow).template == "survey"
    assert flow.send("4").context == {"question": "listened"}
    assert flow.send("geen idee").context == {"question": "listened", "again": True}
    assert flow.send("een 5").context == {"question": "informed"}
    assert flow.send("2").context == {"question": "resolved"}
    comment = flow.send("3/5")
    assert comment == Ask("survey_question", {"question": "comment"})
    with pytest.raises(StopIteration) as done:
        flow.send("nee")
    assert done.value.value == SurveyOutcome(4, 5, 2, 3, None)


def test_replay_finds_the_same_place_as_stepping() -> None:
    answers = ["5", "4", "x", "4", "5", "Heel fijn geholpen"]
    assert replay("survey", answers) == SurveyOutcome(5, 4, 4, 5, "Heel fijn geholpen")
    assert replay("survey", answers[:3]) == Ask(
        "survey_question", {"question": "informed", "again": True}, ("1", "2", "3", "4", "5")
    )


def test_scores_are_one_to_five_only() -> None:
    assert read_score("ik geef een 4") == 4
    assert read_score("10") is None
    assert read_score("0") is None
    assert read_score("2026") is None
