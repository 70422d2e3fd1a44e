"""Intent decision: fixed priorities for safety and legal cues, rules for complaints, a small
naive Bayes model only where no rule fires."""

from __future__ import annotations

from bot.nlu.classifier import intent_model
from bot.nlu.cues import Cues
from bot.nlu.types import INTENTS, Intent

# Below this the model's guess is treated as noise and the message stays "other".
_MODEL_FLOOR = 0.55


def decide_intent(cues: Cues, folded: str) -> tuple[Intent, bool | None]:
    """Return (intent, explicit); `explicit` is None unless the intent is a complaint."""
    # Safety first: a gas smell mentioned in an angry legal letter is still an emergency.
    if cues.emergency:
        return "emergency", None
    if cues.dispute:
        return "dispute", None
    if cues.nuisance:
        return "nuisance", None
    dissatisfied = cues.explicit > 0 or cues.hidden > 0
    explicit = cues.explicit > 0 or cues.problem > 0
    if dissatisfied:
        return "complaint", explicit
    if cues.problem and (cues.repair_request or cues.repair_words):
        return "repair_request", None
    if cues.repair_request and cues.repair_words:
        return "repair_request", None
    if cues.compliment and not (cues.problem and cues.contrast):
        return "compliment", None
    if cues.problem:
        # A defect reported without asking for a visit reads as dissatisfaction with the item.
        return "complaint", True
    if cues.question:
        return "question", None
    if not folded.strip():
        return "other", None
    probs = intent_model().probabilities(folded)
    label, p = max(probs.items(), key=lambda kv: kv[1])
    if p < _MODEL_FLOOR or label not in INTENTS:
        return "other", None
    intent: Intent = next(i for i in INTENTS if i == label)
    if intent == "complaint":
        return "complaint", False
    return intent, None
