"""What the acknowledgement reflects back: the customer's own story, not a line per category.

Step 2 of the conversation ("repareer eerst de klant"): say what happened and what it cost the
customer in their terms (the product or service, the day off, the waiting, the money), name the
feeling when it runs high, apologise only where something went wrong on our side, and thank.
This module decides *what* to say; the words are in templates/messages/*/acknowledge.txt.j2,
which pick one of many phrasings by the case's `variant` so customers in a row read different
sentences. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.dialogue.gist import gist
from bot.nlu import Understanding
from bot.nlu.normalize import fold

# What the trouble cost the customer, in the order the acknowledgement mentions them; at most
# two are named, so the reply stays short.
IMPACT_CUES: dict[str, re.Pattern[str]] = {
    "day_off": re.compile(
        r"\b(vrij (genomen|gevraagd|moeten nemen)|vrije dag|snipperdag|verlof (genomen|opgenomen)"
        r"|(hele|halve) dag (thuis|gewacht)|thuis gebleven|thuisgebleven"
        r"|(took|take|taken|booked|had to take) (a |the |half a )?(day|morning|afternoon) off"
        r"|day off|stayed (at )?home|(waited|stuck) (at )?home all day)\b"
    ),
    "money": re.compile(
        r"\b(betaald|afgeschreven|geld|kosten|terugbetal\w*|te veel|dubbel"
        r"|paid|charged|money|refund\w*|overcharged|twice)\b|€|\beur(o|os)?\b"
    ),
    "waiting": re.compile(
        r"\b(wacht\w*|gewacht|al (een paar |twee |drie |vier |vijf |\d+ )?(dagen|weken|maanden)"
        r"|nog steeds|nog altijd|wait\w*"
        r"|for (a few |two |three |four |five |\d+ )?(days|weeks|months)"
        r"|still (not|no|have not|haven't|nothing))\b"
    ),
    "unreachable": re.compile(
        r"\b(niemand (neemt|nam) op|geen (reactie|antwoord)|niet teruggebeld|nooit teruggebeld"
        r"|niets (meer )?gehoord|nobody (answers|answered|picks up|called)"
        r"|no (reply|answer|response)"
        r"|never (called|rang|got) back|not called back|heard nothing)\b"
    ),
    "again": re.compile(
        r"\b(alweer|opnieuw|weer (niet|kapot|mis)|(tweede|derde|vierde|vijfde) keer"
        r"|al (twee|drie|vier|vijf) keer|again|(second|third|fourth) time|three times|twice)\b"
    ),
}
MAX_IMPACTS = 2
ANGRY = 2
# Where the trouble is not of our making, sympathy without an apology: a rule the customer
# finds unfair, the neighbours, a plain question, a wish for a repair.
NO_APOLOGY_INTENTS = frozenset({"nuisance", "question", "repair_request", "dispute", "compliment"})
NO_APOLOGY_CATEGORIES = frozenset({"policy"})
# Words the product list also knows but that, in a story in this language, are mostly
# something else: Dutch "door" (by, through), "bank" when the story is about paying.
NOT_A_PRODUCT = {"nl": frozenset({"door", "bin"}), "en": frozenset()}
PAYING_TOPICS = frozenset({"billing", "dispute"})
# Topics the templates have their own reflection for; anything else is "other".
TOPICS = (
    "delivery",
    "product",
    "service_execution",
    "billing",
    "staff_conduct",
    "communication",
    "policy",
    "nuisance",
    "repair_request",
    "question",
    "dispute",
    "other",
)


def impacts(story: Iterable[str], *, amount: bool = False) -> tuple[str, ...]:
    """What the story says it cost the customer, in mention order of IMPACT_CUES."""
    folded = fold("\n".join(story))
    found = [kind for kind, cue in IMPACT_CUES.items() if cue.search(folded)]
    if amount and "money" not in found:
        found.insert(0, "money")  # an amount named is money at stake
    return tuple(found[:MAX_IMPACTS])


def topic(heard: Understanding) -> str:
    if heard.intent in ("nuisance", "repair_request", "question", "dispute"):
        return heard.intent
    return heard.category if heard.category in TOPICS else "other"


def product(heard: Understanding) -> str:
    """The first thing the story names that is really a thing, in the customer's word."""
    skip = NOT_A_PRODUCT.get(heard.language, frozenset())
    if topic(heard) in PAYING_TOPICS:
        skip |= {"bank"}
    return next((word for word in heard.slots.products if word not in skip), "")


def apologise(heard: Understanding) -> bool:
    """Sorry where we went wrong; not for a rule, the neighbours or a question."""
    return heard.intent not in NO_APOLOGY_INTENTS and heard.category not in NO_APOLOGY_CATEGORIES


def acknowledgement(
    heard: Understanding, story: Iterable[str], wish: str | None = None
) -> dict[str, Any]:
    """The context of the `acknowledge` reply for a story read as `heard`; `wish` is what the
    customer said would help, when known (see `gist`)."""
    story = tuple(story)
    slots = heard.slots
    return {
        "topic": topic(heard),
        # The thing it is about, in the customer's word ("wasmachine", "dak"), if they named one.
        "product": product(heard),
        "amount": slots.amounts[0] if slots.amounts else "",
        "impacts": list(impacts(story, amount=bool(slots.amounts))),
        "feeling": heard.anger >= ANGRY,
        "apology": apologise(heard),
        "explicit": bool(heard.explicit),
        "key_sentence": gist(story, heard.key_sentences, wish),
    }
