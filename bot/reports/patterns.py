"""Patterns: counts that rose clearly above their own past, and phrases customers repeat.

The rule for a rise, per topic, product, complex or handler: the period's count `c` is
compared with the mean `m` of the same value over the BASELINE periods of equal length
before it. It is a pattern when all three hold:

- `c >= MIN_COUNT` (a handful of cases is no pattern),
- `c >= RATIO * m` (at least double its usual level),
- under a Poisson distribution with mean `max(m, FLOOR)`, a count of `c` or more has a
  probability below `SURPRISE` (not the ordinary ups and downs of small numbers).

Pure: counts in, patterns out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

DIMENSIONS = ("topic", "product", "complex", "handler")
BASELINE = 6
MIN_COUNT = 5
RATIO = 2.0
SURPRISE = 0.01
# A value never seen before is measured against half a case per period, not zero.
FLOOR = 0.5


@dataclass(frozen=True)
class Rise:
    dimension: str  # topic | product | complex | handler
    value: str
    count: int
    baseline: float  # mean count per period over the baseline
    probability: float  # P(X >= count) under the baseline


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean)."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = term
    for k in range(1, count):
        term *= mean / k
        below += term
    return max(0.0, 1.0 - below)


def rises(
    dimension: str, current: Mapping[str, int], history: Sequence[Mapping[str, int]]
) -> list[Rise]:
    """The values of `current` that rose clearly above their mean over `history`."""
    found = []
    for value, count in current.items():
        mean = sum(period.get(value, 0) for period in history) / len(history) if history else 0.0
        if count < MIN_COUNT or count < RATIO * mean:
            continue
        probability = poisson_tail(count, max(mean, FLOOR))
        if probability < SURPRISE:
            found.append(Rise(dimension, value, count, round(mean, 2), probability))
    return sorted(found, key=lambda rise: (rise.probability, -rise.count))


# A complex is an address without its house number: "Kerkstraat 12a, Utrecht" and
# "Kerkstraat 14, Utrecht" are the same block.
# Words that carry no complaint by themselves: a phrase must not start or end with one.
_FUNCTION_WORDS_TEXT = """
de het een en of van in op te met voor aan bij naar om over uit tot dat die dit deze er
is was zijn ben bent wordt werd heb heeft hebben had ik je u uw mijn ons onze we wij ze zij hij
niet geen wel al nog ook maar dan als zo toch nu weer heel erg
the a an and or of in on to with for at by from about that this these those there
is was are were be been am have has had i you your my our we they he she it its
not no yet also but then so just very again
"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
PHRASE_WORDS = (2, 3)
MIN_CASES = 3
PHRASES = 10


def _phrases(sentence: str) -> set[str]:
    words = [word.lower() for word in _WORD.findall(sentence)]
    found = set()
    for size in PHRASE_WORDS:
        for at in range(len(words) - size + 1):
            gram = words[at : at + size]
            if gram[0] not in _FUNCTION_WORDS and gram[-1] not in _FUNCTION_WORDS:
                found.add(" ".join(gram))
    return found


def recurring_phrases(key_sentences: Iterable[Sequence[str]]) -> list[tuple[str, int]]:
    """Two- and three-word phrases found in the key sentences of at least MIN_CASES cases
    (counted once per case), most cases first; a two-word phrase that only ever occurs
    inside a longer one in the list is left out."""
    counts: Counter[str] = Counter()
    for sentences in key_sentences:
        counts.update(set().union(*(_phrases(s) for s in sentences)) if sentences else ())
    common = {phrase: n for phrase, n in counts.items() if n >= MIN_CASES}
    kept = [
        (phrase, n)
        for phrase, n in common.items()
        if not any(
            longer != phrase and n == m and f" {phrase} " in f" {longer} "
            for longer, m in common.items()
        )
    ]
    return sorted(kept, key=lambda item: (-item[1], item[0]))[:PHRASES]
