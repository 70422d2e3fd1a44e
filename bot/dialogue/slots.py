"""The facts of a case: what each kind may hold, which ones a topic needs, which the customer
already gave. A fact is filed under its own kind, whatever question was open when it came."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.nlu import Slots

# Every kind of fact the dialogue keeps (state.facts is keyed by these).
FACT_KINDS = (
    "order_number",
    "invoice_number",
    "customer_number",
    "when",
    "product",
    "who",
    "amount",
    "name",
    "address",
    "postcode",
    "phone",
    "email",
    "outcome",
)
# At most two facts per topic: enough for a handler to act without calling back first. A visit
# needs the address; a staff complaint who and when.
FACTS_PER_CATEGORY: Mapping[str, tuple[str, ...]] = {
    "delivery": ("order_number", "when"),
    "product": ("product", "order_number"),
    "service_execution": ("when", "address"),
    "billing": ("invoice_number", "amount"),
    "staff_conduct": ("who", "when"),
    "communication": ("when",),
    "policy": (),
    "other": (),
}
# Topics about something that happened once: "wanneer gebeurde dit?", not "sinds wanneer?".
ONE_OFF_CATEGORIES = frozenset({"delivery", "service_execution", "staff_conduct", "billing"})
MAX_QUESTIONS = 4
# The registration an organisation requires by default: a name and a way to reach them.
DEFAULT_REQUIRE = ("name", "contact")
# A question kind that any of several facts answers.
ANSWERED_BY: Mapping[str, tuple[str, ...]] = {"contact": ("phone", "email")}
# Question kinds whose answer may be taken as written when nothing else was recognised in it.
FREE_TEXT = frozenset({"outcome", "who", "product", "name", "address"})
# Kinds whose answer must be recognised as such (a number, a date, a phone or an email).
_REFERENCE = re.compile(r"\b[A-Za-z]{0,4}[-/]?\d[\dA-Za-z/-]{2,}\b")

_OUTCOME = re.compile(
    r"\b(?:ik wil(?: graag| wel)?|ik zou (?:graag|willen)(?: willen)?|ik verwacht|ik vraag(?: om)?|"
    r"ik wens|graag zie ik|"
    r"i(?:'d| would) like|i want|i expect|i(?:'m| am) asking for)\s+(?P<wish>[^.!?\n]{3,160})",
    re.IGNORECASE,
)


def outcome_in(text: str) -> str | None:
    """The customer's wish when the text says it ("ik wil graag een creditnota", "I'd like a
    refund"), as the customer wrote it."""
    found = _OUTCOME.search(text)
    if found:
        wish = found.group("wish").strip(" ,;:")
        if not re.match(r"(weten|vragen|know|ask)\b", wish, re.IGNORECASE):
            return wish
    return None


# The people of ours a story is about, as the customer names them ("de caissière").
_WHO = re.compile(
    r"\b(?:de|die|onze|uw|jullie|the|your|a|een)\s+(?P<who>(?:"
    r"caissi[eè]re|kassi[eè]re|kassamedewerker|monteur|bezorger|chauffeur|medewerker|"
    r"medewerkster|schilder|loodgieter|huismeester|woonconsulent|receptionist[e]?|verkoper|"
    r"verkoopster|opzichter|aannemer|klantenservice|telefoniste|baliemedewerker|"
    r"cashier|engineer|driver|courier|technician|employee|member of staff|staff member|"
    r"plumber|painter|receptionist|salesman|saleswoman|shop assistant|call centre agent|agent"
    r"))\b",
    re.IGNORECASE,
)


def who_in(text: str) -> str | None:
    """Who of ours the story is about, in the customer's words."""
    found = _WHO.search(text)
    return found.group(0) if found else None


def facts_from(slots: Slots) -> dict[str, str]:
    """The first value of each kind the understanding found."""
    pairs: Sequence[tuple[str, tuple[str, ...]]] = (
        ("order_number", slots.order_numbers),
        ("invoice_number", slots.invoice_numbers),
        ("customer_number", slots.customer_numbers),
        ("when", slots.dates),
        ("product", slots.products),
        ("amount", slots.amounts),
        ("name", slots.names),
        ("address", slots.addresses),
        ("postcode", slots.postcodes),
        ("phone", slots.phones),
        ("email", slots.emails),
    )
    return {kind: values[0] for kind, values in pairs if values}


def reference_in(text: str) -> str | None:
    """A bare reference given as the whole answer ("A55120", "F-88213", "558210")."""
    words = text.split()
    if len(words) > 4:
        return None
    found = _REFERENCE.search(text)
    return found.group(0) if found else None


# What a channel that reaches the customer (a mail address) already gives: a way to reach
# them, and their email address.
GIVEN_BY_A_REACHING_CHANNEL = ("contact", "email")


def known(kind: str, facts: Mapping[str, str], *, reaches_customer: bool) -> bool:
    if reaches_customer and kind in GIVEN_BY_A_REACHING_CHANNEL:
        return True
    if kind in ANSWERED_BY:
        return any(facts.get(k) for k in ANSWERED_BY[kind])
    return bool(facts.get(kind))


def questions_for(category: str | None, require: Sequence[str]) -> tuple[str, ...]:
    """What to ask, most important first: the topic's facts, the wish, the registration."""
    wanted: list[str] = [*FACTS_PER_CATEGORY.get(category or "other", ()), "outcome"]
    wanted += [kind for kind in require if kind not in wanted]
    return tuple(wanted)


def next_question(
    *,
    category: str | None,
    require: Sequence[str],
    facts: Mapping[str, str],
    settled: Sequence[str],
    asked: Sequence[str],
    reaches_customer: bool,
) -> str | None:
    """The first fact still missing that was not asked yet. Within `MAX_QUESTIONS` asked, the
    registration goes before the wish and the wish before the topic's facts; they are asked
    in the order a conversation runs (what happened, what would help, who you are)."""
    budget = MAX_QUESTIONS - len(asked)
    order = questions_for(category, require)
    missing = [
        kind
        for kind in order
        if kind not in settled
        and kind not in asked
        and not known(kind, facts, reaches_customer=reaches_customer)
    ]
    if budget <= 0 or not missing:
        return None
    priority = sorted(
        missing,
        key=lambda kind: (
            0 if kind in require else 1 if kind == "outcome" else 2 + order.index(kind)
        ),
    )
    kept = set(priority[:budget])
    return next(kind for kind in missing if kind in kept)
