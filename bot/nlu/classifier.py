"""Tiny multinomial naive Bayes over word unigrams and bigrams.

Trained at import from the shipped `data/train.jsonl` (a few hundred lines, ~10 ms), so there
is no weights file to keep in sync. It is only consulted where the rules find no cue at all:
rules give precise, explainable decisions, the model covers wording the lexicon lacks.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

from bot.nlu.normalize import fold, words

# Cheap suffix stripping: enough to merge "bestelling/bestellingen", "parcel/parcels".
_SUFFIXES = ("ingen", "ing", "en", "es", "s", "e")


def _stem(word: str) -> str:
    if len(word) > 4:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
    return word


def features(folded: str) -> list[str]:
    stems = [_stem(w) for w in words(folded)]
    return stems + [f"{a}_{b}" for a, b in pairwise(stems)]


@dataclass(frozen=True)
class NaiveBayes:
    labels: tuple[str, ...]
    log_prior: dict[str, float]
    log_likelihood: dict[str, dict[str, float]]
    log_unseen: dict[str, float]

    @classmethod
    def train(cls, examples: list[tuple[str, str]], alpha: float = 0.5) -> NaiveBayes:
        counts: dict[str, Counter[str]] = {}
        docs: Counter[str] = Counter()
        for text, label in examples:
            docs[label] += 1
            counts.setdefault(label, Counter()).update(features(fold(text)))
        vocab = {f for c in counts.values() for f in c}
        total_docs = sum(docs.values())
        log_prior = {lab: math.log(n / total_docs) for lab, n in docs.items()}
        log_likelihood: dict[str, dict[str, float]] = {}
        log_unseen: dict[str, float] = {}
        for lab, c in counts.items():
            denom = sum(c.values()) + alpha * (len(vocab) + 1)
            log_likelihood[lab] = {f: math.log((n + alpha) / denom) for f, n in c.items()}
            log_unseen[lab] = math.log(alpha / denom)
        return cls(tuple(sorted(docs)), log_prior, log_likelihood, log_unseen)

    def probabilities(self, folded: str) -> dict[str, float]:
        feats = features(folded)
        scores = {}
        for lab in self.labels:
            table, unseen = self.log_likelihood[lab], self.log_unseen[lab]
            scores[lab] = self.log_prior[lab] + sum(table.get(f, unseen) for f in feats)
        top = max(scores.values())
        exp = {lab: math.exp(s - top) for lab, s in scores.items()}
        total = sum(exp.values())
        return {lab: v / total for lab, v in exp.items()}


def _load_training() -> list[dict[str, object]]:
    path = resources.files("bot.nlu").joinpath("data/train.jsonl")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@cache
def intent_model() -> NaiveBayes:
    rows = _load_training()
    return NaiveBayes.train([(str(r["text"]), str(r["intent"])) for r in rows])


@cache
def category_model() -> NaiveBayes:
    rows = _load_training()
    return NaiveBayes.train(
        [(str(r["text"]), str(r["category"])) for r in rows if r.get("category")]
    )
