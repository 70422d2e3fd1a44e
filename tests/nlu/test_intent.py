from __future__ import annotations

from datetime import date

import pytest

from bot.nlu import understand
from bot.nlu.cues import Cues
from bot.nlu.intent import MODEL_EMERGENCY, decide_intent
from bot.nlu.pipeline import read

TODAY = date(2026, 3, 20)


@pytest.mark.parametrize(
    "text",
    [
        "Ik zou teruggebeld worden.",
        "Komt de monteur deze keer wel op tijd?",
        "De monteur zou dinsdag komen. Niemand gezien.",
    ],
)
def test_hidden_complaints(text: str) -> None:
    result = understand(text, today=TODAY)
    assert result.intent == "complaint"
    assert result.explicit is False


def test_hidden_complaint_topics() -> None:
    assert understand("Ik zou teruggebeld worden.", today=TODAY).category == "communication"
    assert (
        understand("Komt de monteur deze keer wel op tijd?", today=TODAY).category
        == "service_execution"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ik ruik gas in de keuken",
        "smoke coming from the socket",
        "Er stroomt water door het plafond",
        "BELACHELIJK!! Ik ruik al de hele dag gas en niemand komt, ik schakel een advocaat in",
        "The neighbours upstairs flooded our bathroom, water through the ceiling",
    ],
)
def test_danger_always_takes_the_emergency_route(text: str) -> None:
    heard = understand(text, today=TODAY)
    assert heard.danger
    assert heard.emergency_kind is not None


def test_an_emergency_intent_always_has_danger() -> None:
    heard = understand("Ik ruik gas in de keuken", today=TODAY)
    assert (heard.intent, heard.danger, heard.emergency_kind) == ("emergency", True, "gas")


_QUIET = Cues("de huur is gestegen")
_ALARMING = Cues("ik ruik gas")


def test_danger_keeps_an_intent_the_model_is_sure_of() -> None:
    sure_complaint = {"complaint": 0.6, "emergency": 0.3, "question": 0.1}
    decision = decide_intent(_ALARMING, sure_complaint)
    assert (decision.intent, decision.danger, decision.by_safety_net) == ("complaint", True, True)
    # The model surer of an emergency than of the complaint: the intent is the emergency.
    unsure = {"complaint": 0.45, "emergency": 0.5, "question": 0.05}
    assert decide_intent(_QUIET, unsure).intent == "emergency"
    # Danger the net saw, with a complaint under the bar: the intent is the emergency.
    weak = {"complaint": MODEL_EMERGENCY - 0.01, "emergency": 0.2, "question": 0.41 - 0.2}
    decision = decide_intent(_ALARMING, weak)
    assert (decision.intent, decision.danger) == ("emergency", True)


def test_the_model_alone_raises_danger_at_its_bar() -> None:
    just = {"emergency": MODEL_EMERGENCY, "question": 1.0 - MODEL_EMERGENCY}
    assert decide_intent(_QUIET, just).danger
    under = {"emergency": MODEL_EMERGENCY - 0.01, "question": 1.01 - MODEL_EMERGENCY}
    assert not decide_intent(_QUIET, under).danger


def test_one_alarming_sentence_raises_danger() -> None:
    calm = {"emergency": 0.1, "question": 0.3, "complaint": 0.6}
    assert not decide_intent(_QUIET, calm, alarming_sentence=MODEL_EMERGENCY - 0.01).danger
    decision = decide_intent(_QUIET, calm, alarming_sentence=MODEL_EMERGENCY)
    assert (decision.intent, decision.danger) == ("complaint", True)


class _SentenceModel:
    """Calls only the sentence about the wires an emergency, as a trained model would when the
    rest of a long mail is about the rent."""

    def predict(self, text: str) -> dict[str, dict[str, float]]:
        alarming = 0.9 if text.startswith("Die draden") else 0.1
        return {
            "intent": {"emergency": alarming, "question": 1.0 - alarming},
            "explicit": {"explicit": 0.5},
            "category": {"billing": 1.0},
            "anger": {"0": 1.0},
        }


