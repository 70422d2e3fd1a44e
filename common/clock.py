"""Time comes from a clock passed in, so tests can drive it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


async def wait_any(*events: asyncio.Event, within: float) -> None:
    """Return when one of `events` is set or `within` seconds pass."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


def seconds_until(moment: datetime | None, now: datetime, default: float) -> float:
    if moment is None:
        return default
    return min(default, max((moment - now).total_seconds(), 0.0))
