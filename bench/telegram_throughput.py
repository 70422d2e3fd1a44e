"""Telegram throughput: N simulated customers x M messages through the telegram-test-api
emulator (tests/telegram_lab), the whole bot on SQLite with the listening pause at 0, against
an echo bot built on python-telegram-bot's Application (long polling, one MessageHandler)
in the same run, on the same emulator.

Each customer sends a message and waits for the bot's first reply before sending the next
(as a person in a chat does); customers run concurrently. A customer's script is a whole
complaint (story, wished outcome, e-mail address, "yes" to the summary, "no" to the e-mail
confirmation), so every message gets an answer; M above 5 repeats the script as new cases.
Reported: messages per second over the whole run, and the latency from a customer's message
to the bot's first reply (p50, p99).

Both bots are measured in rounds (echo bot, then klachtbot; five by default, each klachtbot
run on a new database, each run on an emptied emulator) after an untimed warm-up round. The
round with the median ratio is shown, and every round's ratio: run-to-run noise on a shared
machine is large, and the two runs of one round share its conditions.

python -m bench.telegram_throughput [--customers N] [--messages M] [--database URL]
                                    [--telegram-limits] [--rounds R]

Telegram's send limits (30/s per bot, 1/s per chat) are off by default: the emulator has
none and the echo bot keeps none; --telegram-limits turns them on for the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlmodel import col, func, select
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.rounds import median_round
from channels.telegram import SendLimiter
from common.logs import configure as configure_logs
from storage.db import create_engine, session_factory, transaction
from storage.models import Case, Message
from tests.telegram_lab import TelegramLab
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

# A customer's turns and how many replies the bot sends to each: the acknowledgement and
# its first question; the name asked; a way to reach them asked; the summary; the agreement
# and the closing (no mail is set up here, so no written confirmation by mail is offered).
SCRIPT = (
    "Mijn bestelling {order} van 3 november is nog steeds niet geleverd, ik heb al twee keer "
    "gebeld.",
    "Dat het pakket deze week nog komt.",
    "Klant {customer}",
    "klant{customer}@example.nl",
    "Ja, dat klopt.",
)
REPLIES = (2, 1, 1, 1, 2)
FIRST_CHAT = 100_000
REPLY_SECONDS = 60.0


@dataclass
class Run:
    name: str
    messages: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Inbox:
    """Every bot message to every chat, from one long poll on the emulator."""

    url: str
    token: str
    arrived: dict[int, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    async def collect(self) -> None:
        since = 0
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            while True:
                response = await client.post(
                    "/botMessagesSince", json={"token": self.token, "since": since, "timeout": 10}
                )
                result = response.json()["result"]
                since = result["next"]
                for item in result["messages"]:
                    chat = int(item["message"]["chat_id"])
                    self.counts[chat] += 1
                    self.arrived[chat].set()

    async def replies(self, chat: int, total: int) -> None:
        """Returns once `chat` has had `total` bot messages in all (TimeoutError after
        REPLY_SECONDS)."""
        async with asyncio.timeout(REPLY_SECONDS):
            while self.counts[chat] < total:
                await self.arrived[chat].wait()
                self.arrived[chat].clear()


async def say(client: httpx.AsyncClient, token: str, chat: int, text: str) -> None:
    """The customer of private chat `chat` ("Klant N") sends `text` to the bot."""
    name = f"Klant {chat - FIRST_CHAT}"
    user = {"id": chat, "is_bot": False, "first_name": name, "language_code": "nl"}
    await client.post(
        "/sendMessage",
        json={
            "botToken": token,
            "from": user,
            "chat": {"id": chat, "type": "private", "first_name": name},
            "date": int(time.time()),
            "text": text,
        },
    )


async def customers(
    lab: TelegramLab, token: str, count: int, messages: int, *, turn: Callable[[int], int]
) -> tuple[float, list[float]]:
    """`turn(index)`: how many replies the bot sends to the customer's message `index`."""
    inbox = Inbox(lab.url, token)
    collector = asyncio.create_task(inbox.collect())
    latencies: list[float] = []

    async def customer(number: int) -> None:
        # A client (and connection) per customer, as each person has their own phone: one
        # shared pool of `count` connections made httpcore check every idle connection on
        # each request, the driver's CPU on this event loop growing with the customers.
        async with httpx.AsyncClient(base_url=lab.url, timeout=30, verify=tls) as client:
            await chat_as(number, client)

    async def chat_as(number: int, client: httpx.AsyncClient) -> None:
        chat = FIRST_CHAT + number
        for index in range(messages):
            text = SCRIPT[index % len(SCRIPT)].format(order=4_400_000 + number, customer=number)
            inbox.arrived[chat].clear()
            seen = inbox.counts[chat]
            started = time.perf_counter()
            await say(client, token, chat, text)
            await inbox.replies(chat, seen + 1)
            latencies.append(time.perf_counter() - started)
            # A bot may answer one message with two (acknowledgement and question): let the
            # rest of this turn arrive before the next message, as a reader would.
            if turn(index) > 1:
                await inbox.replies(chat, seen + turn(index))

    tls = ssl.create_default_context()  # unused on loopback; one instead of one per client
    started = time.perf_counter()
    await asyncio.gather(*(customer(number) for number in range(count)))
    seconds = time.perf_counter() - started
    collector.cancel()
    return seconds, latencies


