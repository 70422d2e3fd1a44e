"""The conversations after resolution, as generator flows: each yields the next question
and receives the customer's answer; its return value is the outcome.

Pure, and replayable: the stored answers are sent in again to find where a conversation
stands, so nothing but the answers needs to be kept between messages or across a restart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue.answers import beyond_yes_no, read_answer

YES_NO = ("yes", "no")
SCORES = ("1", "2", "3", "4", "5")
RATINGS = ("listened", "informed", "resolved")
_SCORE = re.compile(r"(?<!\d)([1-5])(?!\d)")
_NO_COMMENT = re.compile(
    r"^\W*(nee|neen|no|nope|geen|niets|nothing|none|n\.?v\.?t\.?|-)\W*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Ask:
    """Put this question to the customer (a template under templates/messages/)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckOutcome:
    as_agreed: bool
    words: str  # what the customer said, for the handler


@dataclass(frozen=True)
class SurveyOutcome:
    overall: int
    listened: int
    informed: int
    resolved: int
    comment: str | None


Flow = Generator[Ask, str, Any]


def read_score(text: str) -> int | None:
    found = _SCORE.search(text)
    return int(found.group(1)) if found else None


def execution_check() -> Generator[Ask, str, CheckOutcome]:
    answer = yield Ask("execution_check", {}, YES_NO)
    said = [answer]
    if read_answer(answer) not in ("yes", "no"):
        answer = yield Ask("execution_check_reply", {"step": "again"}, YES_NO)
        said.append(answer)
    if read_answer(answer) == "yes":
        return CheckOutcome(True, " ".join(said))
    words = " ".join(part for part in (*said[:-1], beyond_yes_no(answer)) if part.strip())
    if len(words.split()) < 2:
        # "Nee" alone tells the handler nothing: ask what did not happen.
        words = yield Ask("execution_check_reply", {"step": "what"})
    # Anything other than a clear yes goes back to a person: better once too often.
    return CheckOutcome(False, words.strip())


def _score(question: str, first: bool = False) -> Generator[Ask, str, int]:
    answer = yield Ask("survey" if first else "survey_question", {"question": question}, SCORES)
    while (score := read_score(answer)) is None:
        answer = yield Ask("survey_question", {"question": question, "again": True}, SCORES)
    return score


def survey() -> Generator[Ask, str, SurveyOutcome]:
    overall = yield from _score("overall", first=True)
    ratings = []
    for rating in RATINGS:
        ratings.append((yield from _score(rating)))
    comment = yield Ask("survey_question", {"question": "comment"})
    listened, informed, resolved = ratings
    kept = None if _NO_COMMENT.match(comment) else comment.strip()[:2000]
    return SurveyOutcome(overall, listened, informed, resolved, kept)


FLOWS: dict[str, Callable[[], Flow]] = {"execution_check": execution_check, "survey": survey}


def replay(kind: str, answers: Sequence[str]) -> Ask | CheckOutcome | SurveyOutcome:
    """Where the flow `kind` stands after `answers`: the next question, or its outcome.

    The first question is the one already sent (a scheduled outbox row), so it is skipped.
    """
    flow = FLOWS[kind]()
    step = next(flow)
    try:
        for answer in answers:
            step = flow.send(answer)
    except StopIteration as done:
        outcome: CheckOutcome | SurveyOutcome = done.value
        return outcome
    return step
