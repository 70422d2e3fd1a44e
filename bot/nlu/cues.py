"""Cue hits for one message, computed once and shared by intent, category and anger."""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu import lexicon as lx


@dataclass(frozen=True)
class Cues:
    emergency: bool
    dispute: bool
    nuisance: bool
    explicit: int
    hidden: int
    problem: int
    repair_request: bool
    repair_words: bool
    compliment: bool
    contrast: bool
    question: bool

def find_cues(folded: str) -> Cues:
    stripped = folded.strip()
    neighbour = lx.NEIGHBOUR.search(folded) is not None
    return Cues(
        emergency=lx.EMERGENCY.search(folded) is not None,
        dispute=lx.DISPUTE.search(folded) is not None,
        nuisance=bool(
            lx.OVERLAST.search(folded) or (neighbour and lx.NUISANCE.search(folded))
        ),
        explicit=len(lx.EXPLICIT.findall(folded)),
        hidden=len(lx.HIDDEN.findall(folded)),
        problem=len(lx.PROBLEM.findall(folded)),
        repair_request=lx.REPAIR_REQUEST.search(folded) is not None,
        repair_words=lx.REPAIR_WORDS.search(folded) is not None,
        compliment=lx.COMPLIMENT.search(folded) is not None,
        contrast=lx.CONTRAST.search(folded) is not None,
        question="?" in stripped or lx.QUESTION_START.match(stripped) is not None,
    )

def complaint_strength(folded: str) -> int:
    """Weight of complaint cues in one sentence, used to rank key sentences."""
    return (
        3 * len(lx.EMERGENCY.findall(folded))
        + 2 * len(lx.DISPUTE.findall(folded))
        + 2 * len(lx.EXPLICIT.findall(folded))
        + 2 * len(lx.HIDDEN.findall(folded))
        + len(lx.PROBLEM.findall(folded))
        + len(lx.OVERLAST.findall(folded))
    )
