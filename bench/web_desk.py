"""The web desk with many cases while the bot takes in Telegram traffic: how long the case
list (first page, filtered, searched) and a case page take.

The database is filled with N cases, each with a customer, an identity, three messages and
an open first-contact deadline; a tenth also have an agreement that is overdue. Then the
whole bot runs as `klachtbot run` does (the Telegram channel on the telegram-test-api
emulator, tests/telegram_lab, and the desk on its web server, in one process and event loop)
while a second process plays C customers who write to it at a steady rate, each a whole
complaint as in bench/telegram_throughput.py (new cases keep arriving), and times R requests
per page of a logged-in handler. Reported per page: the server's own time (from the desk's
Server-Timing header, bot/web/metrics.py) and the round trip over loopback; and the inbound
rate the bot answered during the measurement.

python -m bench.web_desk [--cases N] [--requests R] [--postgres URL]
                         [--customers C] [--rate MESSAGES_PER_SECOND]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import re
import statistics
import tempfile
import time
from asyncio import FIRST_COMPLETED
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlmodel import SQLModel, func, select

from bench.telegram_throughput import FIRST_CHAT, REPLY_SECONDS, SCRIPT, Inbox, say
from bot.web.passwords import hash_password
from channels.telegram import SendLimiter
from common.logs import configure as configure_logs
from storage import desk as accounts
from storage import handlers
from storage.db import SessionFactory, create_engine, transaction, upgrade
from storage.models import Message
from tests.telegram_lab import TelegramLab
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

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
            # A tenth also has an overdue call back the handler agreed and has not made. Not
            # an overdue first-contact deadline: the bot would renew each of those (and tell
            # the customer) as soon as it starts, a thousand at once, as no running bot does.
            agreements = [(n, "first_contact", timedelta(hours=20)) for n in numbers] + [
                (n, "terugbellen", timedelta(hours=-2)) for n in numbers if n % 10 == 0
            ]
            await connection.execute(
                insert(TABLES["agreements"]),
                [
                    {
                        "case_id": n,
                        "what": what,
                        "who": "Sanne",
                        "created_at": now,
                        "due_at": now + due,
                    }
                    for n, what, due in agreements
                ],
            )
    if url.startswith("postgresql"):
        # The rows above were given their ids: move each id sequence past them, or the
        # bot's first new case would take an id the fill already used.
        async with engine.begin() as connection:
            for table in ("customers", "channel_identities", "cases", "messages", "agreements"):
                await connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
            # Statistics, as autovacuum keeps them for a database in use.
            await connection.execute(text("ANALYZE"))
    await engine.dispose()


def pages(cases: int) -> dict[str, str]:
    middle = f"K-2026-{cases // 2 + 1:06d}"
    return {
        "list, first page": "/",
        "list, live refresh": "/cases/table",
        "list, mine": "/?mine=1",
        "list, overdue": "/?overdue=1",
        "list, topic + channel": "/?topic=billing&channel=email",
        "list, search text": "/?q=lekkage",
        "list, search number": f"/?q={middle}",
        "case page": f"/cases/{middle}",
    }


@dataclass
class Timings:
    server: list[float] = field(default_factory=list)  # ms, from the Server-Timing header
    round_trip: list[float] = field(default_factory=list)  # ms, over loopback


@dataclass
class Traffic:
    """What the customers did while the desk was measured."""

    answered: int  # messages sent and answered
    seconds: float
    latencies: list[float]  # seconds from a customer's message to the bot's first reply

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


@dataclass
class Measured:
    pages: dict[str, Timings]
    traffic: Traffic
    sent: int  # every customer message of the run, warm-up included
    stored: int = 0  # inbound Telegram messages in the database afterwards


@dataclass
class _Tally:
    answered: int = 0
    latencies: list[float] = field(default_factory=list)
    everyone: asyncio.Event = field(default_factory=asyncio.Event)  # each has had an answer


async def _customers(
    lab_url: str, token: str, count: int, rate: float, stop: asyncio.Event, tally: _Tally
) -> None:
    """`count` customers at a time, each writing its next message `count / rate` seconds
    after the one before (at once when the bot took longer to answer), and only once the
    bot has answered the one before, as a person in a chat does. After the script's last
    message a new customer takes the chat's place, so new cases keep coming."""
    inbox = Inbox(lab_url, token)
    collector = asyncio.create_task(inbox.collect())
    period = count / rate
    loop = asyncio.get_running_loop()

    async def customer(place: int, client: httpx.AsyncClient) -> None:
        next_at = loop.time() + period * place / count
        index = 0
        while not stop.is_set():
            number = index // len(SCRIPT) * count + place
            chat = FIRST_CHAT + number
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            next_at = max(next_at + period, loop.time())
            seen = inbox.counts[chat]
            started = time.perf_counter()
            text = SCRIPT[index % len(SCRIPT)].format(order=4_400_000 + number, customer=number)
            await say(client, token, chat, text)
            # The bot's first reply; any more it sends to this turn arrive meanwhile (a
            # turn's replies go out together, far within the customer's pause).
            await inbox.replies(chat, seen + 1)
            tally.latencies.append(time.perf_counter() - started)
            tally.answered += 1
            index += 1
            if index == 1 and tally.answered >= count:
                tally.everyone.set()

    async def one(place: int) -> None:
        async with httpx.AsyncClient(base_url=lab_url, timeout=30) as client:
            await customer(place, client)

    try:
        await asyncio.gather(*(one(place) for place in range(count)))
    finally:
        collector.cancel()


