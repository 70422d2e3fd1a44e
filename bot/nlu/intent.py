"""Intent decision: the safety net first, strong legal and neighbour cues next, the linear
model for the rest.

Danger is the safety net's to call (`bot.nlu.emergency`): whatever the model says, a sign of
danger takes the emergency route, and the model can never take that route away. The model adds
danger the net's wording missed even when it gives an emergency well under even odds: a false
alarm costs a customer an emergency number they did not need, a missed emergency may cost a
life. The route is not the intent, though: a complaint that mentions a danger is still a
complaint to register, so the intent stays the model's choice where the model is sure enough
of it. Dispute and nuisance cues (a lawyer, an objection; neighbours and noise) are specific
words the model, trained on far fewer of these messages than of complaints, would otherwise
overrule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.nlu.cues import Cues
from bot.nlu.types import INTENTS, Intent

# Chosen by cross-validation on the training corpus (bench/nlu_accuracy.py --set train-cv):
# the highest probability at which no emergency was missed across the folds (0.3 missed none
# either, with a quarter more false alarms). The same bar keeps another intent beside danger:
# in cross-validation that won back 14 of the 22 complaints the route took (complaint recall
# 93.3 -> 94.2 %, intent 87.5 -> 88.8 %); 0.3 won one more and cost 0.3 points of complaint
# precision, 0.5 won four fewer.
MODEL_EMERGENCY = 0.4


@dataclass(frozen=True)
class IntentDecision:
    intent: Intent
    # How sure the decision is, 0-1: a rule that fired counts as sure; otherwise the model's
    # probability of the intent it chose.
    confidence: float
    # Whether the message shows danger: it then takes the emergency route, whatever the intent.
    danger: bool = False
    # Whether the safety net saw the danger (then the kind of danger is known).
    by_safety_net: bool = False


def _intent(label: str) -> Intent:
    return next(i for i in INTENTS if i == label)


def _model_choice(probabilities: dict[str, float]) -> IntentDecision:
    candidates = {label: p for label, p in probabilities.items() if label != "emergency"}
    label = max(candidates, key=candidates.__getitem__)
    return IntentDecision(_intent(label), candidates[label])


def _with_danger(
    probabilities: dict[str, float], emergency: float, *, by_safety_net: bool
) -> IntentDecision:
    """The emergency route, with the model's other intent where it is as sure of that intent
    as it must be of an emergency and surer than of an emergency ("third time I report the
    heating, and now my children are ill in the cold" is a complaint in danger); otherwise
    the intent is the emergency itself. Cues do not keep an intent here: in cross-validation
    a neighbour named in an emergency ("the upstairs flat flooded ours") made 18 emergencies
    nuisance."""
    matter = _model_choice(probabilities)
    if matter.confidence >= max(MODEL_EMERGENCY, emergency):
        return replace(matter, danger=True, by_safety_net=by_safety_net)
    return IntentDecision(
        "emergency", 1.0 if by_safety_net else emergency, danger=True, by_safety_net=by_safety_net
    )


def decide_intent(
    cues: Cues, probabilities: dict[str, float], *, alarming_sentence: float = 0.0
) -> IntentDecision:
    """`alarming_sentence`: the highest emergency probability of one sentence read on its own.
    Danger told in one sentence of a long mail about something else ("P.S. de meterkast zoemt
    en is warm") is diluted in the whole mail's reading, and the net's wording may miss it; one
    such sentence needs the same odds as a whole message."""
    emergency = max(probabilities.get("emergency", 0.0), alarming_sentence)
    if cues.emergency or emergency >= MODEL_EMERGENCY:
        return _with_danger(probabilities, emergency, by_safety_net=cues.emergency)
    if cues.dispute:
        return IntentDecision("dispute", 1.0)
    if cues.nuisance:
        return IntentDecision("nuisance", 1.0)
    return _model_choice(probabilities)
