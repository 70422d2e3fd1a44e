"""Anger level 0 calm, 1 annoyed, 2 angry: it follows the text, not the intent.

The model's anger head reads the words; what it cannot see in folded text is added here:
CAPS, "!!", repeated complaints ("voor de derde keer") and swearing make a message angry;
playing it down ("geen ramp hoor", "no rush") makes it calm. Panic in an emergency is fear, not
anger at us: there only words aimed at the organisation count.
"""

from __future__ import annotations

import re

from bot.nlu.types import Intent

_ANGRY = re.compile(
    r"\bschandal\w*|\bschande\b|\bbelachelijk\w*|\bwaardeloos\b|\bhoe vaak moet ik\b|\bwoedend\b"
    r"|\bdit slaat nergens op\b|\bnu is de maat vol\b|\bklaar mee\b|\bkut\w*|\bgodver\w*"
    r"|\bverdomme\b|\btering\w*|\bkanker\w*|\bziedend\b|\bspuugzat\b|\bschijtziek\b|\bbedroevend\b"
    r"|\b(derde|vierde|vijfde|zoveelste|\d+e) keer\b|\bridiculous\b|\bfed up\b|\bdisgrace\w*"
    r"|\bdisgusting\b|\boutrageous\b|\bpathetic\b|\bappalling\b|\bunbelievable\b"
    r"|\bfurious\b|\bhow many (more )?times\b|\bwhat (the hell|on earth) is going on\b"
    r"|\b(third|fourth|fifth|umpteenth) time\b|\bsick (and tired )?of\b|\bfuck\w*|\bshit\w*"
    r"|\bbloody\b|\bwtf\b"
)
_CALM = re.compile(
    r"\bgeen (ramp|probleem|haast|drama|punt)\b|\bniet zo erg\b|\bniet erg\b|\bgeen idee of\b"
    r"|\bno (rush|hurry|big deal|problem|worries)\b|\bnot a big deal\b|\bnot urgent\b"
    r"|\bwhenever (it suits|you can)\b|\bwanneer het uitkomt\b"
)
_SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
_LETTER_WORD = re.compile(r"\b[^\W\d_]{3,}\b")


def _shouting(text: str) -> bool:
    # Two or more shouted words making up most of the text; one acronym (BTW, KPN) is not shouting.
    shouted = len(_SHOUTED.findall(text))
    return shouted >= 2 and shouted * 2 >= len(_LETTER_WORD.findall(text))


def anger_level(text: str, folded: str, intent: Intent, probabilities: dict[str, float]) -> int:
    """`probabilities`: the model's anger head ("0", "1", "2")."""
    if intent == "compliment":
        # "Super, bedankt!!" is enthusiasm, not anger.
        return 0
    level = int(max(probabilities, key=probabilities.__getitem__)) if probabilities else 0
    if intent == "emergency":
        # Capitals and "!!!" in an emergency are panic; only words aimed at us count.
        return 2 if _ANGRY.search(folded) else min(level, 1)
    if _ANGRY.search(folded) or _shouting(text) or "!!" in text:
        return 2
    if _CALM.search(folded):
        return 0
    return level
