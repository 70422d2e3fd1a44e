"""Outbox throughput: rows/s through the Dispatcher (claimed in batches with a lease) against a
naive baseline in the same run (select one pending row, send, mark sent: one row per
transaction, no lease). Both send to a channel that does nothing, so storage is what is timed.

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

from bot.dispatcher import Dispatcher
from bot.logs import configure as configure_logs
from bot.settings import OutboxSettings
from channels.base import DeliveryResult, OutboundMessage
from storage import outbox
from storage.db import SessionFactory, create_engine, session_factory, transaction, upgrade
from storage.models import OutboxRow


class NullChannel:
    name = "bench"

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        return DeliveryResult.sent()


async def fill(sessions: SessionFactory, rows: int, tag: str) -> None:
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        for number in range(rows):
            await outbox.enqueue(
                session,
                idempotency_key=f"{tag}-{number}",
                channel="bench",
                recipient="r",
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


async def measure(url: str, rows: int) -> tuple[float, float]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    channel = NullChannel()
    try:
        await fill(sessions, rows, f"naive-{time.time_ns()}")
        started = time.perf_counter()
        assert await naive(sessions, channel) == rows
        baseline = rows / (time.perf_counter() - started)

        await fill(sessions, rows, f"dispatcher-{time.time_ns()}")
        dispatcher = Dispatcher(
            sessions=sessions,
            channels={"bench": channel},  # type: ignore[dict-item]
            settings=OutboxSettings(),
            clock=lambda: datetime.now(UTC),
        )
        started = time.perf_counter()
        assert await dispatcher.drain() == rows
        ours = rows / (time.perf_counter() - started)
    finally:
        await engine.dispose()
    return ours, baseline


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
        print("| backend | dispatcher rows/s | naive loop rows/s | ratio | rows |")
        print("|---|---:|---:|---:|---:|")
        for name, url in targets.items():
            ours, baseline = asyncio.run(measure(url, args.rows))
            print(
                f"| {name} | {ours:,.0f} | {baseline:,.0f} | {ours / baseline:.1f}x | {args.rows} |"
            )


if __name__ == "__main__":
    main()
