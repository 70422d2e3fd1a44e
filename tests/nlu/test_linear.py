"""The shipped model reads a message exactly as scikit-learn did in training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.linear import LinearModel, shipped_model
from bot.nlu.normalize import fold
from bot.nlu.training import train
from bot.nlu.types import CATEGORIES, INTENTS
from bot.nlu.word_vectors import TOKEN, shipped_word_vectors

ROWS = [
    {
        "text": "Mijn pakket is nooit aangekomen!!",
        "intent": "complaint",
        "explicit": False,
        "category": "delivery",
        "anger": 2,
    },
    {
        "text": "Ik ben zeer ontevreden over de monteur.",
        "intent": "complaint",
        "explicit": True,
        "category": "service_execution",
        "anger": 1,
    },
    {"text": "Wat zijn jullie openingstijden?", "intent": "question", "anger": 0},
    {"text": "Bedankt voor de snelle hulp, top!", "intent": "compliment", "anger": 0},
    {"text": "Ik ruik gas in de keuken", "intent": "emergency", "anger": 0},
    {"text": "De kraan lekt, kan er iemand komen?", "intent": "repair_request", "anger": 0},
    {"text": "Ik teken bezwaar aan tegen de aanslag.", "intent": "dispute", "anger": 1},
    {"text": "De buren draaien elke nacht harde muziek", "intent": "nuisance", "anger": 1},
    {"text": "Graag uitschrijven voor de nieuwsbrief", "intent": "other", "anger": 0},
    {
        "text": "The invoice is wrong, I was charged twice.",
        "intent": "complaint",
        "explicit": False,
        "category": "billing",
        "anger": 1,
    },
    {
        "text": "Very disappointed: rude staff at the desk.",
        "intent": "complaint",
        "explicit": True,
        "category": "staff_conduct",
        "anger": 1,
    },
]
UNSEEN = [
    "Waar blijft mijn bestelling? Ik wacht al ECHT lang!!",
    "Overal schimmel op de muren, mould everywhere",
    "Café résumé naïve — één twee",
    "a",
    "",
    "The parcel never arrived and nobody answers the phone.",
]


def test_features_and_probabilities_match_scikit_learn() -> None:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from bot.nlu import training

    model = train(ROWS)
    texts = [str(r["text"]) for r in ROWS]
    vectorisers = [
        TfidfVectorizer(preprocessor=fold, ngram_range=training.WORD_NGRAMS, sublinear_tf=True),
        TfidfVectorizer(
            preprocessor=fold,
            analyzer="char_wb",
            ngram_range=training.CHAR_NGRAMS,
            min_df=2,
            sublinear_tf=True,
            max_features=training.MAX_CHAR_FEATURES,
        ),
    ]
    matrix = hstack([v.fit_transform(texts) for v in vectorisers]).toarray()
    table = shipped_word_vectors()
    idf = dict(zip(vectorisers[0].get_feature_names_out(), vectorisers[0].idf_, strict=True))

    # A table word the training never saw weighs a share of the rarest training word.
    outside = training.OUTSIDE_SHARE * max(idf.values())

    def meaning(text: str) -> np.ndarray:
        """The words' meaning block written out plainly: idf-weighted sum, unit length."""
        found = [w for w in TOKEN.findall(fold(text)) if w in table.words]
        total = sum(
            (idf.get(w, outside) * table.vectors[table.words[w]] for w in found),
            np.zeros(table.vectors.shape[1]),
        )
        norm = np.linalg.norm(total)
        return total * training.MEANING_WEIGHT / norm if norm else total

    complaints = [i for i, r in enumerate(ROWS) if r.get("category")]
    heads = {
        "intent": (matrix, list(range(len(ROWS))), [r["intent"] for r in ROWS], False),
        "category": (
            np.hstack([matrix, np.vstack([meaning(t) for t in texts])]),
            complaints,
            [ROWS[i]["category"] for i in complaints],
            True,
        ),
    }
    for head, (features, rows, labels, reads_meaning) in heads.items():
        theirs_model = LogisticRegression(C=training.C, max_iter=5000, class_weight="balanced")
        theirs_model.fit(features[rows], labels)
        for text in UNSEEN + texts:
            expected = hstack([v.transform([text]) for v in vectorisers]).toarray()[0]
            if reads_meaning:
                expected = np.concatenate([expected, meaning(text)])
            columns, values = model.features(text)
            mine = np.zeros(
                len(expected) if reads_meaning else len(expected) + table.vectors.shape[1]
            )
            mine[columns] = values
            np.testing.assert_allclose(mine[: len(expected)], expected, rtol=1e-4, atol=1e-5)
            probabilities = theirs_model.predict_proba(expected[None, :])[0]
            theirs = dict(zip(theirs_model.classes_, probabilities, strict=True))
            ours = model.predict(text)[head]
            assert ours.keys() == theirs.keys()
            for label, p in theirs.items():
                assert ours[label] == pytest.approx(p, abs=1e-4)


def test_a_saved_model_reads_the_same(tmp_path: Path) -> None:
    model = train(ROWS)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = LinearModel.load(path)
    for text in UNSEEN:
        saved, fresh = loaded.predict(text), model.predict(text)
        assert saved.keys() == fresh.keys()
        for head, probabilities in fresh.items():
            assert saved[head] == pytest.approx(probabilities, abs=1e-6)


def test_the_shipped_model_knows_every_label() -> None:
    heads = shipped_model().heads
    assert set(heads["intent"].classes) == set(INTENTS)
    assert set(heads["category"].classes) <= set(CATEGORIES)
    assert set(heads["explicit"].classes) == {"explicit", "hidden"}
    assert set(heads["anger"].classes) == {"0", "1", "2"}
