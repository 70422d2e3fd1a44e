"""Web chat throughput: N widget customers at once, each a WebSocket client of the bot's
`/chat/ws` telling a whole complaint, the whole bot in this process (the App with its web
server, on SQLite or PostgreSQL) with the listening pause at 0; against an echo server (a
Starlette WebSocket route that answers each message once, on the same uvicorn and wsproto
as the bot's) in the same run.

Each customer first opens `/chat` for the signed visitor cookie (untimed, as the page load
before anyone types), then connects and sends a message and waits for the bot's replies
to it before sending the next (as a person in a chat does); customers run concurrently. A
customer's script is the Telegram bench's (bench/telegram_throughput.py) with the summary's
"Ja" button pressed: story, wished outcome, name, e-mail address, "yes". Reported: messages
per second over the whole run, and the latency from a customer's message to the bot's first
reply (p50, p99).

Nothing lost or doubled is checked against storage after each klachtbot run: every
customer message stored once, one case per customer taken to a handoff, and every message
the bot sent a customer (its outbox rows) received by that customer's page exactly once.

Run in rounds (echo server, then klachtbot on a new database; three by default) after an
untimed warm-up round of the echo server; the round with the median ratio is shown.

python -m bench.webchat_throughput [--customers N] [--rounds R] [--postgres URL]

--postgres: a PostgreSQL server URL (asyncpg); each round gets a database of its own on it,
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlmodel import col, func, select
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from bench.email_intake import fresh_database
from bench.rounds import median_round
from bench.telegram_throughput import Round, Run, round_lines
from bot.config.settings import Settings
from bot.runtime.app import App
from bot.web.chat import VISITOR_COOKIE
from bot.web.server import WebServer, web_app
from channels.webchat.channel import WebChatChannel
from common.logs import configure as configure_logs
from storage.db import create_engine, session_factory, transaction
from storage.models import Case, Message, OutboxRow
from tests.support import OFFICE_HOURS, running_from

# A customer's turns, and how many messages the bot sends for each: the acknowledgement and
# its first question (what would help); their name asked; a way to reach them asked; the
# summary, with Ja/Nee buttons; "Ja" pressed: the agreement, the closing and the written
# confirmation in the chat (no mail is set up here).
TURNS: tuple[tuple[dict[str, str], int], ...] = (
    (
        {
            "text": "Mijn bestelling {order} van 3 november is nog steeds niet geleverd, ik heb "
            "al twee keer gebeld."
        },
        2,
    ),
    ({"text": "Dat het pakket deze week nog komt."}, 1),
    ({"text": "{name}"}, 1),
    ({"text": "klant{customer}@example.nl"}, 1),
    ({"choice": "yes"}, 3),
)
NAMES = ("Anna Jansen", "Pieter de Vries", "Fatima el Amrani", "Joost Bakker", "Sanne Visser")
REPLY_SECONDS = 60.0


@dataclass
class Page:
    """What one customer's chat page was sent over its connection."""

    bot: list[str] = field(default_factory=list)
    customer: list[str] = field(default_factory=list)
    last_text: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def read(self, socket: ClientConnection) -> None:
        async for raw in socket:
            line = json.loads(raw)
            (self.bot if line["from"] == "bot" else self.customer).append(line["id"])
            self.last_text = line["text"]
            self.arrived.set()

    async def replies(self, at_least: int) -> None:
        try:
            async with asyncio.timeout(REPLY_SECONDS):
                while len(self.bot) < at_least:
                    self.arrived.clear()
                    await self.arrived.wait()
        except TimeoutError:
            raise TimeoutError(
                f"{len(self.bot)} of {at_least} answers after {REPLY_SECONDS:.0f} s; "
                f"the last line: {self.last_text!r}"
            ) from None


async def visitor_cookies(url: str, count: int) -> list[str]:
    """A visitor cookie each, as `/chat` hands it to a browser opening the page."""
    cookies = []
    async with httpx.AsyncClient(base_url=url) as client:
        for _ in range(count):
            client.cookies.clear()
            response = await client.get("/chat")
            response.raise_for_status()
            cookies.append(response.cookies[VISITOR_COOKIE])
    return cookies


async def customers(
    url: str, cookies: list[str | None], *, replies: Callable[[int], int]
) -> tuple[float, list[float], list[Page]]:
    """Each customer takes the TURNS; `replies(index)`: how many messages the server sends
    in answer to turn `index`."""
    latencies: list[float] = []
    pages = [Page() for _ in cookies]
    address = url.replace("http://", "ws://") + "/chat/ws"

    async def customer(number: int) -> None:
        cookie = cookies[number]
        headers = {"Cookie": f"{VISITOR_COOKIE}={cookie}"} if cookie else None
        page = pages[number]
        words = {
            "order": 4_400_000 + number,
            "customer": number,
            "name": NAMES[number % len(NAMES)],
        }
        async with connect(address, origin=Origin(url), additional_headers=headers) as socket:
            reader = asyncio.create_task(page.read(socket))
            try:
                await turns(socket, page, words)
            except BaseException:
                reader.cancel()
                raise
            # Whatever else arrives before the close is read too: a late double is counted.
            await socket.close()
            await reader

    async def turns(socket: ClientConnection, page: Page, words: dict[str, object]) -> None:
        for index, (said, _) in enumerate(TURNS):
            seen = len(page.bot)
            started = time.perf_counter()
            await socket.send(json.dumps({k: v.format(**words) for k, v in said.items()}))
            await page.replies(seen + 1)
            latencies.append(time.perf_counter() - started)
            # More than one answer to a message (acknowledgement and question): let the rest
            # of this turn arrive before the next message, as a reader would.
            await page.replies(seen + replies(index))

    started = time.perf_counter()
    await asyncio.gather(*(customer(number) for number in range(len(cookies))))
    return time.perf_counter() - started, latencies, pages


