"""The shipped model reads a message exactly as scikit-learn did in training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.linear import LinearModel, shipped_model
from bot.nlu.normalize import fold
from bot.nlu.training import train
from bot.nlu.types import CATEGORIES, INTENTS

ROWS = [
    {"text": "Mijn pakket is nooit aangekomen!!", "intent": "complaint", "explicit": False,
     "category": "delivery", "anger": 2},
    {"text": "Ik ben zeer ontevreden over de monteur.", "intent": "complaint", "explicit": True,
     "category": "service_execution", "anger": 1},
    {"text": "Wat zijn jullie openingstijden?", "intent": "question", "anger": 0},
    {"text": "Bedankt voor de snelle hulp, top!", "intent": "compliment", "anger": 0},
    {"text": "Ik ruik gas in de keuken", "intent": "emergency", "anger": 0},
    {"text": "De kraan lekt, kan er iemand komen?", "intent": "repair_request", "anger": 0},
    {"text": "Ik teken bezwaar aan tegen de aanslag.", "intent": "dispute", "anger": 1},
    {"text": "De buren draaien elke nacht harde muziek", "intent": "nuisance", "anger": 1},
    {"text": "Graag uitschrijven voor de nieuwsbrief", "intent": "other", "anger": 0},
    {"text": "The invoice is wrong, I was charged twice.", "intent": "complaint",
     "explicit": False, "category": "billing", "anger": 1},
    {"text": "Very disappointed: rude staff at the desk.", "intent": "complaint",
     "explicit": True, "category": "staff_conduct", "anger": 1},
]
UNSEEN = [
    "Waar blijft mijn bestelling? Ik wacht al ECHT lang!!",
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
            preprocessor=fold, analyzer="char_wb", ngram_range=training.CHAR_NGRAMS, min_df=2,
            sublinear_tf=True, max_features=training.MAX_CHAR_FEATURES,
        ),
    ]
    matrix = hstack([v.fit_transform(texts) for v in vectorisers]).tocsr()
    intents = LogisticRegression(C=training.C, max_iter=5000, class_weight="balanced")
    intents.fit(matrix, [r["intent"] for r in ROWS])
    for text in UNSEEN + texts:
        expected = hstack([v.transform([text]) for v in vectorisers]).toarray()[0]
        columns, values = model.features(text)
        mine = np.zeros_like(expected)
        mine[columns] = values
        np.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-6)
        probabilities = intents.predict_proba(expected[None, :])[0]
        theirs = dict(zip(intents.classes_, probabilities, strict=True))
        ours = model.predict(text)["intent"]
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
