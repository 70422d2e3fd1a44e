"""The wording coach: unhelpful phrases in a handler's draft reply, each with a helpful form.

Pure matching over the phrase lists in `templates/web/{nl,en}/coach.html.j2` (the words are
data, in both languages); the desk asks it while the handler types (`/coach`, an htmx round
trip: no inline script under the Content-Security-Policy). It only points out: the handler
decides, and can send the reply as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from common.templates import environment

# Typographic quotes and dashes count as the plain ones; any run of spaces as one.
_PLAIN = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


@dataclass(frozen=True)
class Hint:
    found: str  # the phrase as the list has it
    why: str
    instead: str


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    hint: Hint


def _normal(text: str) -> str:
    return " ".join(text.translate(_PLAIN).lower().split())


@cache
def _rules(language: str) -> tuple[_Rule, ...]:
    entries = environment().get_template(f"web/{language}/coach.html.j2").module.phrases  # type: ignore[attr-defined]
    rules = []
    for entry in entries:
        for phrase in entry["find"]:
            # Whole words: "maar" in "maart" is no "ja, maar".
            words = r"[\s,]+".join(map(re.escape, re.findall(r"[^\s,]+", _normal(phrase))))
            pattern = re.compile(rf"(?<!\w){words}(?!\w)")
            rules.append(_Rule(pattern, Hint(phrase, entry["why"], entry["instead"])))
    return tuple(rules)


def words(language: str) -> object:
    """The coach's own words (title, labels) in `language`, for the hints' template."""
    return environment().get_template(f"web/{language}/coach.html.j2").module


def hints(text: str, language: str) -> list[Hint]:
    """The unhelpful phrases in `text`, in the order of the list, each once."""
    normal = _normal(text)
    found: list[Hint] = []
    for rule in _rules(language):
        if rule.pattern.search(normal) and all(h.why != rule.hint.why for h in found):
            found.append(rule.hint)
    return found
