"""The dispatcher against a real database: retries, backoff, failure, leases."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from structlog.testing import capture_logs

from bot.config.settings import OutboxSettings
from bot.runtime.dispatcher import Dispatcher, backoff_delay
from channels.base import DeliveryResult, OutboundMessage
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import OutboxRow
from tests.support import RecordingChannel, SteppedClock

# Transient failures are retried for one minute here.
SETTINGS = OutboxSettings(retry_hours=1 / 60, backoff_seconds=10, backoff_max_seconds=25)


async def _enqueue(sessions: SessionFactory, clock: SteppedClock, key: str = "k1") -> int:
    async with transaction(sessions) as session:
        return await outbox.enqueue(
            session,
            idempotency_key=key,
            channel="test",
            recipient="alice",
            template="acknowledge",
            body="hallo",
            due_at=clock(),
            now=clock(),
        )


async def _row(sessions: SessionFactory, row_id: int) -> OutboxRow:
    async with transaction(sessions) as session:
        row = await session.get(OutboxRow, row_id)
    assert row is not None
    return row


def _dispatcher(
    sessions: SessionFactory,
    channel: RecordingChannel,
    clock: SteppedClock,
    failures: list[tuple[int, str]] | None = None,
) -> Dispatcher:
    async def on_failed(
        _session: AsyncSession, row: outbox.Claimed, error: str, _now: datetime
    ) -> None:
        assert failures is not None
        failures.append((row.id, error))

    return Dispatcher(
        sessions=sessions,
        channels={"test": channel},
        settings=SETTINGS,
        clock=clock,
        on_failed=on_failed if failures is not None else None,
    )


def test_backoff_doubles_and_caps() -> None:
    delays = [backoff_delay(n, SETTINGS).total_seconds() for n in (1, 2, 3, 4)]
    assert delays == [10, 20, 25, 25]


async def test_sent_once_and_never_again(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    row_id = await _enqueue(sessions, clock)
    dispatcher = _dispatcher(sessions, channel, clock)
    assert await dispatcher.drain() == 1
    clock.advance(hours=5)
    assert await dispatcher.drain() == 0
    assert [m.outbox_id for m in channel.sent] == [row_id]
    row = await _row(sessions, row_id)
    assert row.status == "sent"
    assert row.sent_at == clock.now - timedelta(hours=5)


async def test_enqueue_is_idempotent_by_key(sessions: SessionFactory, clock: SteppedClock) -> None:
    first = await _enqueue(sessions, clock, key="same")
    second = await _enqueue(sessions, clock, key="same")
    assert first == second
    async with transaction(sessions) as session:
        assert len(await outbox.rows(session)) == 1


async def test_transient_failures_back_off_until_the_retry_period_ends(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.failed("connection reset")
    row_id = await _enqueue(sessions, clock)
    failures: list[tuple[int, str]] = []
    dispatcher = _dispatcher(sessions, channel, clock, failures)
    first_failure = clock.now

    with capture_logs() as logs:
        assert await dispatcher.drain() == 1
    # The first failure is news for the operator; the retries after it are not.
    assert [(e["event"], e["log_level"]) for e in logs] == [("outbound.retry", "warning")]
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "connection reset")
    assert row.due_at == clock.now + timedelta(seconds=10)
    assert row.failing_since == first_failure

    clock.advance(seconds=9)
    assert await dispatcher.drain() == 0  # not due yet
    clock.advance(seconds=1)
    with capture_logs() as logs:
        assert await dispatcher.drain() == 1
    assert [(e["event"], e["log_level"]) for e in logs] == [("outbound.retry", "info")]
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.due_at == clock.now + timedelta(seconds=20)
    assert row.failing_since == first_failure  # the period runs from the first failure

    clock.advance(seconds=20)  # 30 s after the first failure
    assert await dispatcher.drain() == 1
    assert (await _row(sessions, row_id)).due_at == clock.now + timedelta(seconds=25)  # capped
    clock.advance(seconds=25)  # 55 s: the next try is at the end of the minute, not later
    assert await dispatcher.drain() == 1
    assert (await _row(sessions, row_id)).due_at == first_failure + timedelta(minutes=1)
    assert failures == []

    clock.advance(seconds=5)  # the period is over: this failure is the last
    assert await dispatcher.drain() == 1
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 5, "connection reset")
    assert failures == [(row_id, "connection reset")]
    clock.advance(days=1)
    assert await dispatcher.drain() == 0
    assert channel.sent == []


async def test_a_send_that_works_within_the_period_is_sent(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    down = True
    channel.outcomes = lambda _m: (
        DeliveryResult.failed("451 try later") if down else DeliveryResult.sent("id-1")
    )
    row_id = await _enqueue(sessions, clock)
    dispatcher = _dispatcher(sessions, channel, clock)
    assert await dispatcher.drain() == 1
    clock.advance(seconds=10)
    down = False
    assert await dispatcher.drain() == 1
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.external_id) == ("sent", 1, "id-1")
    assert [m.outbox_id for m in channel.sent] == [row_id]


async def test_a_deferred_row_waits_without_spending_an_attempt(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.later("too many mails", retry_after=600)
    row_id = await _enqueue(sessions, clock)
    dispatcher = _dispatcher(sessions, channel, clock)
    for _ in range(3):  # deferred again and again: never closer to failing
        assert await dispatcher.drain() == 1
        row = await _row(sessions, row_id)
        assert (row.status, row.attempts, row.failing_since) == ("pending", 0, None)
        assert row.due_at == clock.now + timedelta(seconds=600)
        assert row.last_error == "too many mails"
        clock.advance(hours=1)
    channel.outcomes = lambda _m: DeliveryResult.sent()
    assert await dispatcher.drain() == 1
    assert (await _row(sessions, row_id)).status == "sent"


async def test_permanent_failure_is_not_retried(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.failed(
        "refused anna@example.nl", permanent=True
    )
    row_id = await _enqueue(sessions, clock)
    failures: list[tuple[int, str]] = []
    with capture_logs() as logs:
        await _dispatcher(sessions, channel, clock, failures).drain()
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "refused anna@example.nl")
    assert failures == [(row_id, "refused anna@example.nl")]
    [warning] = [entry for entry in logs if entry["log_level"] == "warning"]
    assert (warning["event"], warning["outbox_id"]) == ("outbound.failed", row_id)
    assert warning["see"] == "klachtbot outbox list --failed"
    assert "anna@example.nl" not in repr(warning)  # the error stays on the row


async def test_retry_after_from_the_channel_is_honoured(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.failed("429", retry_after=40)
    row_id = await _enqueue(sessions, clock)
    await _dispatcher(sessions, channel, clock).drain()
    assert (await _row(sessions, row_id)).due_at == clock.now + timedelta(seconds=40)


async def test_a_crashing_channel_counts_as_a_failed_attempt(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    def explode(_message: OutboundMessage) -> DeliveryResult:
        raise RuntimeError("adapter bug")

    channel.outcomes = explode
    row_id = await _enqueue(sessions, clock)
    await _dispatcher(sessions, channel, clock).drain()
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "RuntimeError: adapter bug"


async def test_claimed_row_of_a_dead_worker_is_taken_over_after_its_lease(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    row_id = await _enqueue(sessions, clock)
    async with transaction(sessions) as session:
        claimed = await outbox.claim(
            session,
            worker="died",
            channels=["test"],
            now=clock(),
            lease=timedelta(seconds=SETTINGS.lease_seconds),
            limit=10,
        )
    assert [row.id for row in claimed] == [row_id]

    survivor = _dispatcher(sessions, channel, clock)
    assert await survivor.drain() == 0  # the lease still holds
    clock.advance(seconds=SETTINGS.lease_seconds)
    assert await survivor.drain() == 1
    assert [m.outbox_id for m in channel.sent] == [row_id]
    async with transaction(sessions) as session:
        # The dead worker cannot settle a row it no longer holds.
        assert not await outbox.mark_sent(
            session, row_id=row_id, worker="died", external_id=None, now=clock()
        )
        assert (
            await outbox.mark_sent_many(session, sent={row_id: "x"}, worker="died", now=clock())
            == set()
        )


async def test_sent_rows_are_marked_together_but_only_those_still_held(
    sessions: SessionFactory, clock: SteppedClock
) -> None:
    first, second = await _enqueue(sessions, clock, "k1"), await _enqueue(sessions, clock, "k2")
    async with transaction(sessions) as session:
        claimed = await outbox.claim(
            session,
            worker="a",
            channels=["test"],
            now=clock(),
            lease=timedelta(seconds=60),
            limit=10,
        )
    assert [row.id for row in claimed] == [first, second]
    async with transaction(sessions) as session:
        # Another worker took the second row over after the lease: it is no longer ours.
        second_row = await session.get(OutboxRow, second)
        assert second_row is not None
        second_row.claimed_by = "b"
        session.add(second_row)
    async with transaction(sessions) as session:
        marked = await outbox.mark_sent_many(
            session, sent={first: "7:1", second: None}, worker="a", now=clock()
        )
    assert marked == {first}
    assert ((await _row(sessions, first)).status, (await _row(sessions, first)).external_id) == (
        "sent",
        "7:1",
    )
    assert (await _row(sessions, second)).status == "sending"


@dataclass
class NamingChannel(RecordingChannel):
    """Names each message before its first attempt, as email does with its Message-ID."""

    names: list[str] = field(default_factory=list)
    attempts: list[tuple[int, str | None]] = field(default_factory=list)

    def new_delivery_id(self, message: OutboundMessage) -> str:
        self.names.append(f"<{len(self.names) + 1}@lab.test>")
        return self.names[-1]

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        self.attempts.append((message.outbox_id, message.delivery_id))
        return await super().send(message)


async def test_a_message_keeps_its_delivery_id_across_retries(
    sessions: SessionFactory, clock: SteppedClock
) -> None:
    channel = NamingChannel()
    failing = True
    channel.outcomes = lambda m: (
        DeliveryResult.failed("421 busy") if failing else DeliveryResult.sent(m.delivery_id)
    )
    first, second = await _enqueue(sessions, clock, "k1"), await _enqueue(sessions, clock, "k2")
    dispatcher = _dispatcher(sessions, channel, clock)
    assert await dispatcher.drain() == 2
    assert (await _row(sessions, first)).external_id == "<1@lab.test>"  # stored before sending
    clock.advance(seconds=10)
    failing = False
    assert await dispatcher.drain() == 2
    assert channel.attempts == [
        (first, "<1@lab.test>"),
        (second, "<2@lab.test>"),
        (first, "<1@lab.test>"),
        (second, "<2@lab.test>"),
    ]
    assert channel.names == ["<1@lab.test>", "<2@lab.test>"]  # named once each
    assert (await _row(sessions, second)).external_id == "<2@lab.test>"


async def test_each_send_is_recorded_before_the_next_to_that_recipient(
    sessions: SessionFactory, clock: SteppedClock
) -> None:
    statuses_seen: list[list[str]] = []

    class Checking(RecordingChannel):
        async def send(self, message: OutboundMessage) -> DeliveryResult:
            async with transaction(sessions) as session:
                statuses_seen.append([row.status for row in await outbox.rows(session)])
            return await super().send(message)

    for key in ("k1", "k2", "k3"):
        await _enqueue(sessions, clock, key)
    assert await _dispatcher(sessions, Checking(), clock).drain() == 3
    # A crash during any send would repeat only that one: the ones before it are recorded.
    assert statuses_seen == [
        ["sending", "sending", "sending"],
        ["sent", "sending", "sending"],
        ["sent", "sent", "sending"],
    ]
