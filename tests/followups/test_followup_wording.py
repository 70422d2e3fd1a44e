"""The follow-up messages keep to the same wording rules as the conversation: every
variant and situation rendered, in both languages."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from common.templates import render_message
from tests.test_message_wording import ROBOT, base
from tests.test_templates import INFORMAL_DUTCH, UNHELPFUL

LANGUAGES = ("nl", "en")
CASE = "K-2026-000123"
DAY = {"nl": "dinsdag 25 november", "en": "Tuesday 25 November"}


def extras(language: str, name: str) -> Iterator[dict[str, Any]]:
    if name == "confirmation":
        for handler, channel, by_email, resolve, facts, outcome in itertools.product(
            (None, "Sanne"),
            ("console", "telegram", "email"),
            (True, False),
            (None, DAY[language]),
            ([], [{"slot": "when", "value": "maandag 23 november 2026"}]),
            (None, "Een nieuwe afspraak."),
        ):
            yield {
                "handler_name": handler,
                "contact_channel": channel,
                "by_email": by_email,
                "resolve_day": resolve,
                "facts": facts,
                "outcome": outcome,
                "summary": ["De monteur is niet gekomen.", "Ik heb vrij genomen."],
                "promise_day": DAY[language],
                "promise_time": "17:00",
            }
    elif name == "execution_check_reply":
        for step, handler in itertools.product(
            ("again", "what", "thanks", "reopened"), (None, "Sanne")
        ):
            yield {"step": step, "handler_name": handler}
    elif name == "survey_question":
        for question, again in itertools.product(
            ("overall", "listened", "informed", "resolved"), (True, False)
        ):
            yield {"question": question, "again": again}
        yield {"question": "comment", "again": False}  # any comment is an answer
    elif name == "deadline_missed":
        for handler, what in itertools.product((None, "Sanne"), ("first_contact", "resolution")):
            yield {
                "handler_name": handler,
                "what": what,
                "promise_day": DAY[language],
                "promise_time": "12:00",
            }
    elif name == "survey_reminder":
        yield {"survey_day": DAY[language]}
    else:
        yield {}


FOLLOWUP_TEMPLATES = [
    "confirmation",
    "execution_check",
    "execution_check_reply",
    "survey",
    "survey_question",
    "survey_reminder",
    "followup_closing",
    "deadline_missed",
]
# Everything but a reply mid-conversation names the case: it may arrive days later.
NAMES_THE_CASE = {
    "confirmation",
    "execution_check",
    "survey",
    "survey_reminder",
    "followup_closing",
    "deadline_missed",
}


def renders(language: str, name: str) -> Iterator[tuple[dict[str, Any], str]]:
    for variant, anger in itertools.product(range(6), (0, 2)):
        for extra in extras(language, name):
            context = base(variant, anger, "service_execution") | extra
            yield context, render_message(language, name, **context)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", FOLLOWUP_TEMPLATES)
def test_followup_message_keeps_to_the_wording_rules(language: str, name: str) -> None:
    texts = set()
    for context, text in renders(language, name):
        texts.add(text)
        where = f"{language}/{name} {context}: {text!r}"
        if name in NAMES_THE_CASE or context.get("step") == "reopened":
            assert CASE in text, where
        assert text.count("?") <= 1 or name == "confirmation", where
        for pattern in [*UNHELPFUL, *ROBOT]:
            assert not re.search(pattern, text, re.IGNORECASE), f"{pattern} in {where}"
        if language == "nl":
            assert not re.search(INFORMAL_DUTCH, text, re.IGNORECASE), where
        for sloppy in ("  ", " .", " ,", "..", "None", "{{", "}}"):
            assert sloppy not in text, where
        assert all(line == line.strip() for line in text.splitlines()), where
    assert len(texts) >= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_confirmation_holds_words_agreement_who_when_and_how_to_add(language: str) -> None:
    for context, text in renders(language, "confirmation"):
        for sentence in context["summary"]:
            assert f'"{sentence}"' in text, text
        assert context["promise_day"] in text, text
        assert "17:00" in text, text
        if context["handler_name"]:
            assert context["handler_name"] in text, text
        if context["resolve_day"]:
            assert context["resolve_day"] in text, text
        if context["outcome"]:
            assert context["outcome"] in text, text
        reply_here = (
            ("antwoorden", "antwoord op dit bericht")
            if language == "nl"
            else ("reply to this message",)
        )
        assert any(words in text for words in reply_here) == context["by_email"], text


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_questions_ask_for_a_score_except_the_comment(language: str) -> None:
    for context, text in renders(language, "survey_question"):
        assert ("1" in text and "5" in text) == (context["question"] != "comment"), text
    for _, text in renders(language, "survey"):
        assert "1" in text, text
        assert "5" in text, text
