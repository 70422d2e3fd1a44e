"""The fast cue layout must find exactly the matches of the plain alternation it replaces."""

from __future__ import annotations

import json
import re
from importlib import resources

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu.normalize import fold
from bot.nlu.rx import alternation, layout, top_level_alternatives

# Shapes the lexicon uses, and shapes that would trip a naive `|` split.
TRICKY = (
    r"\b(er is|staat in|in) brand\b|^brand\b|\bbrand!",
    r"\bnobody|no one|no-one\b",
    r"\bzou(den)?\b(?![^.?!]{0,40}\b(kunnen|willen)\b)[^.?!]{0,50}\b(worden|komen)\b",
    r"[|]a|\|b|[]|]c|[^]|]d",
    r"\b(?:x|y)z|\bq\w*",
    r"\u20ac|\bgeld\b",
    r"\bal\b[^.?!]{0,12}\b(dagen|weken)\b",
)

# Short alternatives that overlap each other, so the order in which they are tried shows.
SHORT = (r"\bno", "o", r"\bn\w*", "^n", r"e\b", "n", r"\bn", r"o\b|\bb", r"\b(n|no)e")
# Leading groups, spread over the alternatives unless a quantifier follows.
GROUPED = (
    r"(?:o|n)?b",
    r"\b(?:n|o)??o",
    r"(?:b|o)?+n",
    r"\b(n|o)+b",
    r"\b(?:n(?:o|e)|b)\w*",
    r"(b|[]n])o",
    r"\b(e|n)\b",
)


def _plain(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def _corpus() -> list[str]:
    texts = [
        "brand in de keuken",
        "er is brand!",
        "piano one, no-one, nobody",
        "a|b ]c |a d",
        "xz yz qqq",
        "\u20ac 12 geld",
        "ik wacht al drie dagen, al weken",
        "zou worden",
    ]
    for name in ("seed_eval", "seed_holdout", "corpus_train"):
        path = resources.files("bot.nlu").joinpath(f"data/{name}.jsonl")
        with path.open(encoding="utf-8") as fh:
            texts += [fold(json.loads(line)["text"]) for line in fh if line.strip()]
    return texts


def test_split_respects_groups_classes_and_escapes() -> None:
    assert top_level_alternatives(r"a|(b|c)|[|]|\||[]|]") == ["a", "(?:b|c)", "[|]", r"\|", "[]|]"]
    assert top_level_alternatives("abc") == ["abc"]


def test_groups_become_non_capturing_outside_classes_and_escapes() -> None:
    assert top_level_alternatives(r"\b(a|b)\(c[(]|(?:d)(?P<e>f)") == [
        r"\b(?:a|b)\(c[(]",
        "(?:d)(?P<e>f)",
    ]
    assert alternation(r"\b(on )?fire\b", r"\b(ruik|rook)\w*\b[^.?!]{0,30}\bgas\b").groups == 0


def test_boundary_runs_share_one_test_in_order() -> None:
    assert layout(r"\ba|\bb", "c", r"\bd") == r"\b(?:a|b)|c|\b(?:d)"


def test_a_leading_group_is_spread_over_its_alternatives_in_order() -> None:
    assert layout(r"\b(a|(?:b|c)d)e\b", r"(x|y)*z") == r"\b(?:ae\b|bde\b|cde\b)|(?:x|y)*z"
    assert layout(r"\b(?:niet )?klant", "(x|y)??z") == r"\b(?:niet klant|klant)|(?:x|y)??z"


def test_tricky_patterns_match_like_the_plain_alternation() -> None:
    fast, plain = alternation(*TRICKY), _plain(*TRICKY)
    for text in _corpus():
        assert _spans(fast, text) == _spans(plain, text), text


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(TRICKY + SHORT + GROUPED), min_size=1, max_size=8),
    st.text(alphabet="bno |]", max_size=12),
)
def test_any_order_of_alternatives_matches_like_the_plain_alternation(
    patterns: list[str], text: str
) -> None:
    assert _spans(alternation(*patterns), text) == _spans(_plain(*patterns), text)
