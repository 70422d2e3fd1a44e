"""Test doubles that are real implementations of our own small interfaces."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st

from bot.dialogue import (
    ChoicePressed,
    CustomerMessage,
    Event,
    HandlerAction,
    PauseElapsed,
    TimerDue,
)
from channels.base import DeliveryResult, InboundEvent, InboundMessage, OutboundMessage


@dataclass
class SteppedClock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# 10:00 in Amsterdam on Tuesday 1 December 2026, a working day.
OFFICE_HOURS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def running_from(moment: datetime) -> Callable[[], datetime]:
    """A clock that starts at `moment` when made and runs on in real time: for a whole bot
    whose answers must not depend on the hour it runs (quiet hours hold some back)."""
    started = time.monotonic()
    return lambda: moment + timedelta(seconds=time.monotonic() - started)


@dataclass
class RecordingChannel:
    """A channel that records what it is asked to send and replays scripted inbound events.

    `outcomes` decides per send: return a DeliveryResult, or raise.
    """

    name: str = "test"
    inbox: list[InboundEvent] = field(default_factory=list)
    sent: list[OutboundMessage] = field(default_factory=list)
    acknowledged: list[InboundMessage] = field(default_factory=list)
    outcomes: Callable[[OutboundMessage], DeliveryResult] = lambda _m: DeliveryResult.sent()
    started: bool = False
    stopped: bool = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        for event in self.inbox:
            yield event

    async def acknowledge(self, message: InboundMessage) -> None:
        self.acknowledged.append(message)

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        result = self.outcomes(message)
        if result.ok:
            self.sent.append(message)
        return result


def require_service(available: bool, reason: str) -> None:
    """Skip when a service is missing on a laptop; fail in CI, where it must be there."""
    if available:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float, every: float = 0.05
) -> None:
    """Wait until `condition()` holds, failing after `within` seconds.

    For effects another process causes (a mail server, a bot reading its mailbox) that we
    cannot subscribe to; the deadline makes a missing effect a failure, not a hang.
    """
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110  (nothing to subscribe to, see above)
            await asyncio.sleep(every)


def dialogue_events(texts: st.SearchStrategy[str]) -> st.SearchStrategy[Event]:
    """Any event the dialogue can be fed, customer messages drawn from `texts`."""
    return st.one_of(
        st.builds(CustomerMessage, st.integers(min_value=1, max_value=10_000), texts),
        st.just(PauseElapsed()),
        st.just(TimerDue()),
        st.builds(ChoicePressed, st.sampled_from(["yes", "no"])),
        st.builds(HandlerAction, st.sampled_from(["resolve", "close", "reopen"])),
    )
