"""Reading short answers: yes, no, "I don't know". Recognition only; no wording to send."""

from __future__ import annotations

import re
from typing import Literal

from bot.nlu import Language

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


QuestionBack = Literal["when", "who", "why", "other"]

_WANTS_PERSON = re.compile(
    r"\b(mens|medewerker|iemand|persoon|echte? persoon)\b[^.?!]{0,20}\b(spreken|praten|bellen)\b"
    r"|\b(spreken|praten)\b[^.?!]{0,20}\b(mens|medewerker|persoon)\b"
    r"|\b(talk|speak)\b[^.?!]{0,20}\b(human|person|agent|someone|somebody|real)\b"
    r"|\b(human|real person|agent)\b[^.?!]{0,10}\bplease\b",
    re.IGNORECASE,
)
_TO_ENGLISH = re.compile(
    r"\b(in english|continue in english|speak english|engels (spreken|praten|verder)|"
    r"in het engels)\b",
    re.IGNORECASE,
)
_TO_DUTCH = re.compile(
    r"\b(in dutch|continue in dutch|in het nederlands|nederlands (spreken|praten|verder)|"
    r"verder in het nederlands)\b",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(
    r"^\W*(wanneer|hoe ?laat|hoe lang|wie|waarom|wat|welke?|hoe|waar|kan|kunt|kunnen|mag|moet|"
    r"zal|zult|gaat|komt|heeft|hebt|is|when|who|why|what|which|how|where|can|could|will|"
    r"would|do|does|is|are|should|and)\b",
    re.IGNORECASE,
)
_ASKS_WHEN = re.compile(r"\b(wanneer|hoe ?laat|hoe lang|when|how long|what time)\b", re.I)
_ASKS_WHO = re.compile(r"\b(wie|who)\b", re.IGNORECASE)
_ASKS_WHY = re.compile(r"\b(waarom|why|waarvoor|what for)\b", re.IGNORECASE)
_CORRECTION = re.compile(
    r"\b(o+ wacht|wacht even|ik bedoel|ik bedoelde|sorry,? (het|dat|ik) (was|is|bedoel)|"
    r"eigenlijk|correctie|niet\b[^.?!,]{1,40}\bmaar\b|moet zijn|"
    r"actually|i mean|i meant|sorry,? it (was|is)|not\b[^.?!,]{1,40}\bbut\b|should be|"
    r"oops|wait)\b",
    re.IGNORECASE,
)
# "niet dinsdag maar woensdag" / "not Tuesday but Wednesday": the words before "maar" are the
# old value; "woensdag, niet dinsdag": the words after "niet" are.
_NOT_BUT = re.compile(r"\b(niet|not)\s+[^.?!,;]{1,40}?\s*\b(maar|but)\b", re.IGNORECASE)
_COMMA_NOT = re.compile(r"[,;]?\s*\b(niet|not|instead of|in plaats van)\b\s+[^.?!,;]*", re.I)


def wants_person(text: str) -> bool:
    """ "Ik wil een mens spreken", "can I talk to a person": hand off now."""
    return _WANTS_PERSON.search(text) is not None


def language_asked(text: str) -> Language | None:
    """The language the customer asks to continue in, if they ask."""
    if _TO_ENGLISH.search(text):
        return "en"
    if _TO_DUTCH.search(text):
        return "nl"
    return None


def questions_in(text: str) -> list[str]:
    """The questions the customer asks, as written: sentences ending in a question mark."""
    found = re.findall(r"[^.!?\n]*\?", text)
    return [q.strip() for q in found if _QUESTION_WORD.search(q.strip()) or len(q.split()) > 2]


def question_kind(question: str) -> QuestionBack:
    if _ASKS_WHY.search(question):
        return "why"
    if _ASKS_WHO.search(question):
        return "who"
    if _ASKS_WHEN.search(question):
        return "when"
    return "other"


def split_correction(text: str) -> tuple[str, str]:
    """An answer and a correction sent together ("een nieuwe afspraak. O wacht, het was
    woensdag"): the answer before the correction starts, and the correction."""
    found = _CORRECTION.search(text)
    if found is None:
        return text, ""
    return text[: found.start()].strip(" ,;"), text[found.start() :]


def without_old_values(text: str) -> str:
    """A correction with the value it replaces left out, so only the new one is read."""
    return _COMMA_NOT.sub("", _NOT_BUT.sub("", text))


_ROUTE_WORDS = (
    ("complaint", re.compile(r"\b(klacht\w*|complain\w*|ontevreden|unhappy)\b", re.I)),
    ("repair_request", re.compile(r"\b(reparatie\w*|repair\w*|monteur|fix)\b", re.I)),
    ("question", re.compile(r"\b(vraag|question)\b", re.I)),
)


def route_named(text: str, offered: tuple[str, ...]) -> str | None:
    """Which offered route a typed answer names ("een klacht indienen", "report a repair")."""
    for route, pattern in _ROUTE_WORDS:
        if route in offered and pattern.search(text):
            return route
    return None
