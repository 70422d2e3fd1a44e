"""Accuracy of the understanding, per field, on a labelled set.

Run: python -m bench.nlu_accuracy [--set train-cv|holdout|holdout2|holdout3|train] [--errors]

- `train-cv` (default): 5-fold cross-validation on the training corpus; each fold is read by a
  model trained on the other four and the extra training files (seed sets, topic and boundary
  messages), as the shipped model is. Every choice (features, thresholds, rules) was made on this.
- `holdout`: the held-out split, written separately before any model existed and never tuned
  on; read by the shipped model. Only aggregate figures are printed for it (`--errors` is
  refused): looking at its mistakes would be tuning on it.
- `holdout2`: a second held-out split, written later by two other writers from the labelling
  rules alone, when the first had been read too often to stay untouched; the same terms.
- `holdout3`: a third, written by two more writers when the second had been read twice, after the
  labelling rules said whose number a fine's reference is; the same terms.
- `train`: the shipped model on its own training data (how well it fits, not how it generalises).

`explicit` and `category` are scored on the messages whose gold intent is complaint (a missed
complaint counts as wrong on both); `emergency kind` on the gold emergencies. Emergency recall
and precision are those of the emergency route (`danger`), which a message can take with
another intent (a complaint that mentions a danger): `intent` counts such a reading of a gold
emergency as wrong. Slot recall: a labelled value counts as found when an extracted one matches
it (bench/slot_match.py).
"""

from __future__ import annotations

import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from bench.slot_match import SLOT_FIELDS, slot_matches
from bot.nlu.linear import Model
from bot.nlu.pipeline import read
from bot.nlu.types import CATEGORIES, INTENTS, Understanding

TODAY = date(2026, 3, 20)
HELD_OUT = {
    "holdout": "corpus_holdout.jsonl",
    "holdout2": "corpus_holdout2.jsonl",
    "holdout3": "corpus_holdout3.jsonl",
}
SETS = ("train-cv", *HELD_OUT, "train")
FOLDS = 5
NOT_COMPLAINT = "not complaint"
Reader = Callable[[str], Understanding]


@dataclass
class Report:
    n: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    over: Counter[str] = field(default_factory=Counter)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Over the gold complaints: (gold category, category understood, or "not complaint").
    category_confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    slot_gold: Counter[str] = field(default_factory=Counter)
    slot_found: Counter[str] = field(default_factory=Counter)
    slot_predicted: Counter[str] = field(default_factory=Counter)
    slot_right: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def rate(self, name: str) -> float:
        return self.hits[name] / self.over[name] if self.over[name] else float("nan")

    def count(self, name: str, hit: bool, weight: bool = True) -> None:
        if weight:
            self.over[name] += 1
            self.hits[name] += hit


def _rows(name: str) -> list[dict[str, Any]]:
    path = resources.files("bot.nlu").joinpath(f"data/{name}")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_set(name: str) -> list[dict[str, Any]]:
    if name in ("train-cv", "train"):
        return _rows("corpus_train.jsonl")
    if name in HELD_OUT:
        return _rows(HELD_OUT[name])
    raise ValueError(f"unknown set {name!r}; choose from {SETS}")


def score(report: Report, row: dict[str, Any], got: Understanding) -> None:
    gold_intent = row["intent"]
    report.n += 1
    report.confusion[(gold_intent, got.intent)] += 1
    report.count("language", got.language == row.get("language"), "language" in row)
    report.count("intent", got.intent == gold_intent)
    report.count("anger", got.anger == row.get("anger"), "anger" in row)
    gold_complaint, said_complaint = gold_intent == "complaint", got.intent == "complaint"
    report.count("complaint recall", said_complaint, gold_complaint)
    report.count("complaint precision", gold_complaint, said_complaint)
    if gold_complaint:
        report.count("explicit", said_complaint and got.explicit == row.get("explicit"))
        report.count("category", said_complaint and got.category == row.get("category"))
        understood = str(got.category) if said_complaint else NOT_COMPLAINT
        report.category_confusion[(str(row.get("category")), understood)] += 1
        report.count("hidden-complaint recall", said_complaint, row.get("explicit") is False)
    gold_emergency = gold_intent == "emergency"
    report.count("emergency recall", got.danger, gold_emergency)
    report.count("emergency precision", gold_emergency, got.danger)
    if gold_emergency and row.get("emergency_kind"):
        kind = getattr(got, "emergency_kind", None)
        report.count("emergency kind", kind == row["emergency_kind"])
    for key, gold_values in (row.get("slots") or {}).items():
        predicted = list(getattr(got.slots, SLOT_FIELDS[key], ()))
        for gold in gold_values:
            report.slot_gold[key] += 1
            report.slot_found[key] += any(slot_matches(key, gold, p) for p in predicted)
        for p in predicted:
            report.slot_predicted[key] += 1
            report.slot_right[key] += any(slot_matches(key, g, p) for g in gold_values)
    wrong = [
        f"{name}={mine!r} (gold {gold!r})"
        for name, mine, gold in (
            ("intent", got.intent, gold_intent),
            ("explicit", got.explicit, row.get("explicit")),
            ("category", got.category, row.get("category")),
            ("anger", got.anger, row.get("anger", got.anger)),
        )
        if mine != gold
    ]
    if wrong:
        report.errors.append(f"{row['text'][:90]!r}: " + ", ".join(wrong))


