"""Which facts a complaint still needs, per category, and which the story already gave."""

from __future__ import annotations

from collections.abc import Mapping

from bot.nlu import Slots

# At most two facts per topic: enough for a handler to act without calling back first.
FACTS_PER_CATEGORY: Mapping[str, tuple[str, ...]] = {
    "delivery": ("order_number", "when"),
    "product": ("product", "order_number"),
    "service_execution": ("when",),
    "billing": ("invoice_number", "amount"),
    "staff_conduct": ("who", "when"),
    "communication": ("when",),
    "policy": (),
    "other": (),
}
MAX_QUESTIONS = 4
# Channels that tell us how to reach the customer outside the conversation.
CHANNELS_WITH_CONTACT = frozenset({"email"})


def facts_from(slots: Slots) -> dict[str, str]:
    found: dict[str, str] = {}
    pairs = (
        ("order_number", slots.order_numbers),
        ("invoice_number", slots.invoice_numbers),
        ("when", slots.dates),
        ("product", slots.products),
        ("amount", slots.amounts),
    )
    for slot, values in pairs:
        if values:
            found[slot] = values[0]
    contact = slots.emails or slots.phones
    if contact:
        found["contact"] = contact[0]
    return found


def questions_for(category: str | None, channel: str) -> tuple[str, ...]:
    wanted = [*FACTS_PER_CATEGORY.get(category or "other", ()), "outcome"]
    if channel not in CHANNELS_WITH_CONTACT:
        wanted.append("contact")
    return tuple(wanted[:MAX_QUESTIONS])


def next_question(
    *, category: str | None, channel: str, known: Mapping[str, str], asked: tuple[str, ...]
) -> str | None:
    for slot in questions_for(category, channel):
        if slot not in known and slot not in asked:
            return slot
    return None
