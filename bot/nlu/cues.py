"""Cue hits for one message: what the intent decision and the key-sentence ranking need."""

from __future__ import annotations

from functools import cached_property

from bot.nlu import lexicon as lx
from bot.nlu.emergency import shows_danger

# What makes a sentence a key sentence, strongest first; the weights rank sentences. Danger
# (weight 3) is tested by the safety net itself.
_DANGER_WEIGHT = 3
_STRENGTH = (
    (2, lx.DISPUTE),
    (2, lx.EXPLICIT),
    (2, lx.HIDDEN),
    (1, lx.PROBLEM),
    (1, lx.OVERLAST),
)


class Cues:
    """Which cue groups fire in one folded message.

    Each group is scanned on first use only: the intent decision stops at the first decisive
    cue (danger, a legal word), so most messages never need the later groups.
    """

    def __init__(self, folded: str, danger_in: str | None = None) -> None:
        self._folded = folded
        # The safety net may read more than the matter (the whole text, signature and all).
        self._danger_in = folded if danger_in is None else danger_in

    @cached_property
    def emergency(self) -> bool:
        return shows_danger(self._danger_in)

    @cached_property
    def dispute(self) -> bool:
        return lx.DISPUTE.search(self._folded) is not None

    @cached_property
    def nuisance(self) -> bool:
        folded = self._folded
        if lx.OVERLAST.search(folded):
            return True
        return lx.NEIGHBOUR.search(folded) is not None and lx.NUISANCE.search(folded) is not None


def find_cues(folded: str, danger_in: str | None = None) -> Cues:
    return Cues(folded, danger_in)


def complaint_strength(folded: str) -> int:
    """Weight of complaint cues in one sentence, used to rank key sentences."""
    danger = _DANGER_WEIGHT if shows_danger(folded) else 0
    return danger + sum(weight * len(pattern.findall(folded)) for weight, pattern in _STRENGTH)


def has_complaint_cue(folded: str) -> bool:
    """Whether `complaint_strength(folded)` is above zero, without counting every hit."""
    return shows_danger(folded) or any(pattern.search(folded) for _, pattern in _STRENGTH)
