"""The desk benchmark with a few cases and customers: every page answers a logged-in handler
while the customers write, the server's time comes from the desk itself, and the bot stores
every customer message. No timing assertions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.web_desk import fill, measure, pages, report
from tests.telegram_lab import TelegramLab


async def test_the_desk_is_measured_while_customers_write(
    telegram_lab: TelegramLab, database_url: str, engine: AsyncEngine
) -> None:
    await fill(database_url, 60)
    measured = await measure(database_url, telegram_lab, cases=60, requests=2, customers=2, rate=50)
    assert set(measured.pages) == set(pages(60))
    for timings in measured.pages.values():
        assert len(timings.server) == len(timings.round_trip) == 2
        # The server's own time is part of the round trip, never more.
        assert all(0 <= s <= r for s, r in zip(timings.server, timings.round_trip, strict=True))
    assert measured.sent >= 2  # each customer was answered before the desk was measured
    assert measured.stored == measured.sent  # nothing lost, nothing doubled
    assert "| list, search text |" in report(measured, kind="SQLite", cases=60, requests=2)