async def echo_server(count: int) -> Run:
    async def echo(socket: WebSocket) -> None:
        await socket.accept()
        sent = 0
        try:
            while True:
                said = json.loads(await socket.receive_text())
                sent += 1
                line = {"id": f"b{sent}", "from": "bot", "text": said.get("text", "")}
                await socket.send_text(json.dumps(line))
        except WebSocketDisconnect:
            return

    server = WebServer(web_app([WebSocketRoute("/chat/ws", echo)]), host="127.0.0.1", port=0)
    await server.start()
    try:
        seconds, latencies, _ = await customers(
            f"http://127.0.0.1:{server.port}", [None] * count, replies=lambda _: 1
        )
    finally:
        await server.stop()
    name = "echo server (Starlette WebSocket, uvicorn + wsproto)"
    return Run(name, count * len(TURNS), seconds, latencies)


def bench_settings(database_url: str, count: int) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "organisation": {"name": "Woonstichting De Linde"},
            # A chat burst ends at once: the customer waits for the answers before going on.
            "dialogue": {"pause_seconds": 0},
            "handlers": [{"name": "Sanne"}],
            "web": {"listen": "127.0.0.1:0", "secret_key": "bench-secret-key"},
            # Every bench customer comes from 127.0.0.1: the per-address limits, meant for
            # one visitor's address, would refuse all but the first few.
            "webchat": {
                "open_per_address": count,
                "opened_per_address_minute": count,
                "messages_per_address_minute": count * len(TURNS),
            },
        }
    )


async def klachtbot(count: int, database_url: str, name: str) -> tuple[Run, dict[str, Page]]:
    """The run, and what each visitor's page was sent (by visitor id)."""
    settings = bench_settings(database_url, count)
    # As if on a working morning, whenever the bench runs: at night the written confirmation
    # would wait for the morning.
    clock = running_from(OFFICE_HOURS)
    async with App(settings, [WebChatChannel()], clock=clock, serve_desk=True) as app:
        running = asyncio.create_task(app.run())
        try:
            assert app.desk is not None
            url = f"http://127.0.0.1:{app.desk.port}"
            cookies = await visitor_cookies(url, count)
            seconds, latencies, pages = await customers(
                url, list(cookies), replies=lambda index: TURNS[index][1]
            )
            await app.settle()
        finally:
            app.request_stop()
            await running
    visitors = [cookie.rsplit(".", 1)[0] for cookie in cookies]  # the signed value
    by_visitor = dict(zip(visitors, pages, strict=True))
    return Run(name, count * len(TURNS), seconds, latencies), by_visitor


async def check(database_url: str, pages: dict[str, Page]) -> dict[str, int]:
    """What storage holds against what each page was sent: lost and doubled are counted."""
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            said = (
                await session.exec(
                    select(Message.sender, Message.id).where(
                        Message.channel == "webchat", Message.direction == "in"
                    )
                )
            ).all()
            sent = (
                await session.exec(
                    select(OutboxRow.recipient, OutboxRow.id, OutboxRow.status).where(
                        OutboxRow.channel == "webchat"
                    )
                )
            ).all()
            cases = (await session.exec(select(func.count()).select_from(Case))).one()
            handed_off = (
                await session.exec(
                    select(func.count()).select_from(Case).where(col(Case.status) == "handed_off")
                )
            ).one()
    finally:
        await engine.dispose()
    stored = {(sender, f"c{number}") for sender, number in said}
    outbox = {(recipient, f"b{number}") for recipient, number, _ in sent}
    received_bot = Counter((v, line) for v, page in pages.items() for line in page.bot)
    received_own = Counter((v, line) for v, page in pages.items() for line in page.customer)
    return {
        "stored": len(said),
        "cases": cases,
        "handed_off": handed_off,
        "sent": len(outbox),
        "unsent": sum(1 for *_, status in sent if status != "sent"),
        # A message the page showed as the customer's that storage does not hold, or one
        # storage holds that the page never confirmed; a bot message not shown, or shown twice.
        "lost": len(set(received_own) ^ stored) + len(outbox - set(received_bot)),
        "doubled": sum(n - 1 for n in (received_bot + received_own).values()),
        "strays": len(set(received_bot) - outbox),
    }


async def measure(count: int, *, postgres: str | None = None, rounds: int = 1) -> list[Round]:
    """`rounds` rounds of the echo server, then klachtbot on an empty database, after an
    untimed round of the echo server (the code paths on both sides warm up)."""
    await echo_server(count)
    name = "klachtbot, " + ("PostgreSQL" if postgres else "SQLite")
    measured: list[Round] = []
    for _ in range(rounds):
        baseline = await echo_server(count)
        async with fresh_database(postgres) as url:
            ours, pages = await klachtbot(count, url, name)
            tally = await check(url, pages)
        measured.append(Round(baseline, ours, tally))
    return measured


def report(rounds: list[Round]) -> str:
    lines = round_lines(rounds, column="server", baseline="echo server")
    lines.append(", ".join(f"{key} {value}" for key, value in median_round(rounds).tally.items()))
    return "\n".join(lines)


async def main(arguments: argparse.Namespace) -> None:
    configure_logs(level="WARNING", fmt="console")
    rounds = await measure(
        arguments.customers, postgres=arguments.postgres, rounds=arguments.rounds
    )
    print(report(rounds))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="the median round is shown")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (asyncpg)")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
