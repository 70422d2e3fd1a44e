"""Intent decision: fixed priorities for safety and legal cues, rules for complaints, a small
naive Bayes model where the rules are undecided.

Emergency, dispute and nuisance are decided by rules only and come first, so the model can never
downgrade an emergency. Where the rules would answer question, compliment or nothing at all, a
binary complaint-or-not model gets a say: rhetorical questions ("Kan het nog langer duren?") and
sarcasm ("Top service hoor") are complaints the rules cannot see.
"""

from __future__ import annotations

from bot.nlu.classifier import complaint_probability, intent_model
from bot.nlu.cues import Cues
from bot.nlu.types import INTENTS, Intent

# Below this the model's guess is treated as noise and the message stays "other".
_MODEL_FLOOR = 0.55
# Complaint-or-not probability needed to overrule a question or compliment rule, and to call a
# message without any cue a complaint. Overruling a rule needs more confidence.
_OVERRULE_QUESTION = 0.8
_OVERRULE_COMPLIMENT = 0.9
_NO_CUE_COMPLAINT = 0.7


def decide_intent(cues: Cues, folded: str) -> tuple[Intent, bool | None]:
    """Return (intent, explicit); `explicit` is None unless the intent is a complaint."""
    # Safety first: a gas smell mentioned in an angry legal letter is still an emergency.
    if cues.emergency:
        return "emergency", None
    if cues.dispute:
        return "dispute", None
    if cues.nuisance:
        return "nuisance", None
    if cues.explicit or cues.hidden:
        return "complaint", cues.explicit or cues.problem
    if cues.problem and (cues.repair_request or cues.repair_words):
        return "repair_request", None
    if cues.repair_request and cues.repair_words:
        return "repair_request", None
    if cues.compliment and not (cues.problem and cues.contrast):
        if complaint_probability(folded) >= _OVERRULE_COMPLIMENT:
            return "complaint", False
        return "compliment", None
    if cues.problem:
        # A defect reported without asking for a visit reads as dissatisfaction with the item.
        return "complaint", True
    if not folded.strip():
        return "other", None
    p_complaint = complaint_probability(folded)
    if cues.question:
        if p_complaint >= _OVERRULE_QUESTION:
            return "complaint", False
        return "question", None
    # Two words ("Hallo", "Hi there") carry too little for the model to call a complaint.
    if p_complaint >= _NO_CUE_COMPLAINT and len(folded.split()) >= 3:
        return "complaint", False
    probs = intent_model().probabilities(folded)
    probs.pop("complaint", None)
    # Emergencies are the safety net's to call (bot.nlu.emergency), never a guess from words.
    probs.pop("emergency", None)
    label, p = max(probs.items(), key=lambda kv: kv[1])
    if p < _MODEL_FLOOR or label not in INTENTS:
        return "other", None
    intent: Intent = next(i for i in INTENTS if i == label)
    if intent == "complaint":
        return "complaint", False
    return intent, None
