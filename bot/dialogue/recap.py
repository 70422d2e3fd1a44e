"""What the "klopt dit?" summary shows: the gist of the story and every fact, by kind.

The labels are in the customer's language in templates/messages/*/summary.txt.j2; the order
here is the order a person tells it in: what, when, the numbers, then who they are and how to
reach them. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialogue.gist import gist
from bot.dialogue.state import DialogueState

# Every fact kind the dialogue keeps, in the order it is read back; "outcome" (the wish) gets a
# line of its own. "contact" is the older single kind for phone-or-email, kept for stored cases.
FACT_ORDER = (
    "product",
    "when",
    "order_number",
    "invoice_number",
    "customer_number",
    "amount",
    "who",
    "name",
    "address",
    "postcode",
    "phone",
    "email",
    "contact",
)


def facts_in_order(facts: dict[str, str]) -> list[dict[str, str]]:
    """The known facts as {"slot", "value"} in FACT_ORDER; kinds not listed come last."""
    known = [kind for kind in FACT_ORDER if facts.get(kind)]
    known += sorted(k for k, v in facts.items() if v and k not in FACT_ORDER and k != "outcome")
    return [{"slot": kind, "value": facts[kind]} for kind in known]


def recap(state: DialogueState) -> dict[str, Any]:
    """The context of the `summary` reply."""
    return {
        "gist": gist(state.story, state.key_sentences, state.facts.get("outcome")),
        "facts": facts_in_order(state.facts),
        "outcome": state.facts.get("outcome"),
        "changed": list(state.changed),
    }


def reached_by(facts: Mapping[str, str], *, channel: str, email: str | None) -> tuple[str, str]:
    """How the person who takes the case will contact the customer: ("phone", number) when a
    phone number was given, else ("email", address), else ("chat", the conversation's channel).
    The promise to the customer and the handler's summary both say this."""
    contact = facts.get("contact", "")
    phone = facts.get("phone") or (contact if contact and "@" not in contact else "")
    if phone:
        return "phone", phone
    address = facts.get("email") or email or (contact if "@" in contact else "")
    if address:
        return "email", address
    return "chat", channel


def reach(state: DialogueState) -> dict[str, str]:
    """The agreement's context for how we will get in touch (see `reached_by`)."""
    kind, address = reached_by(state.facts, channel=state.channel, email=state.email)
    return {"reach_kind": kind, "reach_address": address}
