"""What a web chat page shows again when it (re)connects: the conversation so far."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Message, OutboxRow

# A page shows at most this many of the latest messages on (re)connecting.
HISTORY = 200


async def customer_messages(session: AsyncSession, *, channel: str, sender: str) -> list[Message]:
    rows = await session.exec(
        select(Message)
        .where(Message.channel == channel, Message.sender == sender, Message.direction == "in")
        .order_by(col(Message.id).desc())
        .limit(HISTORY)
    )
    return list(reversed(rows.all()))


async def sent_since(
    session: AsyncSession, *, channel: str, recipient: str, after_id: int
) -> list[OutboxRow]:
    """The bot's messages to `recipient` sent (or being sent) after outbox row `after_id`."""
    rows = await session.exec(
        select(OutboxRow)
        .where(
            OutboxRow.channel == channel,
            OutboxRow.recipient == recipient,
            col(OutboxRow.id) > after_id,
            col(OutboxRow.status).in_(("sent", "sending")),
        )
        .order_by(col(OutboxRow.id).desc())
        .limit(HISTORY)
    )
    return list(reversed(rows.all()))
