"""Accuracy of `bot.nlu.understand` on the shipped evaluation set.

Run: python -m bench.nlu_accuracy [--errors]
Prints a Markdown table. `explicit` and `category` are scored on the messages whose gold intent
is complaint (elsewhere both are None by definition, which would inflate the figure).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from importlib import resources

from bot.nlu import understand

TODAY = date(2026, 3, 20)


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    intent: str
    explicit: bool | None
    category: str | None
    anger: int


@dataclass(frozen=True)
class Report:
    n: int
    n_complaints: int
    accuracy: dict[str, float]
    complaint_recall: float
    complaint_precision: float
    errors: list[str]


def load_eval() -> list[Example]:
    path = resources.files("bot.nlu").joinpath("data/eval.jsonl")
    with path.open(encoding="utf-8") as fh:
        return [Example(**json.loads(line)) for line in fh if line.strip()]


def evaluate(examples: list[Example] | None = None) -> Report:
    examples = examples if examples is not None else load_eval()
    hits = {"language": 0, "intent": 0, "explicit": 0, "category": 0, "anger": 0}
    tp = fp = fn = 0
    n_complaints = 0
    errors: list[str] = []
    for ex in examples:
        got = understand(ex.text, today=TODAY)
        hits["language"] += got.language == ex.language
        hits["intent"] += got.intent == ex.intent
        hits["anger"] += got.anger == ex.anger
        gold_c, pred_c = ex.intent == "complaint", got.intent == "complaint"
        tp += gold_c and pred_c
        fp += pred_c and not gold_c
        fn += gold_c and not pred_c
        if gold_c:
            n_complaints += 1
            # A missed complaint has no explicit flag or topic: it counts as wrong on both.
            hits["explicit"] += got.explicit == ex.explicit
            hits["category"] += got.category == ex.category
        wrong = [
            f"{f}={getattr(got, f)!r} (gold {getattr(ex, f)!r})"
            for f in ("language", "intent", "explicit", "category", "anger")
            if getattr(got, f) != getattr(ex, f)
        ]
        if wrong:
            errors.append(f"{ex.text[:70]!r}: " + ", ".join(wrong))
    n = len(examples)
    accuracy = {
        f: hits[f] / (n_complaints if f in ("explicit", "category") else n) for f in hits
    }
    return Report(
        n=n,
        n_complaints=n_complaints,
        accuracy=accuracy,
        complaint_recall=tp / (tp + fn) if tp + fn else 1.0,
        complaint_precision=tp / (tp + fp) if tp + fp else 1.0,
        errors=errors,
    )


def markdown(report: Report) -> str:
    rows = [
        "| measure | value | over |",
        "|---|---:|---|",
        f"| language accuracy | {report.accuracy['language']:.1%} | {report.n} messages |",
        f"| intent accuracy | {report.accuracy['intent']:.1%} | {report.n} messages |",
        f"| explicit/hidden accuracy | {report.accuracy['explicit']:.1%} "
        f"| {report.n_complaints} complaints |",
        f"| category accuracy | {report.accuracy['category']:.1%} "
        f"| {report.n_complaints} complaints |",
        f"| anger accuracy | {report.accuracy['anger']:.1%} | {report.n} messages |",
        f"| complaint recall | {report.complaint_recall:.1%} | {report.n_complaints} complaints |",
        f"| complaint precision | {report.complaint_precision:.1%} | predicted complaints |",
    ]
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    report = evaluate()
    print(markdown(report))
    if "--errors" in argv:
        print()
        for line in report.errors:
            print("-", line)


if __name__ == "__main__":
    main(sys.argv[1:])
