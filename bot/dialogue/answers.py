"""Reading short answers: yes, no, "I don't know". Recognition only; no wording to send."""

from __future__ import annotations

import re
from typing import Literal

Answer = Literal["yes", "no", "unknown", "other"]

_YES = re.compile(
    r"^\W*(ja+|jazeker|jawel|klopt|dat klopt|helemaal goed|correct|prima|goed zo|precies|akkoord"
    r"|graag|yes|yep|yeah|right|that'?s right|exactly|sure|ok(ay)?|oké|oke|please)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\W*(nee+|neen|nope|no|niet helemaal|klopt niet|dat klopt niet|not quite|not really"
    r"|that'?s not right|hoeft niet|liever niet|no thanks?)\b",
    re.IGNORECASE,
)
_DONT_KNOW = re.compile(
    r"\b(weet ik niet|weet ik het niet|weet niet|geen idee|geen flauw idee|ik weet het niet"
    r"|niet meer|kan ik niet vinden|i don'?t know|no idea|not sure|dunno|can'?t remember)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def read_answer(text: str) -> Answer:
    if _DONT_KNOW.search(text):
        return "unknown"
    if _NO.search(text):
        return "no"
    if _YES.search(text):
        return "yes"
    return "other"


def beyond_yes_no(text: str) -> str:
    """What follows a leading yes/no: "nee, het was dinsdag" gives "het was dinsdag"."""
    stripped = _NO.sub("", text, count=1)
    stripped = _YES.sub("", stripped, count=1) if stripped == text else stripped
    return stripped.strip(" ,.;:!-\t\n")


def email_in(text: str) -> str | None:
    found = _EMAIL.search(text)
    return found.group(0).lower() if found else None
