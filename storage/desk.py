"""Repository functions for the web desk's accounts: password hashes and login sessions.

Each function takes an open session and keyword-only arguments; the caller owns the
transaction. Hashing and checking passwords is the caller's (bot/web/passwords.py): storage
keeps only what it is given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DeskSession, Handler, HandlerPassword


async def password_hash(session: AsyncSession, *, handler_id: int) -> str | None:
    row = await session.get(HandlerPassword, handler_id)
    return row.hash if row else None


async def set_password_hash(
    session: AsyncSession, *, handler_id: int, hash: str, now: datetime
) -> None:
    """A new password ends every session the handler had."""
    row = await session.get(HandlerPassword, handler_id) or HandlerPassword(
        handler_id=handler_id, hash=hash, set_at=now
    )
    row.hash, row.set_at = hash, now
    session.add(row)
    await end_sessions(session, handler_id=handler_id)


async def open_session(
    session: AsyncSession,
    *,
    key: str,
    handler_id: int,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> DeskSession:
    row = DeskSession(
        key=key, handler_id=handler_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at
    )
    session.add(row)
    await session.flush()
    return row


async def session_with_handler(
    session: AsyncSession, *, key: str, now: datetime
) -> tuple[DeskSession, Handler] | None:
    """The live session under `key` and its handler, whatever the handler's state: the
    caller decides whether that handler may still work (see bot/web/auth.py)."""
    found = (
        await session.exec(
            select(DeskSession, Handler)
            .join(Handler, col(Handler.id) == col(DeskSession.handler_id))
            .where(DeskSession.key == key, col(DeskSession.expires_at) > now)
        )
    ).first()
    return (found[0], found[1]) if found else None


async def end_session(session: AsyncSession, *, key: str) -> None:
    await session.exec(
        delete(DeskSession)
        .where(col(DeskSession.key) == key)
        .execution_options(synchronize_session=False)
    )


async def end_sessions(session: AsyncSession, *, handler_id: int) -> None:
    await session.exec(
        delete(DeskSession)
        .where(col(DeskSession.handler_id) == handler_id)
        .execution_options(synchronize_session=False)
    )


async def end_expired(session: AsyncSession, *, now: datetime) -> None:
    await session.exec(
        delete(DeskSession)
        .where(col(DeskSession.expires_at) <= now)
        .execution_options(synchronize_session=False)
    )
