"""Benchmarks run in rounds: the baseline, then klachtbot, back to back, several times.

Runs of the same program vary by a third on a shared machine; a round's two runs saw the
machine in the same state, so the round with the median ratio is the one reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class Paired(Protocol):
    @property
    def ratio(self) -> float: ...


_Round = TypeVar("_Round", bound=Paired)


def median_round(rounds: Sequence[_Round]) -> _Round:
    """The round with the median ratio (the lower middle one of an even number); a
    best-of-each would pair runs from different moments."""
    return sorted(rounds, key=lambda r: r.ratio)[(len(rounds) - 1) // 2]
