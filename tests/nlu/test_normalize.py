"""Folding is done once per sentence; the pipeline relies on it never reaching across lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu.normalize import fold

# Letters whose folding depends on their neighbours or changes the length (final sigma,
# dotted I, ligatures, combining marks, stretched letters, spaces that fold to one).
_TRICKY = "Σ\u03c3ςİI\u0131ﬁßéèe\u0301\u0308\u00a8\u00a0 \t\r''\u2019aaaAAA!?."


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.one_of(st.sampled_from(_TRICKY), st.characters()), min_size=1)
        .map(str.strip)
        .filter(lambda s: s and "\n" not in s),
        min_size=1,
        max_size=4,
    )
)
def test_folding_joined_sentences_is_joining_folded_sentences(sentences: list[str]) -> None:
    assert fold("\n".join(sentences)) == "\n".join(fold(s) for s in sentences)


def test_folding_is_what_the_cues_expect() -> None:
    assert fold("Héééél  VERVELEND\u2019s") == "heel vervelend's"