def evaluate(rows: Sequence[dict[str, Any]], reader: Reader) -> Report:
    report = Report()
    for row in rows:
        score(report, row, reader(row["text"]))
    return report


def shipped_reader(text: str) -> Understanding:
    return read(text, today=TODAY).understood


def folds(rows: Sequence[dict[str, Any]], k: int = FOLDS) -> list[list[int]]:
    """Indices of `k` folds, each intent spread evenly over them (a fixed shuffle)."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_intent[row["intent"]].append(i)
    out: list[list[int]] = [[] for _ in range(k)]
    shuffle = random.Random(0)
    position = 0
    for intent in sorted(by_intent):
        members = by_intent[intent]
        shuffle.shuffle(members)
        for i in members:
            out[position % k].append(i)
            position += 1
    return out


def cross_validate(
    rows: Sequence[dict[str, Any]], trainer: Callable[[list[dict[str, Any]]], Model] | None = None
) -> Report:
    """Each fold read by a model trained (by `trainer`, the shipped model's by default) on the
    other folds and the extra training files."""
    from bot.nlu.training import EXTRA_FILES, load_rows, train

    extra = load_rows(EXTRA_FILES)
    report = Report()
    for held in folds(rows):
        held_set = set(held)
        model = (trainer or train)([r for i, r in enumerate(rows) if i not in held_set] + extra)
        for i in held:
            score(report, rows[i], read(rows[i]["text"], today=TODAY, model=model).understood)
    return report


FIELDS = (
    "intent",
    "complaint recall",
    "complaint precision",
    "hidden-complaint recall",
    "explicit",
    "category",
    "anger",
    "language",
    "emergency recall",
    "emergency precision",
    "emergency kind",
)


def _confusion(
    title: str, counts: Counter[tuple[str, str]], rows: Sequence[str], columns: Sequence[str]
) -> list[str]:
    lines = ["", title, "", "| gold \\ got | " + " | ".join(columns) + " |"]
    lines.append("|---|" + "---:|" * len(columns))
    for gold in rows:
        cells = " | ".join(str(counts[(gold, got)]) for got in columns)
        lines.append(f"| {gold} | {cells} |")
    return lines


def markdown(report: Report) -> str:
    lines = ["| measure | value | over |", "|---|---:|---:|"]
    for name in FIELDS:
        if report.over[name]:
            lines.append(f"| {name} | {report.rate(name):.1%} | {report.over[name]} |")
    if report.slot_gold:
        lines += ["", "| slot | recall | over | precision | over |", "|---|---:|---:|---:|---:|"]
        for key in SLOT_FIELDS:
            if report.slot_gold[key]:
                precision = report.slot_right[key] / max(1, report.slot_predicted[key])
                lines.append(
                    f"| {key} | {report.slot_found[key] / report.slot_gold[key]:.1%} "
                    f"| {report.slot_gold[key]} | {precision:.1%} | {report.slot_predicted[key]} |"
                )
    labels = [i for i in INTENTS if any(g == i or p == i for g, p in report.confusion)]
    lines += _confusion(
        "Confusion (rows: gold intent, columns: understood)", report.confusion, labels, labels
    )
    if report.category_confusion:
        gold_seen = {gold for gold, _ in report.category_confusion}
        seen = gold_seen | {got for _, got in report.category_confusion}
        lines += _confusion(
            "Category of the gold complaints (rows: gold, columns: understood)",
            report.category_confusion,
            [c for c in CATEGORIES if c in gold_seen],
            [*(c for c in CATEGORIES if c in seen), NOT_COMPLAINT],
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    name = "train-cv"
    if "--set" in argv:
        i = argv.index("--set")
        if i + 1 >= len(argv) or argv[i + 1] not in SETS:
            raise SystemExit("--set needs one of: " + "|".join(SETS))
        name = argv[i + 1]
    if "--errors" in argv and name in HELD_OUT:
        raise SystemExit("the held-out split is reported in aggregate only: no --errors")
    rows = load_set(name)
    report = cross_validate(rows) if name == "train-cv" else evaluate(rows, shipped_reader)
    print(f"set: {name} ({len(rows)} messages)\n")
    print(markdown(report))
    if "--errors" in argv:
        print()
        for line in report.errors:
            print("-", line)


if __name__ == "__main__":
    main(sys.argv[1:])
