"""`understand`: one pass over a message producing an `Understanding`.

`read` does the pass without knowing the conversation: only the language choice depends on
it (a tie keeps the language spoken so far), so a `Reading` can be made ahead of time, in
another process, and settled when the message's turn comes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.nlu.anger import anger_level
from bot.nlu.category import decide_category
from bot.nlu.cues import find_cues
from bot.nlu.emergency import danger_kinds
from bot.nlu.intent import decide_intent
from bot.nlu.language import LanguageVotes, count_votes
from bot.nlu.linear import Model, shipped_model
from bot.nlu.normalize import fold
from bot.nlu.sentences import body_sentences, key_sentences
from bot.nlu.slots import extract_slots
from bot.nlu.types import Language, Understanding

# Very long input (pasted logs, forwarded threads) is cut so one message cannot stall the bot;
# the first part of a message carries the complaint in practice.
_MAX_CHARS = 8000
# From this many sentences on, a message is long enough for danger in one of them to be diluted
# in the whole message's reading, so each sentence is also read on its own. In cross-validation
# reading sentences of shorter messages too cost seven times the false alarms (58 against 8 of
# 2,865 messages) for the same catches on a fresh set of long mails (11 of the 13 it hid).
_LONG = 4


@dataclass(frozen=True)
class Reading:
    """A text understood on its own: `understood.language` is the text's own guess."""

    understood: Understanding
    votes: LanguageVotes

    def in_conversation(self, previous_language: Language | None) -> Understanding:
        language = self.votes.choose(previous_language)
        if language == self.understood.language:
            return self.understood
        return replace(self.understood, language=language)


def understand(
    text: str, *, today: date, previous_language: Language | None = None
) -> Understanding:
    return read(text, today=today).in_conversation(previous_language)


def read(text: str, *, today: date, model: Model | None = None) -> Reading:
    """`model`: another trained model than the shipped one (cross-validation, comparisons)."""
    text = text[:_MAX_CHARS]
    folded_all = fold(text)
    body = body_sentences(text)
    # Greetings and signatures say nothing about the matter and mislead cue matching
    # ("Thanks, Tom" is not a compliment). Folding works character by character and never
    # across a newline, so the folded sentences joined are the folded body.
    matter = "\n".join(body.sentences) if body.sentences else text
    folded = "\n".join(body.folded) if body.sentences else folded_all
    model = model or shipped_model()
    predicted = model.predict(matter)
    # The safety net reads the whole text: danger told after a sign-off is still danger.
    cues = find_cues(folded, danger_in=folded_all)
    decision = decide_intent(cues, predicted["intent"])
    if not decision.danger and len(body.sentences) >= _LONG:
        alarming = max(model.predict(s)["intent"].get("emergency", 0.0) for s in body.sentences)
        decision = decide_intent(cues, predicted["intent"], alarming_sentence=alarming)
    intent = decision.intent
    complaint = intent == "complaint"
    explicit_p = predicted["explicit"].get("explicit", 0.0)
    kinds = danger_kinds(folded_all) if decision.by_safety_net else ()
    votes = count_votes(folded_all)
    understood = Understanding(
        language=votes.guess,
        intent=intent,
        explicit=explicit_p >= 0.5 if complaint else None,
        category=decide_category(predicted["category"]) if complaint else None,
        anger=anger_level(matter, folded, intent, predicted["anger"]),
        slots=extract_slots(text, folded_all, today),
        key_sentences=key_sentences(body),
        emergency_kind=kinds[0] if kinds else None,
        danger=decision.danger,
        confidence=decision.confidence,
    )
    return Reading(understood, votes)


def read_many(texts: list[str], today: date) -> list[Reading]:
    """`read` for a block of texts: one trip to a helper process for all of them."""
    return [read(text, today=today) for text in texts]


def warm_understanding() -> None:
    """Load what `read` needs on first use; run at start, also in each helper process."""
    shipped_model()
    read("Mijn pakket is niet geleverd. Bel 06-12345678, Kerkstraat 1.", today=date(2026, 1, 5))
