"""The durable outbox: every message we send is first a row here.

Claiming is one UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING, so
dispatchers on PostgreSQL never take the same row; SQLite serialises writers anyway and
ignores the locking clause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import core
from storage.models import OutboxRow

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"


async def enqueue(
    session: AsyncSession,
    *,
    idempotency_key: str,
    channel: str,
    recipient: str,
    template: str,
    body: str,
    due_at: datetime,
    now: datetime,
    case_id: int | None = None,
    meta: dict[str, Any] | None = None,
) -> int:
    """Add a row unless one with the same key exists (a replayed step enqueues nothing new);
    returns the row's id. One statement: the unique key decides, also between processes."""
    connection = await core(session)
    inserted = await connection.execute(
        _enqueue_statement(connection.dialect.name),
        {
            "idempotency_key": idempotency_key,
            "case_id": case_id,
            "channel": channel,
            "recipient": recipient,
            "template": template,
            "body": body,
            "meta": meta or {},
            "due_at": due_at,
            "created_at": now,
            "status": PENDING,
            "attempts": 0,
        },
    )
    row_id = inserted.scalar_one_or_none()
    if row_id is None:
        existing = await session.exec(
            select(OutboxRow.id).where(OutboxRow.idempotency_key == idempotency_key)
        )
        row_id = existing.one()
    assert row_id is not None
    return row_id


@cache
def _enqueue_statement(dialect: str) -> Any:
    """Built once: constructing an INSERT … ON CONFLICT costs more than running it."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = SQLModel.metadata.tables["outbox"]
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row taken for sending, as the claim read it: no ORM object to build and track for
    something only read, then settled with an UPDATE."""

    id: int
    case_id: int | None
    channel: str
    recipient: str
    template: str
    body: str
    meta: dict[str, Any]
    attempts: int
    due_at: datetime
    external_id: str | None
    failing_since: datetime | None


