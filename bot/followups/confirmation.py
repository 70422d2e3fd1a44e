"""The written confirmation of an agreement, the same day it was made.

By email when the customer agreed to it (and email is set up) or wrote by email; otherwise in
the chat. It waits for the end of quiet hours like any non-urgent message.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from bot.dialogue.gist import gist
from bot.dialogue.recap import facts_in_order, reach
from bot.outbound.outbound import Sender, queue_reply
from bot.policy.calendar import Calendar
from channels.registry import mail_channel, traits_of
from storage import repo
from storage.models import Case, ChannelIdentity


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
    # In the conversation's own channel when that reaches the customer later anyway (a mail);
    # otherwise by mail to the address the customer gave for it, if mail is set up.
    in_channel = traits_of(case.channel).reaches_customer
    mail = mail_channel() if email_enabled and state.consent_email and state.email else None
    by_email = in_channel or mail is not None
    channel = recipient = None
    if mail is not None and not in_channel:
        channel, recipient = mail, state.email
        await link_address(session, case=case, channel=mail, address=recipient or "", now=now)
    # The gist as the customer reads it back: a whole sentence, never a shouted line.
    words = gist(state.story, state.key_sentences, state.facts.get("outcome"))
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
            "summary": [words] if words else [],
            "facts": facts_in_order(state.facts),
            **reach(state),
            "outcome": state.facts.get("outcome"),
            "promise_at": datetime.fromisoformat(state.promise_at),
            "resolve_at": case.resolution_due,
            "contact_channel": case.channel,
            "by_email": by_email,
        },
    )


async def link_address(
    session: AsyncSession, *, case: Case, channel: str, address: str, now: datetime
) -> None:
    """A reply to the confirmation mail comes from this address: let it reach the same
    customer, so it joins this case instead of opening a new one."""
    if await repo.identity_for(session, channel=channel, address=address) is None:
        session.add(
            ChannelIdentity(
                customer_id=case.customer_id, channel=channel, address=address, created_at=now
            )
        )
