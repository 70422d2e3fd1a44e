"""Improvement actions: recorded, listed, marked done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ImprovementAction


async def add(
    session: AsyncSession,
    *,
    what: str,
    why: str,
    topic: str | None,
    pattern: str | None,
    example_cases: Sequence[str],
    owner: str,
    due: date | None,
    now: datetime,
) -> ImprovementAction:
    action = ImprovementAction(
        what=what,
        why=why,
        topic=topic,
        pattern=pattern,
        example_cases=list(example_cases),
        owner=owner,
        due=due,
        created_at=now,
    )
    session.add(action)
    await session.flush()
    return action


async def listed(
    session: AsyncSession, *, since: datetime | None = None, until: datetime | None = None
) -> list[ImprovementAction]:
    """Actions recorded before `until` that were still open at `since` (all without them)."""
    query = select(ImprovementAction).order_by(col(ImprovementAction.id))
    if until is not None:
        query = query.where(col(ImprovementAction.created_at) < until)
    if since is not None:
        query = query.where(
            (col(ImprovementAction.done_at).is_(None)) | (col(ImprovementAction.done_at) >= since)
        )
    return list((await session.exec(query)).all())


async def mark_done(session: AsyncSession, action_id: int, *, now: datetime) -> bool:
    """False when there is no such action; marking a done action again changes nothing."""
    action = await session.get(ImprovementAction, action_id)
    if action is None:
        return False
    if action.status != "done":
        action.status, action.done_at = "done", now
        session.add(action)
    return True