async def _log_in(client: httpx.AsyncClient) -> None:
    login = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token is not None
    done = await client.post(
        "/login", data={"name": "Sanne", "password": PASSWORD, "csrf_token": token[1]}
    )
    assert done.status_code == 303, done.status_code


async def _time_pages(desk_url: str, paths: dict[str, str], requests: int) -> dict[str, Timings]:
    """Each page in turn, `requests` rounds: every page sees the same traffic (a burst of
    handoffs would otherwise land on whichever page was being measured)."""
    timings = {name: Timings() for name in paths}
    async with httpx.AsyncClient(base_url=desk_url, timeout=30) as client:
        await _log_in(client)
        for _ in range(requests):
            for name, path in paths.items():
                started = time.perf_counter()
                response = await client.get(path)
                timings[name].round_trip.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
                server = re.fullmatch(r"app;dur=([\d.]+)", response.headers["server-timing"])
                assert server is not None
                timings[name].server.append(float(server[1]))
    return timings


async def drive(
    lab_url: str,
    token: str,
    desk_url: str,
    paths: dict[str, str],
    requests: int,
    customers: int,
    rate: float,
) -> Measured:
    """The other side of the bot: the customers writing, and a handler on the desk once
    every customer has had an answer."""
    stop, tally = asyncio.Event(), _Tally()
    traffic = asyncio.create_task(_customers(lab_url, token, customers, rate, stop, tally))
    warm = asyncio.create_task(tally.everyone.wait())
    await asyncio.wait((traffic, warm), timeout=REPLY_SECONDS, return_when=FIRST_COMPLETED)
    if traffic.done():
        traffic.result()  # its failure, if it failed
    assert warm.done(), "not every customer got an answer"
    answered, latencies = tally.answered, len(tally.latencies)
    started = time.perf_counter()
    try:
        timings = await _time_pages(desk_url, paths, requests)
    finally:
        seconds = time.perf_counter() - started
        stop.set()  # each customer ends after the turn under way
        await traffic
    during = Traffic(tally.answered - answered, seconds, tally.latencies[latencies:])
    return Measured(timings, during, sent=tally.answered)


def _drive_in_a_process(*arguments: Any) -> Measured:
    return asyncio.run(drive(*arguments))


