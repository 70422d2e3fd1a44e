"""Intent decision: the safety net first, strong legal and neighbour cues next, the linear
model for the rest.

Emergencies are the safety net's to call (`bot.nlu.emergency`): whatever the model says, danger
is an emergency, and the model can never downgrade one. The model adds an emergency the net's
wording missed even when it gives it well under even odds: a false alarm costs a customer an
emergency number they did not need, a missed emergency may cost a life. Dispute and nuisance
cues (a lawyer, an objection; neighbours and noise) are specific words the model, trained on
far fewer of these messages than of complaints, would otherwise overrule.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.cues import Cues
from bot.nlu.types import INTENTS, Intent

# Chosen by cross-validation on the training corpus (bench/nlu_accuracy.py --set train-cv):
# the highest probability at which no emergency was missed across the folds (0.3 missed none
# either, with a quarter more false alarms).
MODEL_EMERGENCY = 0.4


@dataclass(frozen=True)
class IntentDecision:
    intent: Intent
    # How sure the decision is, 0-1: a rule that fired counts as sure; otherwise the model's
    # probability of the intent it chose.
    confidence: float
    # Whether the safety net called it (then the kind of danger is known).
    by_safety_net: bool = False


def with_alarming_sentence(decision: IntentDecision, sentence_emergency: float) -> IntentDecision:
    """`decision`, or an emergency when one sentence read on its own is as likely one as
    `MODEL_EMERGENCY` asks of a whole message: danger told in one sentence of a long mail about
    something else ("P.S. de meterkast zoemt en is warm") is diluted in the whole mail's reading,
    and the net's wording may miss it."""
    if decision.intent == "emergency" or sentence_emergency < MODEL_EMERGENCY:
        return decision
    return IntentDecision("emergency", sentence_emergency)


def _intent(label: str) -> Intent:
    return next(i for i in INTENTS if i == label)


def decide_intent(cues: Cues, probabilities: dict[str, float]) -> IntentDecision:
    if cues.emergency:
        return IntentDecision("emergency", 1.0, by_safety_net=True)
    emergency = probabilities.get("emergency", 0.0)
    if emergency >= MODEL_EMERGENCY:
        return IntentDecision("emergency", emergency)
    if cues.dispute:
        return IntentDecision("dispute", 1.0)
    if cues.nuisance:
        return IntentDecision("nuisance", 1.0)
    candidates = {label: p for label, p in probabilities.items() if label != "emergency"}
    label = max(candidates, key=candidates.__getitem__)
    return IntentDecision(_intent(label), candidates[label])
