"""How long the coordinator's report takes over a year of 50,000 cases.

A year (2026) of generated cases — topics, channels, handlers, addresses in 200 complexes,
products, key sentences, first-contact agreements, escalations, execution checks and
surveys — is written to a fresh SQLite file and a fresh PostgreSQL database; then the report
for the whole year (with its previous year, baseline and repeats) and for December (with
six months of baseline) is built and timed, twice each (the second is the warm figure).

python -m bench.report [--cases N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.policy.calendar import Calendar
from bot.reports.report import Period, build
from common.logs import configure as configure_logs
from storage.db import create_engine, session_factory, transaction, upgrade
from storage.models import Agreement, AuditEvent, Case, Customer, FollowUp, Handler

TOPICS = ("billing", "delivery", "service_execution", "product", "communication", "staff_conduct")
CHANNELS = ("email", "telegram")
INTENTS = ("complaint", "complaint", "complaint", "repair_request", "question", "nuisance")
PRODUCTS = ("lift", "cv-ketel", "voordeur", "intercom", "dakgoot", None, None)
SENTENCES = (
    "De lift staat weer stil",
    "Mijn factuur klopt niet",
    "De monteur is niet gekomen",
    "Niemand belt mij terug",
    "De verwarming doet het niet",
    "Er is schimmel in de badkamer",
)
HANDLERS = 12
COMPLEXES = 200
YEAR = 2026
BATCH = 5000


def _rows(cases: int, seed: int = 19) -> Iterator[tuple[dict[str, Any], list[tuple[str, Any]]]]:
    """Each case and what hangs off it, as (case columns, [(table, columns)])."""
    rng = random.Random(seed)
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    seconds = 365 * 24 * 3600
    for number in range(cases):
        received = start + timedelta(seconds=rng.randrange(seconds))
        resolved = (
            received + timedelta(hours=rng.expovariate(1 / 60)) if rng.random() < 0.85 else None
        )
        case = {
            "number": f"K-{YEAR}-{number:06d}",
            "customer_id": rng.randrange(1, cases // 2) + 1,
            "channel": rng.choice(CHANNELS),
            "status": "resolved" if resolved else "open",
            "intent": rng.choice(INTENTS),
            "category": rng.choice(TOPICS),
            "explicit": rng.random() < 0.8,
            "language": "nl",
            "anger": 0,
            "dialogue_state": {
                "facts": {
                    "address": f"Straat{rng.randrange(COMPLEXES)} {rng.randrange(1, 80)}, Stad",
                    **({"product": p} if (p := rng.choice(PRODUCTS)) else {}),
                },
                "key_sentences": [rng.choice(SENTENCES)],
            },
            "received_at": received,
            "resolved_at": resolved,
            "resolution_due": received + timedelta(days=10),
            "handler_id": rng.randrange(1, HANDLERS + 1),
        }
        due = received + timedelta(hours=8)
        done = due + timedelta(hours=rng.uniform(-6, 4)) if rng.random() < 0.95 else None
        extra: list[tuple[str, Any]] = [
            (
                "agreement",
                {
                    "what": "first_contact",
                    "who": "S",
                    "due_at": due,
                    "done_at": done,
                    "created_at": received,
                },
            ),
        ]
        if done is None or done > due:
            extra.append(
                (
                    "audit",
                    {
                        "actor": "bot",
                        "action": "deadline.missed",
                        "detail": {"what": "first_contact"},
                        "at": due,
                    },
                )
            )
        if resolved is not None:
            later = resolved + timedelta(days=7)
            extra.append(
                (
                    "followup",
                    {
                        "kind": "execution_check",
                        "status": "answered",
                        "due_at": later,
                        "outcome": rng.choice(("yes", "yes", "no")),
                        **dict.fromkeys(("overall", "listened", "informed", "resolved")),
                        "created_at": resolved,
                    },
                )
            )
            scores = [rng.randint(1, 5) for _ in range(4)] if rng.random() < 0.4 else [None] * 4
            extra.append(
                (
                    "followup",
                    {
                        "kind": "survey",
                        "status": "answered" if scores[0] else "expired",
                        "due_at": later,
                        "outcome": None,
                        "overall": scores[0],
                        "listened": scores[1],
                        "informed": scores[2],
                        "resolved": scores[3],
                        "created_at": resolved,
                    },
                )
            )
        yield case, extra


async def fill(engine: AsyncEngine, cases: int) -> None:
    tables = {"agreement": Agreement, "audit": AuditEvent, "followup": FollowUp}
    created = datetime(YEAR - 1, 1, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(Handler),
            [
                {"name": f"handler {n}", "role": "handler", "away": False}
                for n in range(1, HANDLERS + 1)
            ],
        )
        await connection.execute(
            insert(Customer), [{"id": n, "created_at": created} for n in range(1, cases // 2 + 2)]
        )
        generated = _rows(cases)
        next_id = 1
        while batch := [row for _, row in zip(range(BATCH), generated, strict=False)]:
            await connection.execute(
                insert(Case), [{"id": next_id + i, **case} for i, (case, _) in enumerate(batch)]
            )
            grouped: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
            for i, (_, extra) in enumerate(batch):
                for table, values in extra:
                    grouped[table].append({"case_id": next_id + i, **values})
            for name, values in grouped.items():
                if values:
                    await connection.execute(insert(tables[name]), values)
            next_id += len(batch)


async def timed(engine: AsyncEngine, period: Period) -> float:
    sessions = session_factory(engine)
    calendar = Calendar()
    started = time.perf_counter()
    async with transaction(sessions) as session:
        report = await build(
            session, period, now=datetime(YEAR + 1, 1, 15, tzinfo=UTC), calendar=calendar
        )
    assert report.current.cases > 0
    return time.perf_counter() - started


async def measure(url: str, cases: int) -> dict[str, list[float]]:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        began = time.perf_counter()
        await fill(engine, cases)
        filled = time.perf_counter() - began
        year = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
        december = Period(date(YEAR, 12, 1), date(YEAR, 12, 31))
        return {
            "fill": [filled],
            "year": [await timed(engine, year) for _ in range(2)],
            "december": [await timed(engine, december) for _ in range(2)],
        }
    finally:
        await engine.dispose()


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(str(make_url(url).set(database="postgres")))
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def measure_postgres(url: str, cases: int) -> dict[str, list[float]]:
    name = f"bench_report_{time.time_ns()}"
    await _admin(url, f'CREATE DATABASE "{name}"')
    try:
        return await measure(str(make_url(url).set(database=name)), cases)
    finally:
        await _admin(url, f'DROP DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    configure_logs(level="WARNING", fmt="console")
    print(
        "| backend | cases | fill s | year report s (cold, warm) | December report s (cold, warm) |"
    )
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        runs: dict[str, Callable[[], Coroutine[Any, Any, dict[str, list[float]]]]] = {
            "SQLite": lambda: measure(
                f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", args.cases
            ),
            "PostgreSQL": lambda: measure_postgres(args.postgres, args.cases),
        }
        for name, run in runs.items():
            result = asyncio.run(run())
            year, december = result["year"], result["december"]
            print(
                f"| {name} | {args.cases:,} | {result['fill'][0]:.1f} "
                f"| {year[0]:.2f}, {year[1]:.2f} | {december[0]:.2f}, {december[1]:.2f} |"
            )


if __name__ == "__main__":
    main()
