"""The extra training files hold valid labels and never a held-out message."""

from __future__ import annotations

from bot.nlu.normalize import fold
from bot.nlu.training import CORPUS_FILES, EXTRA_FILES, load_rows
from bot.nlu.types import CATEGORIES, INTENTS, LANGUAGES
from bot.nlu.word_vectors import shipped_word_vectors, vocabulary


def test_the_topic_messages_are_labelled_complaints() -> None:
    rows = load_rows(("topics_train.jsonl",))
    assert len(rows) >= 300
    for row in rows:
        assert row["intent"] == "complaint", row["text"]
        assert row["category"] in CATEGORIES, row["text"]
        assert isinstance(row["explicit"], bool), row["text"]
        assert row["anger"] in (0, 1, 2), row["text"]
        assert row["language"] in LANGUAGES, row["text"]
    assert {row["category"] for row in rows} >= set(CATEGORIES) - {"other"}


def test_every_training_row_has_a_known_intent() -> None:
    for row in load_rows(CORPUS_FILES + EXTRA_FILES):
        assert row["intent"] in INTENTS, row["text"]


def _texts(names: tuple[str, ...]) -> set[str]:
    # Short replies ("ok, bedankt") recur in any two sets written apart; a longer message
    # found in both was copied.
    return {t for row in load_rows(names) if len(t := fold(row["text"]).strip()) >= 30}


def test_no_training_message_is_a_held_out_one() -> None:
    """Training on a held-out message would make its figure a fit, not a result."""
    assert not _texts(("corpus_holdout.jsonl",)) & _texts(CORPUS_FILES + EXTRA_FILES)


def test_the_word_vectors_are_built_from_the_training_words() -> None:
    """A training file changed without `python -m bot.nlu.training words` leaves words without a
    meaning; a table built from other files would carry words no training row has."""
    rows = load_rows(CORPUS_FILES + EXTRA_FILES)
    assert set(shipped_word_vectors().words) == set(vocabulary([row["text"] for row in rows]))
