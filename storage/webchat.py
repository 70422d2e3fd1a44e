"""What a web chat page shows again when it (re)connects: the conversation so far."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Attachment, Message, OutboxRow

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


async def photo_names(session: AsyncSession, *, message_ids: list[int]) -> dict[int, str]:
    """The file name of the (first) photo of each of these messages that has one ("" for a
    photo without a name)."""
    if not message_ids:
        return {}
    rows = await session.exec(
        select(Attachment.message_id, Attachment.file_name)
        .where(col(Attachment.message_id).in_(message_ids), Attachment.kind == "photo")
        .order_by(col(Attachment.id).desc())
    )
    return {message_id: name or "" for message_id, name in rows.all()}


async def case_of(session: AsyncSession, *, channel: str, sender: str) -> int | None:
    """The case of `sender`'s latest message that has one."""
    rows = await session.exec(
        select(Message.case_id)
        .where(
            Message.channel == channel,
            Message.sender == sender,
            col(Message.case_id).is_not(None),
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return rows.first()
