"""The written confirmation of an agreement, the same day it was made.

By email when the customer agreed to it (and email is set up) or wrote by email; otherwise in
the chat. It waits for the end of quiet hours like any non-urgent message.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from bot.outbound.outbound import Sender, queue_reply
from bot.policy.calendar import Calendar
from storage import repo
from storage.models import Case, ChannelIdentity

SUMMARY_FACTS = ("order_number", "invoice_number", "when", "product", "who", "amount")


async def queue_confirmation(
    session: AsyncSession,
    *,
    case: Case,
    state: DialogueState,
    sender: Sender,
    calendar: Calendar,
    email_enabled: bool,
    now: datetime,
) -> int | None:
    if state.promise_at is None:
        return None  # nothing was agreed, so there is nothing to confirm
    by_email = case.channel == "email" or bool(
        email_enabled and state.consent_email and state.email
    )
    channel = recipient = None
    if by_email and case.channel != "email":
        channel, recipient = "email", state.email
        await _link_address(session, case=case, address=recipient or "", now=now)
    words = state.key_sentences or state.story[:1]
    return await queue_reply(
        session,
        case=case,
        sender=sender,
        calendar=calendar,
        template="confirmation",
        key="confirmation",
        at=now,
        now=now,
        channel=channel,
        recipient=recipient,
        context={
            "summary": list(words[:3]),
            "facts": [
                {"slot": slot, "value": state.facts[slot]}
                for slot in SUMMARY_FACTS
                if state.facts.get(slot)
            ],
            "outcome": state.facts.get("outcome"),
            "promise_at": datetime.fromisoformat(state.promise_at),
            "resolve_at": case.resolution_due,
            "contact_channel": case.channel,
            "by_email": by_email,
        },
    )


async def _link_address(session: AsyncSession, *, case: Case, address: str, now: datetime) -> None:
    """A reply to the confirmation mail comes from this address: let it reach the same
    customer, so it joins this case instead of opening a new one."""
    if await repo.identity_for(session, channel="email", address=address) is None:
        session.add(
            ChannelIdentity(
                customer_id=case.customer_id, channel="email", address=address, created_at=now
            )
        )
