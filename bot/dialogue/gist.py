"""The gist of a story: one clean, whole sentence in the customer's own words.

Shown back to the customer ("In uw woorden: …") and to the handler, so it must read as a
sentence: never a shouted line ("THIS IS RIDICULOUS!!!"), never a piece cut off inside a
number or after an abbreviation ("99 euro terug."), never a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A sentence ends at . ! ? followed by space; the splitter below then glues back pieces that
# were not real ends (an abbreviation, a number, a lone initial).
_END = re.compile(r"(?<=[.!?])\s+(?=\S)|\s*\n+\s*")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:ca|bijv|bv|nr|no|evt|o\.a|d\.w\.z|i\.p\.v|m\.b\.t|t\.a\.v|z\.s\.m|mr|mrs|ms|dr|"
    r"e\.g|i\.e|etc|vs|st|jan|feb|mrt|apr|aug|sep|sept|okt|oct|nov|dec|[A-Za-z])\.$",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")
_REPEATED_MARKS = re.compile(r"([!?.])[!?.]+")
_SPACES = re.compile(r"\s+")
# A greeting before the first words ("Goedemiddag, ik …") is not part of the sentence.
_GREETING = re.compile(
    r"^(?:goede(?:morgen|middag|navond)|goeiemorgen|goeiemiddag|hallo|hoi|beste|geachte|dag"
    r"|hello|hi|dear|good (?:morning|afternoon|evening))\b[^,.!?]{0,40}[,!.:]\s*",
    re.IGNORECASE,
)
# Who the customer is or how to reach them: registration, not what happened.
_INTRODUCTION = re.compile(
    r"^(?:(?:[Ii]k ben|I am|I'm|[Tt]his is|[Hh]ier is) (?:de |mevrouw |meneer |mevr\.? |dhr\.? "
    r"|mr\.? |mrs\.? |ms\.? )?[A-Z]|(?:[Mm]ijn naam is|[Mm]y name is)\b)"
)
_CONTACT = re.compile(r"@|\b0\d[\d -]{7,}")
# Too short to say what happened ("Belachelijk!", "Hallo,"), too long to read back.
MIN_WORDS = 4
MAX_CHARS = 240


def sentences(text: str) -> list[str]:
    """Whole sentences: a piece that starts with a small letter or a digit, or follows an
    abbreviation, continues the sentence before it."""
    out: list[str] = []
    for piece in _END.split(text.strip()):
        piece = piece.strip()
        if not piece:
            continue
        continues = piece[0].islower() or piece[0].isdigit() or piece[0] in ",;:)€"
        if out and (continues or _ABBREVIATION.search(out[-1])):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def shouted(sentence: str) -> bool:
    """Mostly capitals: written in anger, not to be quoted as it stands."""
    letters = _LETTER.findall(sentence)
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.6


def calm(sentence: str) -> str:
    """The sentence with the shouting and a leading greeting taken out: ordinary case, one
    closing full stop."""
    text = _SPACES.sub(" ", sentence).strip()
    rest = _GREETING.sub("", text)
    if rest != text and rest:
        text = rest[:1].upper() + rest[1:]
    if shouted(text):
        text = text.lower()
        text = re.sub(r"\bi\b", "I", text)  # English "I" stays a capital
        text = text[:1].upper() + text[1:]
    text = _REPEATED_MARKS.sub(r"\1", text).rstrip(" ,;:-!")
    if not text.endswith((".", "?")):
        text += "."
    return text


def outburst(sentence: str) -> bool:
    """An exclamation rather than an account: "!!", or shouting that ends in "!"."""
    return "!!" in sentence or (shouted(sentence) and "!" in sentence)


def _usable(original: str, text: str) -> bool:
    first = text[:1]
    return (
        not outburst(original)
        and not _INTRODUCTION.match(text)
        and not _CONTACT.search(text)
        and len(text.split()) >= MIN_WORDS
        and len(text) <= MAX_CHARS
        and not text.endswith("?")
        and (first.isupper() or first.isdigit())
    )


def gist(story: Iterable[str], key_sentences: Iterable[str] = (), wish: str | None = None) -> str:
    """The first usable key sentence, else the first usable sentence of the story, as a whole
    sentence without shouting; "" when the story has none (a greeting, one word, a question).

    A sentence holding the customer's `wish` comes last: it says what would help, not what
    happened (a form puts the wish on a line of its own, which may carry the stronger cue)."""
    whole = sentences("\n".join(story))
    # A key sentence may be a piece of a sentence the understanding split too early: use the
    # whole sentence it lies in.
    keys = [
        next((s for s in whole if key.strip() and key.strip() in s), key) for key in key_sentences
    ]
    candidates = [*keys, *whole]
    if wish and wish.strip():
        candidates.sort(key=lambda candidate: wish.strip() in candidate)
    for candidate in candidates:
        text = calm(candidate)
        if _usable(candidate, text):
            return text
    return ""
