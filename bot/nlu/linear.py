"""The shipped linear model: TF-IDF over word and character n-grams and the meaning of the
words (`word_vectors`), one logistic-regression head per field (intent, explicit, category,
anger).

Trained offline (`bot.nlu.training`, scikit-learn) and shipped as `data/model.npz`; reading a
message needs only numpy. The features are computed here exactly as scikit-learn's
`TfidfVectorizer` computes them in training (word 1-2-grams with its default token pattern,
`char_wb` n-grams, sublinear tf, smooth idf, l2 norm per vectoriser), which a test checks
against scikit-learn itself, so training and reading cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.nlu.normalize import fold
from bot.nlu.word_vectors import TOKEN, WordVectors, shipped_word_vectors

_SPACES = re.compile(r"\s\s+")
HEADS = ("intent", "explicit", "category", "anger")
Floats = npt.NDArray[np.float32]


class Model(Protocol):
    """What reading a message needs from a model: class probabilities per head."""

    def predict(self, text: str) -> dict[str, dict[str, float]]: ...


@dataclass(frozen=True)
class Vectoriser:
    """One TF-IDF vectoriser: its vocabulary (term -> column) and idf per column."""

    kind: str  # "word" or "char_wb"
    ngrams: tuple[int, int]
    vocabulary: dict[str, int]
    idf: Floats

    def terms(self, folded: str) -> list[str]:
        low, high = self.ngrams
        if self.kind == "word":
            tokens = TOKEN.findall(folded)
            out: list[str] = []
            for n in range(low, high + 1):
                out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            return out
        grams = []
        for word in _SPACES.sub(" ", folded).split():
            padded = f" {word} "
            size = len(padded)
            for n in range(low, high + 1):
                offset = 0
                grams.append(padded[offset : offset + n])
                while offset + n < size:
                    offset += 1
                    grams.append(padded[offset : offset + n])
                if offset == 0:  # a short word is counted once, as scikit-learn does
                    break
        return grams

    def transform(self, folded: str) -> tuple[list[int], list[float]]:
        """Column indices and l2-normalised sublinear tf-idf values of the known terms."""
        counts = Counter(self.vocabulary[t] for t in self.terms(folded) if t in self.vocabulary)
        if not counts:
            return [], []
        columns = list(counts)
        values = [(1.0 + math.log(counts[c])) * float(self.idf[c]) for c in columns]
        norm = math.sqrt(sum(v * v for v in values))
        return columns, [v / norm for v in values]


@dataclass(frozen=True)
class Meaning:
    """What the words of a message mean together: the sum of their vectors, each weighted by
    its idf in the word vectoriser (rare words say more), l2-normalised and times `weight`
    (how loud this block is beside the n-grams: chosen by cross-validation). A table word the
    training never saw (the table also holds the most common words of both languages) weighs
    `outside_share` of the rarest training word: that is where the block earns its place, since
    the n-grams know nothing of such a word."""

    words: dict[str, int]
    weighted: Floats  # (words, dimensions): idf x vector
    weight: float
    outside_share: float

    @classmethod
    def of(
        cls,
        table: WordVectors,
        vectorisers: Sequence[Vectoriser],
        weight: float,
        outside_share: float,
    ) -> Meaning:
        vocabulary, idf = next((v.vocabulary, v.idf) for v in vectorisers if v.kind == "word")
        outside = outside_share * float(idf.max())
        weights = np.array(
            [float(idf[vocabulary[w]]) if w in vocabulary else outside for w in table.words],
            dtype=np.float32,
        )
        weighted = table.vectors[list(table.words.values())] * weights[:, None]
        return cls(
            dict(zip(table.words, range(len(weights)), strict=True)),
            weighted,
            weight,
            outside_share,
        )

    @property
    def dimensions(self) -> int:
        return int(self.weighted.shape[1])

    def transform(self, folded: str) -> Floats:
        rows = [i for w in TOKEN.findall(folded) if (i := self.words.get(w)) is not None]
        if not rows:
            return np.zeros(self.dimensions, dtype=np.float32)
        total: Floats = self.weighted[rows].sum(axis=0)
        total *= self.weight / max(float(np.linalg.norm(total)), 1e-9)
        return total


@dataclass(frozen=True)
class Head:
    """One field's logistic regression: weights per feature column and class."""

    classes: tuple[str, ...]
    weights: Floats  # (features, classes), or (features, 1) for a two-class head
    intercept: Floats

    def probabilities(self, columns: list[int], values: list[float]) -> dict[str, float]:
        scores = self.intercept.astype(np.float64).copy()
        if columns:
            scores += np.asarray(values, dtype=np.float64) @ self.weights[columns]
        if len(self.classes) == 2 and scores.shape[0] == 1:
            p = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        scores -= scores.max()
        exp = np.exp(scores)
        exp /= exp.sum()
        return dict(zip(self.classes, (float(x) for x in exp), strict=True))


