"""Accuracy of `bot.nlu.understand` on a shipped labelled set.

Run: python -m bench.nlu_accuracy [--set eval|holdout|train] [--errors]
`eval` (default) is the set the rules were written around; `holdout` was written separately
and never used for tuning, so it is the honest figure for unseen wording; `train` is the
model's own training data (intent and category only are labelled there, so only those count).
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


SETS = ("eval", "holdout", "train")


def load_set(name: str) -> list[Example]:
    if name not in SETS:
        raise ValueError(f"unknown set {name!r}; choose from {SETS}")
    path = resources.files("bot.nlu").joinpath(f"data/{name}.jsonl")
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    out: list[Example] = []
    for row in rows:
        intent = row["intent"]
        out.append(
            Example(
                text=row["text"],
                # train.jsonl labels intent and category only; the other fields are filled so the
                # report runs, and mean nothing for that set.
                language=row.get("language", "?"),
                intent=intent,
                explicit=row.get("explicit"),
                category=row.get("category"),
                anger=row.get("anger", -1),
            )
        )
    return out


def load_eval() -> list[Example]:
    return load_set("eval")


def load_holdout() -> list[Example]:
    return load_set("holdout")


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
    name = "eval"
    if "--set" in argv:
        i = argv.index("--set")
        if i + 1 >= len(argv):
            raise SystemExit("--set needs a value: " + "|".join(SETS))
        name = argv[i + 1]
    report = evaluate(load_set(name))
    print(f"set: {name}\n")
    print(markdown(report))
    if "--errors" in argv:
        print()
        for line in report.errors:
            print("-", line)


if __name__ == "__main__":
    main(sys.argv[1:])
