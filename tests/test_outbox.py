"""The dispatcher against a real database: retries, backoff, failure, leases."""

from datetime import timedelta

from bot.dispatcher import Dispatcher, backoff_delay
from bot.settings import OutboxSettings
from channels.base import DeliveryResult, OutboundMessage
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import OutboxRow
from tests.support import RecordingChannel, SteppedClock

SETTINGS = OutboxSettings(max_attempts=3, backoff_seconds=10, backoff_max_seconds=25)


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
    sessions: SessionFactory, channel: RecordingChannel, clock: SteppedClock
) -> Dispatcher:
    return Dispatcher(sessions=sessions, channels={"test": channel}, settings=SETTINGS, clock=clock)


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


async def test_transient_failures_back_off_then_fail(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.failed("connection reset")
    row_id = await _enqueue(sessions, clock)
    dispatcher = _dispatcher(sessions, channel, clock)

    assert await dispatcher.drain() == 1
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "connection reset")
    assert row.due_at == clock.now + timedelta(seconds=10)

    clock.advance(seconds=9)
    assert await dispatcher.drain() == 0  # not due yet
    clock.advance(seconds=1)
    assert await dispatcher.drain() == 1
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.due_at == clock.now + timedelta(seconds=20)

    clock.advance(seconds=20)
    assert await dispatcher.drain() == 1
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "connection reset")
    clock.advance(days=1)
    assert await dispatcher.drain() == 0
    assert channel.sent == []


async def test_permanent_failure_is_not_retried(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.failed("chat not found", permanent=True)
    row_id = await _enqueue(sessions, clock)
    await _dispatcher(sessions, channel, clock).drain()
    row = await _row(sessions, row_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "chat not found")


async def test_retry_after_from_the_channel_is_honoured(
    sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.outcomes = lambda _m: DeliveryResult.failed("429", retry_after=300)
    row_id = await _enqueue(sessions, clock)
    await _dispatcher(sessions, channel, clock).drain()
    assert (await _row(sessions, row_id)).due_at == clock.now + timedelta(seconds=300)


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
