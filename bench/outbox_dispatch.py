"""Outbox throughput: rows/s through the Dispatcher (claimed in batches with a lease) against a
naive baseline in the same run (select one pending row, send, mark sent: one row per
transaction, no lease). Both send to a channel that does nothing, so storage is what is timed.

The dispatcher commits each send before it sends the next to the same recipient (a crash
repeats at most the message in flight), so it is timed twice: every row to one recipient
(one commit per row, the worst case), and rows spread over 100 recipients on a channel that
sends to 8 at a time (sends that finish together share a commit, as on Telegram).

python -m bench.outbox_dispatch [--rows N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from bot.config.settings import OutboxSettings
from bot.runtime.dispatcher import Dispatcher
from channels.base import DeliveryResult, OutboundMessage
from common.logs import configure as configure_logs
from storage import outbox
from storage.db import SessionFactory, create_engine, session_factory, transaction, upgrade
from storage.models import OutboxRow

SPREAD_RECIPIENTS = 100


class NullChannel:
    name = "bench"

    def __init__(self, parallel_sends: int = 1) -> None:
        self.parallel_sends = parallel_sends

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        return DeliveryResult.sent()


async def fill(sessions: SessionFactory, rows: int, tag: str, recipients: int = 1) -> None:
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        for number in range(rows):
            await outbox.enqueue(
                session,
                idempotency_key=f"{tag}-{number}",
                channel="bench",
                recipient=f"r{number % recipients}",
                template="t",
                body="b",
                due_at=now,
                now=now,
            )


async def naive(sessions: SessionFactory, channel: NullChannel) -> int:
    sent = 0
    while True:
        async with transaction(sessions) as session:
            row = (
                await session.exec(
                    select(OutboxRow)
                    .where(OutboxRow.status == "pending")
                    .order_by(col(OutboxRow.id))
                )
            ).first()
            if row is None:
                return sent
            assert row.id is not None
            await channel.send(
                OutboundMessage(row.id, row.channel, row.recipient, row.body, row.template)
            )
            row.status = "sent"
            session.add(row)
            sent += 1


async def dispatch(sessions: SessionFactory, rows: int, recipients: int, lanes: int) -> float:
    await fill(sessions, rows, f"dispatcher-{time.time_ns()}", recipients)
    dispatcher = Dispatcher(
        sessions=sessions,
        channels={"bench": NullChannel(lanes)},  # type: ignore[dict-item]
        settings=OutboxSettings(),
        clock=lambda: datetime.now(UTC),
    )
    started = time.perf_counter()
    assert await dispatcher.drain() == rows
    return rows / (time.perf_counter() - started)


async def measure(url: str, rows: int) -> tuple[float, float, float]:
    """(one recipient, spread over 8 lanes, naive loop) in rows/s."""
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    try:
        await fill(sessions, rows, f"naive-{time.time_ns()}")
        started = time.perf_counter()
        assert await naive(sessions, NullChannel()) == rows
        baseline = rows / (time.perf_counter() - started)
        serial = await dispatch(sessions, rows, recipients=1, lanes=1)
        spread = await dispatch(sessions, rows, recipients=SPREAD_RECIPIENTS, lanes=8)
    finally:
        await engine.dispose()
    return serial, spread, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    configure_logs(level="WARNING", fmt="console")
    with tempfile.TemporaryDirectory() as folder:
        targets = {
            "SQLite": f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            "PostgreSQL": args.postgres,
        }
        print(
            "| backend | dispatcher rows/s, 1 recipient | dispatcher rows/s, "
            f"{SPREAD_RECIPIENTS} recipients, 8 lanes | naive loop rows/s | rows |"
        )
        print("|---|---:|---:|---:|---:|")
        for name, url in targets.items():
            serial, spread, baseline = asyncio.run(measure(url, args.rows))
            print(
                f"| {name} | {serial:,.0f} ({serial / baseline:.1f}x) "
                f"| {spread:,.0f} ({spread / baseline:.1f}x) | {baseline:,.0f} | {args.rows} |"
            )


if __name__ == "__main__":
    main()
