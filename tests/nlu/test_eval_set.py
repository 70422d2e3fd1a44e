from __future__ import annotations

from collections import Counter

from bench.nlu_accuracy import evaluate, load_eval
from bot.nlu import CATEGORIES, INTENTS

# Floors a few points below the measured figures so a regression fails the build.
FLOORS = {"language": 0.97, "intent": 0.94, "explicit": 0.78, "category": 0.80, "anger": 0.93}


def test_eval_set_is_broad() -> None:
    examples = load_eval()
    assert len(examples) >= 150
    seen = Counter((ex.language, ex.intent) for ex in examples)
    for lang in ("nl", "en"):
        for intent in INTENTS:
            assert seen[(lang, intent)] >= 3, (lang, intent)
    topics = {(ex.language, ex.category) for ex in examples if ex.category}
    assert topics == {(lang, c) for lang in ("nl", "en") for c in CATEGORIES}


def test_accuracy_floors() -> None:
    report = evaluate()
    for field, floor in FLOORS.items():
        assert report.accuracy[field] >= floor, (field, report.accuracy[field])
    assert report.complaint_recall >= 0.95
    assert report.complaint_precision >= 0.95