async def measure(
    url: str, lab: TelegramLab, *, cases: int, requests: int, customers: int, rate: float
) -> Measured:
    token = new_token()
    settings = telegram_settings(
        url, lab.base_url, token, web={"listen": "127.0.0.1:0", "secret_key": "bench"}
    )
    async with RunningTelegramBot(
        settings, limiter=SendLimiter.unlimited(), serve_desk=True
    ) as bot:
        assert bot.app is not None
        assert bot.app.desk is not None
        async with transaction(bot.app.sessions) as session:
            handler = await handlers.handler_by_name(session, name="Sanne")
            assert handler is not None
            assert handler.id is not None
            await accounts.set_password_hash(
                session,
                handler_id=handler.id,
                hash=await hash_password(PASSWORD),
                now=datetime.now(UTC),
            )
        before = await _telegram_inbound(bot.app.sessions)
        # The customers and the handler's browser run in a process of their own: this one
        # is the bot's, as on a server.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as other:
            measured = await asyncio.get_running_loop().run_in_executor(
                other,
                _drive_in_a_process,
                lab.url,
                token,
                f"http://127.0.0.1:{bot.app.desk.port}",
                pages(cases),
                requests,
                customers,
                rate,
            )
        measured.stored = await _stored(bot.app.sessions, before, measured.sent)
    return measured


async def _stored(sessions: SessionFactory, before: int, sent: int) -> int:
    """Inbound Telegram messages stored since `before`, once all `sent` are (or, after
    REPLY_SECONDS, fewer: the shortfall shows). A customer's message counts as answered at the
    first bot message after it, which can be a late second reply to the turn before; then the
    bot may not have read the last message yet when the customers stop."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(REPLY_SECONDS):
            # Nothing to subscribe to: the message arrives through the bot's own poll.
            while await _telegram_inbound(sessions) - before < sent:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    return await _telegram_inbound(sessions) - before


async def _telegram_inbound(sessions: SessionFactory) -> int:
    async with transaction(sessions) as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(Message)
                .where(Message.direction == "in", Message.channel == "telegram")
            )
        ).one()


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile; NaN for none (no customer answered during a short run)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * p / 100) - 1)]


def report(measured: Measured, *, kind: str, cases: int, requests: int) -> str:
    traffic = measured.traffic
    lines = [
        f"{cases:,} cases on {kind}, {requests} requests per page, while {traffic.per_second:.1f}"
        f" customer messages/s were answered (p50 first reply "
        f"{percentile(traffic.latencies, 50) * 1000:.0f} ms, p95 "
        f"{percentile(traffic.latencies, 95) * 1000:.0f} ms; stored {measured.stored} of "
        f"{measured.sent} sent)",
        "",
        "| page | server median ms | server p95 ms | round trip p95 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, timings in measured.pages.items():
        lines.append(
            f"| {name} | {statistics.median(timings.server):.0f} "
            f"| {percentile(timings.server, 95):.0f} | {percentile(timings.round_trip, 95):.0f} |"
        )
    return "\n".join(lines)


async def run(arguments: argparse.Namespace, url: str) -> Measured:
    await fill(url, arguments.cases)
    with TelegramLab() as lab:
        return await measure(
            url,
            lab,
            cases=arguments.cases,
            requests=arguments.requests,
            customers=arguments.customers,
            rate=arguments.rate,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", help="an empty PostgreSQL database (asyncpg URL)")
    parser.add_argument("--customers", type=int, default=10, help="customers writing at once")
    parser.add_argument(
        "--rate", type=float, default=5.0, help="customer messages per second, all together"
    )
    arguments = parser.parse_args()
    configure_logs(level="WARNING", fmt="console", secrets=[])
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.postgres or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        measured = asyncio.run(run(arguments, url))
    kind = "PostgreSQL" if arguments.postgres else "SQLite"
    print(report(measured, kind=kind, cases=arguments.cases, requests=arguments.requests))


if __name__ == "__main__":
    main()
