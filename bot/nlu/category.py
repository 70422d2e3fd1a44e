"""Complaint topic: the linear model's category head."""

from __future__ import annotations

from bot.nlu.types import CATEGORIES, Category


def decide_category(probabilities: dict[str, float]) -> Category:
    label = max(probabilities, key=probabilities.__getitem__)
    return next((c for c in CATEGORIES if c == label), "other")
