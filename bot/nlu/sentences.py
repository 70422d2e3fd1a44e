"""Sentence splitting, greeting/sign-off removal and key-sentence ranking."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.nlu.normalize import fold

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=\S)|\n+")
# A lone initial ("J. de Vries") must not end a sentence.
_INITIAL_END = re.compile(r"(?:^|\s)[A-Z]\.$")
_GREETING = re.compile(
    r"^(geachte|beste|hallo|hoi|hey|hee|dag|goede(morgen|middag|navond)|goedemorgen|goedemiddag|"
    r"goedenavond|l\.s\.|dear|hello|hi|good (morning|afternoon|evening))\b[^,.!?\n]{0,40}[,.!:]?\s*"
)
_SIGN_OFF = re.compile(
    r"^(met )?(vriendelijke|hartelijke|beste|hoogachtende?)? ?groet(en|jes)?\b|^mvg\b|^m\.v\.g\b|"
    r"^(kind|best|warm|many)? ?regards\b|^(thanks|thank you|many thanks|cheers|sincerely|"
    r"yours (sincerely|faithfully)|alvast bedankt|bij voorbaat dank|groetjes)[,.! ]*$"
)


def split_sentences(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _SPLIT.split(text.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if parts and _INITIAL_END.search(parts[-1]) and "\n" not in parts[-1]:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


def body_sentences(text: str) -> list[str]:
    """Sentences without greeting lines, sign-off and what follows it (signature, contact data)."""
    out: list[str] = []
    for sentence in split_sentences(text):
        folded = fold(sentence)
        if _SIGN_OFF.match(folded) and out:
            break
        if _SIGN_OFF.match(folded):
            continue
        greeting = _GREETING.match(folded)
        if greeting:
            rest = sentence[greeting.end() :].strip()
            if not rest:
                continue
            sentence = rest
        out.append(sentence)
    return out


def key_sentences(
    sentences: list[str], score: Callable[[str], int], limit: int = 3
) -> tuple[str, ...]:
    """Top `limit` sentences by cue score, in original order; first sentence when no cue fires."""
    if not sentences:
        return ()
    scored = [(score(s), i) for i, s in enumerate(sentences)]
    best = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
    if not best:
        return (sentences[0],)
    return tuple(sentences[i] for _, i in sorted(best, key=lambda x: x[1]))
