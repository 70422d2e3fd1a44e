"""Two dispatchers over one PostgreSQL outbox never send the same row."""

import asyncio
from collections import Counter

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.settings import OutboxSettings
from bot.runtime.dispatcher import Dispatcher
from channels.base import DeliveryResult, OutboundMessage
from storage import outbox
from storage.db import SessionFactory, transaction
from tests.support import RecordingChannel, SteppedClock

ROWS = 1000


class CountingChannel(RecordingChannel):
    def __init__(self, counts: Counter[int], worker: str, by_worker: Counter[str]) -> None:
        super().__init__()
        self._counts = counts
        self._worker = worker
        self._by_worker = by_worker

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self._counts[message.outbox_id] += 1
        self._by_worker[self._worker] += 1
        await asyncio.sleep(0)  # yield so the other dispatcher gets to claim in between
        return DeliveryResult.sent()


@pytest.mark.postgres_only
async def test_two_dispatchers_send_each_row_exactly_once(
    engine: AsyncEngine, sessions: SessionFactory, clock: SteppedClock
) -> None:
    assert engine.dialect.name == "postgresql"
    async with transaction(sessions) as session:
        for number in range(ROWS):
            await outbox.enqueue(
                session,
                idempotency_key=f"row-{number}",
                channel="test",
                recipient=f"customer-{number % 17}",
                template="acknowledge",
                body="hallo",
                due_at=clock(),
                now=clock(),
            )
    counts: Counter[int] = Counter()
    by_worker: Counter[str] = Counter()
    settings = OutboxSettings(batch_size=25)
    dispatchers = [
        Dispatcher(
            sessions=sessions,
            channels={"test": CountingChannel(counts, name, by_worker)},
            settings=settings,
            clock=clock,
            worker=name,
        )
        for name in ("one", "two")
    ]
    handled = await asyncio.gather(*(d.drain() for d in dispatchers))

    assert sum(handled) == ROWS
    assert len(counts) == ROWS
    assert max(counts.values()) == 1
    assert by_worker["one"] > 0
    assert by_worker["two"] > 0
    async with transaction(sessions) as session:
        statuses = Counter(row.status for row in await outbox.rows(session))
    assert statuses == {"sent": ROWS}
