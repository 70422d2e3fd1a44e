"""Anger level 0 calm, 1 annoyed, 2 angry, from words, capitals and punctuation."""

from __future__ import annotations

import re

from bot.nlu.types import Intent

_ANGRY = re.compile(
    r"\bschandal\w*|\bschande\b|\bbelachelijk\w*|\bwaardeloos\b|\bhoe vaak moet ik\b|\bwoedend\b"
    r"|\bdit slaat nergens op\b|\bnu is de maat vol\b|\bklaar mee\b|\bkut\w*|\bgodver\w*"
    r"|\bverdomme\b|\btering\w*|\bkanker\w*|\bridiculous\b|\bfed up\b|\bdisgrace\w*"
    r"|\bdisgusting\b|\boutrageous\b"
    r"|\bfurious\b|\bhow many (more )?times\b|\bwhat (the hell|on earth) is going on\b"
    r"|\bwhat is going on\b|\bsick (and tired )?of\b|\bfuck\w*|\bshit\w*|\bbloody\b|\bwtf\b"
)
_ANNOYED = re.compile(
    r"\bontevred\w*|\bteleurgesteld\w*|\beindelijk\b|\bvervelend\b|\bgeergerd\b|\bgeirriteerd\b"
    r"|\bboos\b|\bkwaad\b|\bonacceptabel\b|\bdisappoint\w*|\bannoy\w*|\bfrustrat\w*|\bunacceptable\b"
    r"|\bangry\b|\bupset\b|\bfinally\b|\bterrible\b|\bawful\b"
)
_SHOUTED = re.compile(r"\b[A-Z]{3,}\b")
_LETTER_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_FLOOR_ONE: frozenset[Intent] = frozenset({"complaint", "dispute", "nuisance"})


def _shouting(text: str) -> bool:
    # Two or more shouted words making up most of the text; one acronym (BTW, KPN) is not shouting.
    shouted = len(_SHOUTED.findall(text))
    return shouted >= 2 and shouted * 2 >= len(_LETTER_WORD.findall(text))


def anger_level(text: str, folded: str, intent: Intent) -> int:
    if intent == "compliment":
        # "Super, bedankt!!" is enthusiasm, not anger.
        return 0
    level = 0
    if _ANGRY.search(folded) or _shouting(text):
        level = 2
    elif "!!" in text and intent != "emergency":
        # Panic punctuation in an emergency is fear, not anger at the business.
        level = 2
    elif _ANNOYED.search(folded):
        level = 1
    if intent in _FLOOR_ONE:
        level = max(level, 1)
    return level
