"""Sentence splitting, greeting/sign-off removal and key-sentence ranking."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.cues import complaint_strength, has_complaint_cue
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


@dataclass(frozen=True)
class Body:
    """The sentences that carry the matter, each also folded, so no step folds them again."""

    sentences: tuple[str, ...]
    folded: tuple[str, ...]


def body_sentences(text: str) -> Body:
    """Sentences without greeting lines, sign-off and what follows it (signature, contact data)."""
    out: list[str] = []
    folded_out: list[str] = []
    for sentence in split_sentences(text):
        folded = fold(sentence)
        if _SIGN_OFF.match(folded):
            if out:
                break
            continue
        greeting = _GREETING.match(folded)
        if greeting:
            rest = sentence[greeting.end() :].strip()
            if not rest:
                continue
            sentence = rest
            folded = fold(rest)
        out.append(sentence)
        folded_out.append(folded)
    return Body(tuple(out), tuple(folded_out))


def key_sentences(body: Body, limit: int = 3) -> tuple[str, ...]:
    """Top `limit` sentences by cue score, in original order; first sentence when no cue fires."""
    sentences = body.sentences
    if len(sentences) <= 1:
        return sentences
    if len(sentences) <= limit:
        # Every sentence with a cue makes the cut, so whether a cue fires is all that matters.
        kept = tuple(s for s, f in zip(sentences, body.folded, strict=True) if has_complaint_cue(f))
        return kept or (sentences[0],)
    scored = [(complaint_strength(f), i) for i, f in enumerate(body.folded)]
    best = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
    if not best:
        return (sentences[0],)
    return tuple(sentences[i] for _, i in sorted(best, key=lambda x: x[1]))