def test_each_sentence_of_a_long_message_is_read_on_its_own() -> None:
    rent = ["Ik heb een vraag over de huur.", "Die is dit jaar gestegen.", "Klopt dat bedrag?"]
    wires = "Die draden in de gang wil ik ook even noemen."
    long_mail = " ".join([*rent, wires])
    heard = read(long_mail, today=TODAY, model=_SentenceModel()).understood
    # The route is the emergency's; the mail is still the question it asks.
    assert (heard.danger, heard.intent) == (True, "question")
    # Three sentences are short enough for the whole reading to carry each of them.
    short = " ".join([*rent[:2], wires])
    heard = read(short, today=TODAY, model=_SentenceModel()).understood
    assert (heard.danger, heard.intent) == (False, "question")


@pytest.mark.parametrize(
    "text",
    [
        "Ik maak bezwaar tegen de naheffing.",
        "Deze factuur betwist ik.",
        "Ik ga niet akkoord met uw voorstel.",
        "Mijn advocaat neemt contact met u op.",
        "Ik stap naar de geschillencommissie.",
        "Hierbij stel ik u in gebreke.",
        "I will take legal action.",
        "This goes to small claims court.",
    ],
)
def test_dispute_cues(text: str) -> None:
    result = understand(text, today=TODAY)
    assert result.intent == "dispute"
    assert result.category is None
    assert result.explicit is None


def test_repair_request_without_dissatisfaction() -> None:
    result = understand("De kraan in de badkamer lekt, kunt u een monteur sturen?", today=TODAY)
    assert result.intent == "repair_request"
    assert result.anger == 0


def test_repair_request_with_dissatisfaction_is_a_complaint() -> None:
    text = "De kraan lekt alweer, al drie weken wacht ik op een monteur. Kunt u iemand sturen?"
    assert understand(text, today=TODAY).intent == "complaint"


def test_nuisance() -> None:
    result = understand("De bovenburen maken elke nacht herrie.", today=TODAY)
    assert result.intent == "nuisance"


def test_angry_markers() -> None:
    assert understand("Dit is SCHANDALIG, hoe vaak moet ik nog bellen!!", today=TODAY).anger == 2
    assert understand("I'm fed up with your service", today=TODAY).anger == 2
    text = "Voor de derde keer: de afvoer is verstopt en er komt niemand."
    assert understand(text, today=TODAY).anger == 2


def test_anger_follows_the_text_not_the_intent() -> None:
    played_down = "De factuur klopt niet helemaal, geen ramp hoor, als het maar wordt aangepast."
    heard = understand(played_down, today=TODAY)
    assert heard.intent == "complaint"
    assert heard.anger == 0
    panic = "HELP ER KOMT ROOK UIT DE MUUR!!! wat moet ik doen"
    heard = understand(panic, today=TODAY)
    assert heard.intent == "emergency"
    assert heard.anger <= 1  # fear, not anger at us
    assert understand("GAS!!! En jullie doen NIETS, schandalig!!", today=TODAY).anger == 2


def test_compliment_is_calm_even_with_exclamations() -> None:
    result = understand("Super snel geholpen, bedankt voor alles!!", today=TODAY)
    assert result.intent == "compliment"
    assert result.anger == 0


def test_key_sentences_skip_greeting_and_signature() -> None:
    text = (
        "Beste mensen,\n\nVorige maand is mijn koelkast geleverd. Hij is prachtig. "
        "Helaas is hij nu al kapot en ik wacht al twee weken op een monteur.\n\n"
        "Met vriendelijke groet,\nAnna de Wit"
    )
    result = understand(text, today=TODAY)
    assert 1 <= len(result.key_sentences) <= 3
    assert any("kapot" in s for s in result.key_sentences)
    assert not any("groet" in s.lower() or "Beste" in s for s in result.key_sentences)
