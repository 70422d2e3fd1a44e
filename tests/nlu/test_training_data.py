"""The extra training files hold valid labels and never a held-out message."""

from __future__ import annotations

from bench.nlu_accuracy import HELD_OUT
from bot.nlu.normalize import fold
from bot.nlu.training import CORPUS_FILES, EXTRA_FILES, GENERAL_WORDS, load_rows
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
    training = _texts(CORPUS_FILES + EXTRA_FILES)
    for held_out in HELD_OUT.values():
        assert not _texts((held_out,)) & training, held_out


def test_the_word_vectors_hold_every_training_word() -> None:
    """A training file changed without `python -m bot.nlu.training words` leaves words without a
    meaning. (The table also holds common words no training row has: see `GENERAL_WORDS`.)"""
    rows = load_rows(CORPUS_FILES + EXTRA_FILES)
    table = set(shipped_word_vectors().words)
    training = set(vocabulary([row["text"] for row in rows]))
    assert training <= table
    assert len(table - training) >= GENERAL_WORDS
