"""The web chat benchmark with a few customers: every message answered, nothing lost or
doubled against storage, every customer taken to a handoff; and the check does count a
lost or a doubled line. No timing assertions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.telegram_throughput import Round
from bench.webchat_throughput import TURNS, check, echo_server, klachtbot, report

CUSTOMERS = 3
# What each customer is sent: the bot's answers to all turns.
ANSWERS = sum(replies for _, replies in TURNS)


async def test_the_benchmark_answers_everything_and_loses_nothing(
    database_url: str, engine: AsyncEngine
) -> None:
    baseline = await echo_server(CUSTOMERS)
    ours, pages = await klachtbot(CUSTOMERS, database_url, "klachtbot")
    tally = await check(database_url, pages)
    measured = Round(baseline, ours, tally)
    assert tally == {
        "stored": CUSTOMERS * len(TURNS),
        "cases": CUSTOMERS,
        "handed_off": CUSTOMERS,
        "sent": CUSTOMERS * ANSWERS,
        "unsent": 0,
        "lost": 0,
        "doubled": 0,
        "strays": 0,
    }, report([measured])
    assert len(baseline.latencies) == len(ours.latencies) == CUSTOMERS * len(TURNS)
    assert baseline.per_second > 0
    assert ours.per_second > 0
    assert "ratio klachtbot / echo server" in report([measured])

    # A page that missed a bot message, and one shown a customer message twice.
    first, second, _ = pages.values()
    missed = first.bot.pop()
    second.customer.append(second.customer[0])
    tampered = await check(database_url, pages)
    assert (tampered["lost"], tampered["doubled"]) == (1, 1)
    first.bot += [missed, missed]
    assert (await check(database_url, pages))["doubled"] == 2