async def echo_bot(lab: TelegramLab, count: int, messages: int) -> Run:
    token = new_token()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    application = Application.builder().token(token).base_url(lab.base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=10)
        seconds, latencies = await customers(lab, token, count, messages, turn=lambda _: 1)
        await application.updater.stop()
        await application.stop()
    return Run("PTB echo bot (Application, long polling)", count * messages, seconds, latencies)


async def klachtbot(
    lab: TelegramLab, count: int, messages: int, database_url: str, *, limits: bool
) -> tuple[Run, dict[str, int]]:
    token = new_token()
    settings = telegram_settings(database_url, lab.base_url, token)
    limiter = SendLimiter() if limits else SendLimiter.unlimited()
    async with RunningTelegramBot(settings, limiter=limiter):
        seconds, latencies = await customers(
            lab, token, count, messages, turn=lambda index: REPLIES[index % len(SCRIPT)]
        )
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            stored = (
                await session.exec(
                    select(func.count()).select_from(Message).where(Message.direction == "in")
                )
            ).one()
            distinct = (
                await session.exec(
                    select(func.count(col(Message.external_id).distinct())).where(
                        Message.direction == "in"
                    )
                )
            ).one()
            cases = (await session.exec(select(func.count()).select_from(Case))).one()
            handed_off = (
                await session.exec(
                    select(func.count()).select_from(Case).where(Case.status == "handed_off")
                )
            ).one()
    finally:
        await engine.dispose()
    tally = {"stored": stored, "distinct": distinct, "cases": cases, "handed_off": handed_off}
    name = "klachtbot, SQLite" + (" (Telegram limits on)" if limits else "")
    return Run(name, count * messages, seconds, latencies), tally


@asynccontextmanager
async def sqlite_url(explicit: str | None) -> AsyncIterator[str]:
    if explicit:
        yield explicit
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"


@dataclass(frozen=True)
class Round:
    baseline: Run
    ours: Run
    tally: dict[str, int]

    @property
    def ratio(self) -> float:
        return self.ours.per_second / self.baseline.per_second if self.baseline.per_second else 0.0


async def measure(
    lab: TelegramLab,
    count: int,
    messages: int,
    *,
    database_url: str | None = None,
    limits: bool = False,
    rounds: int = 1,
) -> list[Round]:
    """`rounds` rounds of the echo bot, then klachtbot, after an untimed round of the echo
    bot: the emulator's JavaScript and the driver's code paths get faster as they warm up,
    and the first bot measured would otherwise pay for that alone. Each bot starts on an
    empty emulator: it scans every message it holds on each call, so each run would
    otherwise be slower than the one before it."""
    await echo_bot(lab, count, 1)
    measured: list[Round] = []
    for _ in range(rounds):
        await lab.reset()
        baseline = await echo_bot(lab, count, messages)
        await lab.reset()
        async with sqlite_url(database_url) as url:
            ours, tally = await klachtbot(lab, count, messages, url, limits=limits)
        measured.append(Round(baseline, ours, tally))
    return measured


def round_lines(rounds: list[Round], *, column: str, baseline: str) -> list[str]:
    """The median round as a table (`column`: the first column's heading), its ratio and every
    round's; the web chat bench reports the same way."""
    shown = median_round(rounds)
    lines = [
        f"| {column} | msgs/s | p50 reply ms | p99 reply ms | messages |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in (shown.baseline, shown.ours):
        lines.append(
            f"| {run.name} | {run.per_second:,.0f} | {run.percentile(50) * 1000:,.0f} "
            f"| {run.percentile(99) * 1000:,.0f} | {run.messages:,} |"
        )
    lines.append("")
    lines.append(f"ratio klachtbot / {baseline}: {shown.ratio:.2f} (the median round)")
    lines.append(
        "every round: "
        + ", ".join(
            f"{r.ours.per_second:,.0f} / {r.baseline.per_second:,.0f} = {r.ratio:.2f}"
            for r in rounds
        )
    )
    return lines


def report(rounds: list[Round]) -> str:
    tally = median_round(rounds).tally
    lines = round_lines(rounds, column="bot", baseline="echo bot")
    lines.append(
        f"stored {tally['stored']}, distinct {tally['distinct']}, cases {tally['cases']}, "
        f"handed off {tally['handed_off']}"
    )
    return "\n".join(lines)


async def main(arguments: argparse.Namespace) -> None:
    configure_logs(level="WARNING", fmt="console")
    with TelegramLab() as lab:
        rounds = await measure(
            lab,
            arguments.customers,
            arguments.messages,
            database_url=arguments.database,
            limits=arguments.telegram_limits,
            rounds=arguments.rounds,
        )
    print(report(rounds))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--database", default=None)
    parser.add_argument("--telegram-limits", action="store_true")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of both bots; the median is shown"
    )
    arguments = parser.parse_args()
    if arguments.database and arguments.rounds > 1:
        parser.error("--database keeps one round's data: use it with --rounds 1")
    asyncio.run(main(arguments))


if __name__ == "__main__":
    cli()
