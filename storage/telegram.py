"""Repository functions for the Telegram channel: how far each bot has read."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import TelegramOffset


async def next_update_id(session: AsyncSession, *, bot_id: int) -> int:
    """0 for a bot we never polled: Telegram then sends what it still holds."""
    row = await session.get(TelegramOffset, bot_id)
    return row.next_update_id if row is not None else 0


async def save_next_update_id(
    session: AsyncSession, *, bot_id: int, next_update_id: int, now: datetime
) -> None:
    row = await session.get(TelegramOffset, bot_id, with_for_update=True)
    if row is None:
        row = TelegramOffset(bot_id=bot_id, next_update_id=next_update_id, updated_at=now)
    # Never backwards: an older batch saved late must not make us read stored updates again.
    row.next_update_id = max(row.next_update_id, next_update_id)
    row.updated_at = now
    session.add(row)
