"""The web desk with many cases: how long the case list (first page, filtered, searched) and a
case page take, as round trips over loopback to the desk served by the bot's own event loop
(an upper bound of the server time). The database is filled with N cases, each with a
customer, an identity, three messages and an open first-contact deadline (a tenth overdue).

python -m bench.web_desk [--cases N] [--requests R] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert
from sqlmodel import SQLModel

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.web.desk import Desk
from bot.web.passwords import hash_password
from common.logs import configure as configure_logs
from storage import desk as accounts
from storage import handlers
from storage.db import core, create_engine, transaction, upgrade

PASSWORD = "bench password"
TOPICS = ("billing", "delivery", "service_execution", "repair", "nuisance")
CHANNELS = ("telegram", "email", "console")
TABLES = SQLModel.metadata.tables
SUBJECTS = ("levering", "lekkage")  # one case in fifty is about a leak: the text searched for


async def fill(url: str, cases: int) -> None:
    engine = create_engine(url)
    await upgrade(engine)
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(TABLES["handlers"]), [{"name": "Sanne", "role": "handler", "away": False}]
        )
        for start in range(0, cases, 1000):
            numbers = range(start + 1, min(start + 1000, cases) + 1)
            await connection.execute(
                insert(TABLES["customers"]),
                [{"id": n, "name": f"Klant {n}", "created_at": now} for n in numbers],
            )
            await connection.execute(
                insert(TABLES["channel_identities"]),
                [
                    {
                        "customer_id": n,
                        "channel": CHANNELS[n % 3],
                        "address": f"klant{n}@example.nl",
                        "paused": False,
                        "created_at": now,
                    }
                    for n in numbers
                ],
            )
            await connection.execute(
                insert(TABLES["cases"]),
                [
                    {
                        "id": n,
                        "number": f"K-2026-{n:06d}",
                        "customer_id": n,
                        "channel": CHANNELS[n % 3],
                        "status": "handed_off" if n % 4 else "resolved",
                        "category": TOPICS[n % 5],
                        "intent": "complaint",
                        "explicit": bool(n % 2),
                        "language": "nl",
                        "anger": n % 4,
                        "dialogue_state": {},
                        "received_at": now - timedelta(minutes=n),
                        "handler_id": 1 if n % 3 == 0 else None,
                    }
                    for n in numbers
                ],
            )
            await connection.execute(
                insert(TABLES["messages"]),
                [
                    {
                        "case_id": n,
                        "customer_id": n,
                        "direction": "in" if k != 1 else "out",
                        "channel": CHANNELS[n % 3],
                        "external_id": f"{n}-{k}",
                        "sender": f"klant{n}",
                        "text": f"Bericht {k} over de {SUBJECTS[n % 50 == 0]} van zaak {n}.",
                        "created_at": now,
                        "processed_at": now,
                        "thread": [],
                        "kind": "text",
                        "oversized": False,
                        "content_hash": "",
                    }
                    for n in numbers
                    for k in range(3)
                ],
            )
            await connection.execute(
                insert(TABLES["agreements"]),
                [
                    {
                        "case_id": n,
                        "what": "first_contact",
                        "who": "Sanne",
                        "created_at": now,
                        "due_at": now + timedelta(hours=-2 if n % 10 == 0 else 20),
                    }
                    for n in numbers
                ],
            )
    await engine.dispose()


async def measure(url: str, cases: int, requests: int) -> dict[str, list[float]]:
    middle = f"K-2026-{cases // 2 + 1:06d}"
    settings = Settings.model_validate(
        {
            "database": {"url": url},
            "handlers": [{"name": "Sanne"}],
            "web": {"listen": "127.0.0.1:0", "secret_key": "bench"},
        }
    )
    timings: dict[str, list[float]] = {}
    async with App(settings, []) as app, Desk(settings, app) as desk:
        async with transaction(app.sessions) as session:
            handler = await handlers.handler_by_name(session, name="Sanne")
            assert handler is not None
            assert handler.id is not None
            await accounts.set_password_hash(
                session,
                handler_id=handler.id,
                hash=await hash_password(PASSWORD),
                now=datetime.now(UTC),
            )
            await (await core(session)).execute(TABLES["cases"].select().limit(1))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{desk.port}") as client:
            login = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
            assert token is not None
            done = await client.post(
                "/login", data={"name": "Sanne", "password": PASSWORD, "csrf_token": token[1]}
            )
            assert done.status_code == 303, done.status_code
            pages = {
                "list, first page": "/",
                "list, live refresh": "/cases/table",
                "list, mine": "/?mine=1",
                "list, overdue": "/?overdue=1",
                "list, topic + channel": "/?topic=billing&channel=email",
                "list, search text": "/?q=lekkage",
                "list, search number": f"/?q={middle}",
                "case page": f"/cases/{middle}",
            }
            for name, path in pages.items():
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                timings[name] = times
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL (asyncpg)")
    arguments = parser.parse_args()
    configure_logs(level="WARNING", fmt="console", secrets=[])
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.postgres or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(fill(url, arguments.cases))
        timings = asyncio.run(measure(url, arguments.cases, arguments.requests))
    kind = "PostgreSQL" if arguments.postgres else "SQLite"
    print(f"{arguments.cases} cases on {kind}, {arguments.requests} requests each (ms, round trip)")
    print(f"{'page':<24}{'median':>8}{'p95':>8}{'max':>8}")
    for name, times in timings.items():
        ordered = sorted(times)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(f"{name:<24}{statistics.median(times):>8.1f}{p95:>8.1f}{ordered[-1]:>8.1f}")


if __name__ == "__main__":
    main()