async def claim(
    session: AsyncSession,
    *,
    worker: str,
    channels: Sequence[str],
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[Claimed]:
    connection = await core(session)
    result = await connection.execute(
        _claim_statement(),
        {
            "channels": list(channels),
            "now": now,
            "limit": limit,
            "worker": worker,
            "lease_end": now + lease,
        },
    )
    rows = [Claimed(*row) for row in result]
    return sorted(rows, key=lambda row: (row.due_at, row.id))


@cache
def _claim_statement() -> Any:
    """Built once, like the insert: the claim runs on every dispatcher pass."""
    outbox = SQLModel.metadata.tables["outbox"]
    c = outbox.c
    now: Any = bindparam("now")
    candidates = (
        select(c.id)
        .where(
            c.channel.in_(bindparam("channels", expanding=True)),
            or_(
                (c.status == PENDING) & (c.due_at <= now),
                # A worker that died mid-send left its lease behind; take the row over.
                (c.status == SENDING) & (c.lease_until <= now),
            ),
        )
        .order_by(c.due_at, c.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(outbox)
        .where(c.id.in_(candidates.scalar_subquery()))
        .values(status=SENDING, claimed_by=bindparam("worker"), lease_until=bindparam("lease_end"))
        .returning(*(c[field.name] for field in fields(Claimed)))
    )


async def mark_sent(
    session: AsyncSession, *, row_id: int, worker: str, external_id: str | None, now: datetime
) -> bool:
    return await _finish(
        session, row_id, worker, status=SENT, sent_at=now, external_id=external_id, lease_until=None
    )


async def mark_sent_many(
    session: AsyncSession, *, sent: Mapping[int, str | None], worker: str, now: datetime
) -> set[int]:
    """`mark_sent` for several rows (row id -> delivery id); returns the ids this worker
    still held and so marked. Two statements for the block: settle, then name deliveries."""
    if not sent:
        return set()
    settle, name_delivery = _mark_sent_statements()
    connection = await core(session)
    settled = await connection.execute(settle, {"ids": list(sent), "worker": worker, "at": now})
    marked = set(settled.scalars().all())
    named = [{"row": i, "delivered_as": sent[i]} for i in marked if sent[i] is not None]
    if named:
        await connection.execute(name_delivery, named)
    return marked


@cache
def _mark_sent_statements() -> tuple[Any, Any]:
    """Built once: on a busy outbox, building these cost more than running them."""
    outbox = SQLModel.metadata.tables["outbox"].c
    settle = (
        update(SQLModel.metadata.tables["outbox"])
        .where(
            outbox.id.in_(bindparam("ids", expanding=True)),
            outbox.status == SENDING,
            outbox.claimed_by == bindparam("worker"),
        )
        .values(status=SENT, sent_at=bindparam("at"), lease_until=None)
        .returning(outbox.id)
    )
    name_delivery = (
        update(SQLModel.metadata.tables["outbox"])
        .where(outbox.id == bindparam("row"))
        .values(external_id=bindparam("delivered_as"))
    )
    return settle, name_delivery


async def name_deliveries(session: AsyncSession, *, names: Mapping[int, str]) -> None:
    """Give claimed rows the id they will be sent under (row id -> delivery id), before
    their first attempt; one statement for the block."""
    if names:
        _, name_delivery = _mark_sent_statements()
        await (await core(session)).execute(
            name_delivery, [{"row": i, "delivered_as": name} for i, name in names.items()]
        )


async def mark_retry(
    session: AsyncSession,
    *,
    row_id: int,
    worker: str,
    error: str,
    attempts: int,
    due_at: datetime,
    failing_since: datetime,
) -> bool:
    return await _finish(
        session,
        row_id,
        worker,
        status=PENDING,
        attempts=attempts,
        last_error=error,
        due_at=due_at,
        failing_since=failing_since,
        lease_until=None,
    )


async def mark_deferred(
    session: AsyncSession, *, row_id: int, worker: str, reason: str, due_at: datetime
) -> bool:
    """Not sent on purpose (a rate limit): the row waits until `due_at`, no attempt spent."""
    return await _finish(
        session, row_id, worker, status=PENDING, last_error=reason, due_at=due_at, lease_until=None
    )


async def mark_failed(
    session: AsyncSession,
    *,
    row_id: int,
    worker: str,
    error: str,
    attempts: int,
    failing_since: datetime,
) -> bool:
    return await _finish(
        session,
        row_id,
        worker,
        status=FAILED,
        attempts=attempts,
        last_error=error,
        failing_since=failing_since,
        lease_until=None,
    )


async def _finish(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    # Only the worker holding the claim may settle the row, so a send is never recorded twice.
    result = await session.exec(
        update(OutboxRow)
        .where(
            col(OutboxRow.id) == row_id,
            col(OutboxRow.status) == SENDING,
            col(OutboxRow.claimed_by) == worker,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def next_due_at(session: AsyncSession, *, channels: Sequence[str]) -> datetime | None:
    result = await session.exec(
        select(OutboxRow.due_at)
        .where(col(OutboxRow.channel).in_(channels), OutboxRow.status == PENDING)
        .order_by(col(OutboxRow.due_at))
        .limit(1)
    )
    return result.first()


async def rows(
    session: AsyncSession,
    *,
    case_id: int | None = None,
    statuses: Sequence[str] | None = None,
) -> list[OutboxRow]:
    statement = select(OutboxRow).order_by(col(OutboxRow.id))
    if case_id is not None:
        statement = statement.where(OutboxRow.case_id == case_id)
    if statuses is not None:
        statement = statement.where(col(OutboxRow.status).in_(statuses))
    return list((await session.exec(statement)).all())


RETRYABLE = (FAILED, PENDING)


async def retry(
    session: AsyncSession, *, now: datetime, ids: Sequence[int] | None = None
) -> list[int]:
    """Send again, now: the rows `ids` that failed or still wait, or (no ids) every failed
    row. They start afresh: a new retry period and backoff from its first step. Returns the
    ids taken; a row already sent, cancelled or being sent is left alone."""
    where = (
        col(OutboxRow.status) == FAILED
        if ids is None
        else col(OutboxRow.id).in_(ids) & col(OutboxRow.status).in_(RETRYABLE)
    )
    result = await session.exec(
        update(OutboxRow)
        .where(where)
        .values(status=PENDING, due_at=now, attempts=0, failing_since=None, lease_until=None)
        .returning(col(OutboxRow.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars().all())


async def cancel_pending(session: AsyncSession, *, channel: str, recipient: str) -> int:
    """Withdraw what is still waiting for one recipient (the customer asked us to stop)."""
    result = await session.exec(
        update(OutboxRow)
        .where(
            col(OutboxRow.channel) == channel,
            col(OutboxRow.recipient) == recipient,
            col(OutboxRow.status) == PENDING,
        )
        .values(status=CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
