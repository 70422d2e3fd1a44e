"""Repository functions for the steps after resolution and their outbox rows.

Each takes an open session and keyword-only arguments; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import FollowUp, OutboxRow
from storage.outbox import CANCELLED, PENDING

SCHEDULED, ANSWERED, DONE = "scheduled", "answered", "done"
# Kinds the customer answers; "close" is a timer only.
CONVERSATIONS = ("execution_check", "survey")


async def schedule(
    session: AsyncSession, *, case_id: int, kind: str, due_at: datetime, now: datetime
) -> FollowUp:
    followup = FollowUp(case_id=case_id, kind=kind, due_at=due_at, created_at=now)
    session.add(followup)
    await session.flush()
    return followup


async def of_case(session: AsyncSession, *, case_id: int) -> list[FollowUp]:
    result = await session.exec(
        select(FollowUp).where(FollowUp.case_id == case_id).order_by(col(FollowUp.id))
    )
    return list(result.all())


async def asking(session: AsyncSession, *, case_id: int, now: datetime) -> FollowUp | None:
    """The question the customer is answering: the latest one already put to them."""
    result = await session.exec(
        select(FollowUp)
        .where(
            FollowUp.case_id == case_id,
            FollowUp.status == SCHEDULED,
            col(FollowUp.kind).in_(CONVERSATIONS),
            col(FollowUp.due_at) <= now,
        )
        .order_by(col(FollowUp.due_at).desc(), col(FollowUp.id).desc())
        .with_for_update()
    )
    return result.first()


async def due(session: AsyncSession, *, kind: str, now: datetime) -> list[FollowUp]:
    result = await session.exec(
        select(FollowUp)
        .where(FollowUp.kind == kind, FollowUp.status == SCHEDULED, col(FollowUp.due_at) <= now)
        .order_by(col(FollowUp.due_at), col(FollowUp.id))
        .with_for_update(skip_locked=True)
    )
    return list(result.all())


async def cancel_pending(
    session: AsyncSession, *, case_id: int, templates: Sequence[str], kinds: Sequence[str]
) -> int:
    """Steps that no longer apply (the case was reopened, the survey answered): their
    unsent messages are cancelled, not deleted, so the case shows what was planned."""
    cancelled = await session.exec(
        update(OutboxRow)
        .where(
            col(OutboxRow.case_id) == case_id,
            col(OutboxRow.status) == PENDING,
            col(OutboxRow.template).in_(templates),
        )
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    if not kinds:
        return int(cancelled.rowcount)
    await session.flush()
    await session.exec(
        update(FollowUp)
        .where(
            col(FollowUp.case_id) == case_id,
            col(FollowUp.status) == SCHEDULED,
            col(FollowUp.kind).in_(kinds),
        )
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(cancelled.rowcount)


async def answered_between(
    session: AsyncSession, *, kind: str, start: datetime, end: datetime
) -> list[FollowUp]:
    result = await session.exec(
        select(FollowUp).where(
            FollowUp.kind == kind,
            col(FollowUp.due_at) >= start,
            col(FollowUp.due_at) < end,
        )
    )
    return list(result.all())
