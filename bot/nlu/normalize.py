"""Text normalisation shared by all cue matchers."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'"})
# Customers stretch words for emphasis ("heeeel", "sooo"); three or more repeats never occur in
# correctly spelt Dutch or English, so squeezing them to two keeps the lexicon small.
_REPEATS = re.compile(r"(\w)\1{2,}")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Lowercase, strip accents, unify quotes and squeeze stretched letters."""
    text = text.translate(_QUOTES).lower()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text)


def words(folded: str) -> list[str]:
    """Word tokens of already folded text."""
    return _WORD.findall(folded)