@dataclass(frozen=True)
class LinearModel:
    vectorisers: tuple[Vectoriser, ...]
    heads: dict[str, Head]
    meaning: Meaning  # its columns follow the vectorisers'

    def features(self, text: str) -> tuple[list[int], list[float]]:
        folded = fold(text)
        columns: list[int] = []
        values: list[float] = []
        offset = 0
        for vectoriser in self.vectorisers:
            cols, vals = vectoriser.transform(folded)
            columns += [offset + c for c in cols]
            values += vals
            offset += len(vectoriser.idf)
        columns += range(offset, offset + self.meaning.dimensions)
        values += self.meaning.transform(folded).tolist()
        return columns, values

    def predict(self, text: str) -> dict[str, dict[str, float]]:
        """Class probabilities per head for one message."""
        columns, values = self.features(text)
        return {name: head.probabilities(columns, values) for name, head in self.heads.items()}

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for i, v in enumerate(self.vectorisers):
            terms = sorted(v.vocabulary, key=v.vocabulary.__getitem__)
            arrays[f"v{i}_kind"] = np.array(v.kind)
            arrays[f"v{i}_ngrams"] = np.array(v.ngrams)
            # One string with a separator that no folded term contains keeps the file small.
            arrays[f"v{i}_terms"] = np.array("\x00".join(terms))
            arrays[f"v{i}_idf"] = v.idf.astype(np.float32)
        for name, head in self.heads.items():
            arrays[f"h_{name}_classes"] = np.array("\x00".join(head.classes))
            arrays[f"h_{name}_weights"] = head.weights.astype(np.float32)
            arrays[f"h_{name}_intercept"] = head.intercept.astype(np.float32)
        # The table itself ships on its own (word_vectors.npz).
        arrays["meaning_weight"] = np.array(self.meaning.weight)
        arrays["meaning_outside_share"] = np.array(self.meaning.outside_share)
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path) as data:
            vectorisers = []
            i = 0
            while f"v{i}_kind" in data:
                terms = str(data[f"v{i}_terms"]).split("\x00")
                low, high = (int(x) for x in data[f"v{i}_ngrams"])
                vectorisers.append(
                    Vectoriser(
                        kind=str(data[f"v{i}_kind"]),
                        ngrams=(low, high),
                        vocabulary={t: j for j, t in enumerate(terms)},
                        idf=data[f"v{i}_idf"].astype(np.float32),
                    )
                )
                i += 1
            heads = {
                name: Head(
                    classes=tuple(str(data[f"h_{name}_classes"]).split("\x00")),
                    weights=np.ascontiguousarray(data[f"h_{name}_weights"], dtype=np.float32),
                    intercept=data[f"h_{name}_intercept"].astype(np.float32),
                )
                for name in HEADS
                if f"h_{name}_classes" in data
            }
            meaning = Meaning.of(
                shipped_word_vectors(),
                vectorisers,
                float(data["meaning_weight"]),
                float(data["meaning_outside_share"]),
            )
        return cls(tuple(vectorisers), heads, meaning)


def shipped_model_path() -> Path:
    return Path(str(resources.files("bot.nlu").joinpath("data/model.npz")))


@cache
def shipped_model() -> LinearModel:
    return LinearModel.load(shipped_model_path())
