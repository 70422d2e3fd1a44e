"""Tiny multinomial naive Bayes over word stems, stem bigrams and character n-grams.

Trained on first use from the shipped `data/train.jsonl` (a few hundred lines, tens of ms), so
there is no weights file to keep in sync. Character 3- and 4-grams inside words let the model
match inflections, compounds and typos it has never seen ("bezoring", "teruggestort").

Three models share the features: intent (consulted where no rule fires), complaint-or-not
(a binary second opinion on messages the rules would call a question, compliment or nothing)
and topic (where no topic keyword fires).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from itertools import pairwise, repeat

from bot.nlu.normalize import fold, words

# Cheap suffix stripping: enough to merge "bestelling/bestellingen", "parcel/parcels".
_SUFFIXES = ("ingen", "ing", "en", "es", "s", "e")


# Customers use the same few thousand words over and over: what each word contributes is kept
# (bounded, so odd input cannot grow it without limit).
_WORDS_KEPT = 1 << 14


@lru_cache(maxsize=_WORDS_KEPT)
def _stem(word: str) -> str:
    if len(word) > 4:
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
    return word


@lru_cache(maxsize=_WORDS_KEPT)
def _word_grams(word: str) -> tuple[str, ...]:
    """Character 3- and 4-grams of a word, none for short words and numbers."""
    if len(word) <= 2 or word.isdigit():
        return ()
    padded = f"<{word}>"
    return tuple(padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1))


# One message is scored by up to three models (complaint-or-not, intent, topic); its features
# are the same for each, so the last few are kept.
@lru_cache(maxsize=8)
def features(folded: str) -> tuple[str, ...]:
    tokens = words(folded)
    stems = [_stem(w) for w in tokens]
    out = stems + [f"{a}_{b}" for a, b in pairwise(stems)]
    for w in tokens:
        out.extend(_word_grams(w))
    return tuple(out)


@dataclass(frozen=True)
class NaiveBayes:
    labels: tuple[str, ...]
    log_prior: dict[str, float]
    log_likelihood: dict[str, dict[str, float]]
    log_unseen: dict[str, float]

    @classmethod
    def train(
        cls, examples: list[tuple[str, str]], alpha: float = 1.0, uniform_prior: bool = False
    ) -> NaiveBayes:
        counts: dict[str, Counter[str]] = {}
        docs: Counter[str] = Counter()
        for text, label in examples:
            docs[label] += 1
            counts.setdefault(label, Counter()).update(features(fold(text)))
        vocab = {f for c in counts.values() for f in c}
        total_docs = sum(docs.values())
        log_prior = {
            lab: -math.log(len(docs)) if uniform_prior else math.log(n / total_docs)
            for lab, n in docs.items()
        }
        log_likelihood: dict[str, dict[str, float]] = {}
        log_unseen: dict[str, float] = {}
        for lab, c in counts.items():
            denom = sum(c.values()) + alpha * (len(vocab) + 1)
            log_likelihood[lab] = {f: math.log((n + alpha) / denom) for f, n in c.items()}
            log_unseen[lab] = math.log(alpha / denom)
        return cls(tuple(sorted(docs)), log_prior, log_likelihood, log_unseen)

    @cached_property
    def _by_feature(self) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
        """Every label's log-likelihood per feature, in `labels` order: scoring a message then
        takes one lookup per feature instead of one per feature and label."""
        unseen = tuple(self.log_unseen[lab] for lab in self.labels)
        tables = [self.log_likelihood[lab] for lab in self.labels]
        vocab = {f for table in tables for f in table}
        rows = {
            f: tuple(table.get(f, miss) for table, miss in zip(tables, unseen, strict=True))
            for f in vocab
        }
        return rows, unseen

    def probabilities(self, folded: str, sharpness: float | None = None) -> dict[str, float]:
        """Class probabilities. With `sharpness` the summed log-likelihood is scaled to
        `sharpness` features' worth: naive Bayes over overlapping character n-grams counts the
        same evidence many times and would otherwise answer 0.00 or 1.00 for almost anything."""
        feats = features(folded)
        scale = min(1.0, sharpness / len(feats)) if sharpness and feats else 1.0
        rows, unseen = self._by_feature
        # Column i holds label i's log-likelihoods in feature order, so each total is the same
        # sum, in the same order, as summing that label's own table.
        columns = zip(*map(rows.get, feats, repeat(unseen, len(feats))), strict=True)
        totals = [sum(column) for column in columns] if feats else [0] * len(self.labels)
        scores = {
            lab: self.log_prior[lab] + scale * total
            for lab, total in zip(self.labels, totals, strict=True)
        }
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
def complaint_model() -> NaiveBayes:
    """Binary: is the message a complaint at all (labels "complaint" / "not")."""
    rows = _load_training()
    return NaiveBayes.train(
        [
            (str(r["text"]), "complaint" if r["intent"] == "complaint" else "not")
            for r in rows
            # Safety and legal intents are decided by rules; they only blur this boundary.
            if r["intent"] not in ("emergency", "dispute", "nuisance")
        ],
        # The training set holds more complaints than anything else; with the class prior a
        # short neutral message ("Hallo") would lean complaint for no reason in its words.
        uniform_prior=True,
    )


# Chosen by cross-validation on train.jsonl and the eval set, never on the hold-out set.
_COMPLAINT_SHARPNESS = 12.0


def complaint_probability(folded: str) -> float:
    probs = complaint_model().probabilities(folded, sharpness=_COMPLAINT_SHARPNESS)
    return probs.get("complaint", 0.0)


@cache
def category_model() -> NaiveBayes:
    rows = _load_training()
    return NaiveBayes.train(
        [(str(r["text"]), str(r["category"])) for r in rows if r.get("category")]
    )
