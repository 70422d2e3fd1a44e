"""Repository functions for the Telegram channel: how far each bot has read."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import core
from storage.models import TelegramOffset


async def next_update_id(session: AsyncSession, *, bot_id: int) -> int:
    """0 for a bot we never polled: Telegram then sends what it still holds."""
    row = await session.get(TelegramOffset, bot_id)
    return row.next_update_id if row is not None else 0


async def save_next_update_id(
    session: AsyncSession, *, bot_id: int, next_update_id: int, now: datetime
) -> None:
    connection = await core(session)
    await connection.execute(
        _save_statement(connection.dialect.name),
        {"bot_id": bot_id, "next_update_id": next_update_id, "updated_at": now},
    )


@cache
def _save_statement(dialect: str) -> Any:
    """One upsert, built once: saved after every poll that brought something."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = SQLModel.metadata.tables["telegram_offsets"]
    statement = insert(table)
    saved, offered = table.c.next_update_id, statement.excluded.next_update_id
    return statement.on_conflict_do_update(
        index_elements=["bot_id"],
        set_={
            # Never backwards: an older batch saved late must not make us read stored
            # updates again.
            "next_update_id": case((offered > saved, offered), else_=saved),
            "updated_at": statement.excluded.updated_at,
        },
    )
