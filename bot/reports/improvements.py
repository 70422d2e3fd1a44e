"""The improvement actions in a report, each with the complaints on its topic before and
after: the 30 days before it was recorded against the 30 days after it was done."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import improvements
from storage.models import Case, ImprovementAction

EFFECT_DAYS = 30


async def _count(session: AsyncSession, topic: str, start: datetime, end: datetime) -> int:
    query = select(func.count()).where(
        col(Case.category) == topic, col(Case.received_at) >= start, col(Case.received_at) < end
    )
    return int((await session.exec(query)).one())


async def effect(
    session: AsyncSession, action: ImprovementAction, *, now: datetime
) -> tuple[int | None, int | None]:
    """(before, after); after is None until the action is done and 30 days have passed."""
    if action.topic is None:
        return None, None
    window = timedelta(days=EFFECT_DAYS)
    before = await _count(session, action.topic, action.created_at - window, action.created_at)
    if action.done_at is None or action.done_at + window > now:
        return before, None
    return before, await _count(session, action.topic, action.done_at, action.done_at + window)


async def in_report(
    session: AsyncSession, *, start: datetime, end: datetime, now: datetime
) -> list[dict[str, Any]]:
    """Actions recorded before the period ended and not done before it began."""
    shown = []
    for action in await improvements.listed(session, since=start, until=end):
        before, after = await effect(session, action, now=now)
        shown.append(
            {
                "id": action.id,
                "what": action.what,
                "why": action.why,
                "topic": action.topic,
                "pattern": action.pattern,
                "example_cases": action.example_cases,
                "owner": action.owner,
                "due": action.due.isoformat() if action.due else None,
                "status": action.status,
                "before": before,
                "after": after,
            }
        )
    return shown
