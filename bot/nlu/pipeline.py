"""`understand`: one pass over a message producing an `Understanding`."""

from __future__ import annotations

from datetime import date

from bot.nlu.anger import anger_level
from bot.nlu.category import decide_category
from bot.nlu.cues import find_cues
from bot.nlu.intent import decide_intent
from bot.nlu.language import detect_language
from bot.nlu.normalize import fold
from bot.nlu.sentences import body_sentences, key_sentences
from bot.nlu.slots import extract_slots
from bot.nlu.types import Language, Understanding

# Very long input (pasted logs, forwarded threads) is cut so one message cannot stall the bot;
# the first part of a message carries the complaint in practice.
_MAX_CHARS = 8000


def understand(
    text: str, *, today: date, previous_language: Language | None = None
) -> Understanding:
    text = text[:_MAX_CHARS]
    folded_all = fold(text)
    body = body_sentences(text)
    # Greetings and signatures say nothing about the matter and mislead cue matching
    # ("Thanks, Tom" is not a compliment). Folding works character by character and never
    # across a newline, so the folded sentences joined are the folded body.
    matter = "\n".join(body.sentences) if body.sentences else text
    folded = "\n".join(body.folded) if body.sentences else folded_all
    intent, explicit = decide_intent(find_cues(folded), folded)
    category = decide_category(folded) if intent == "complaint" else None
    return Understanding(
        language=detect_language(folded_all, previous_language),
        intent=intent,
        explicit=explicit,
        category=category,
        anger=anger_level(matter, folded, intent),
        slots=extract_slots(text, folded_all, today),
        key_sentences=key_sentences(body),
    )
