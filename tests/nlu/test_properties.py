from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.nlu import CATEGORIES, INTENTS, LANGUAGES, Language, Understanding, understand

TODAY = date(2026, 3, 20)


def _check(result: Understanding) -> None:
    assert result.language in ("nl", "en")
    assert result.intent in INTENTS
    assert result.category is None or result.category in CATEGORIES
    assert (result.category is not None) == (result.intent == "complaint")
    assert (result.explicit is not None) == (result.intent == "complaint")
    assert result.anger in (0, 1, 2)
    assert len(result.key_sentences) <= 3
    for date_iso in result.slots.dates:
        date.fromisoformat(date_iso)
    result.to_dict()


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from((*LANGUAGES, None)))
def test_any_text_never_crashes(text: str, previous: Language | None) -> None:
    _check(understand(text, today=TODAY, previous_language=previous))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["gisteren", "3 maart", "€ 15,50", "06-12345678", "kapot", "!!", "?", "Groet,\n",
             "a@b.nl", "31-02-2026", "99 december", "ordernummer", "0", "\n\n", "Met ", "X."]
        ),
        max_size=30,
    )
)
def test_slot_fragments_never_crash(parts: list[str]) -> None:
    _check(understand(" ".join(parts), today=TODAY))


def test_empty_and_very_long_text() -> None:
    _check(understand("", today=TODAY))
    _check(understand("   \n\t ", today=TODAY))
    long_text = "Ik wacht al weken op mijn bestelling. " * 20000
    result = understand(long_text, today=TODAY)
    _check(result)
    assert result.intent == "complaint"
