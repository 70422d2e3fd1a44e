"""Sends due outbox rows through their channels, with retries and backoff.

The only code that talks to a channel's `send`. Restart-safe: a row is claimed with a
lease; if this process dies mid-send, another takes the row when the lease ends. Each send
is recorded as soon as it succeeds and a lane sends nothing more until then, so a crash
repeats at most the messages that were in flight, under the id they were first sent with.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config.settings import OutboxSettings
from channels.base import Channel, DeliveryResult, NamesDeliveries, OutboundMessage
from common import metrics
from common.clock import Clock, seconds_until, wait_any
from common.logs import log
from storage import outbox
from storage.db import SessionFactory, core, transaction

# Sent replies join the case history; built once, see `Dispatcher._record`.
HISTORY_INSERT = insert(SQLModel.metadata.tables["messages"])

Outcome = tuple[outbox.Claimed, DeliveryResult]
# Called in the transaction that marks a row failed for good, with its error.
FailureHook = Callable[[AsyncSession, outbox.Claimed, str, datetime], Awaitable[None]]


def backoff_delay(attempts: int, settings: OutboxSettings) -> timedelta:
    """Exponential: base, 2 x base, 4 x base, … capped at the maximum."""
    # The exponent is bounded: after a thousand tries 2 ** n no longer fits in a float.
    seconds = settings.backoff_seconds * 2 ** min(max(attempts - 1, 0), 62)
    return timedelta(seconds=min(seconds, settings.backoff_max_seconds))


def _message(row: outbox.Claimed) -> OutboundMessage:
    return OutboundMessage(
        outbox_id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        text=row.body,
        template=row.template,
        case_number=row.meta.get("case"),
        meta=row.meta,
        delivery_id=row.external_id,
    )


class _GroupCommit:
    """Records outcomes: `write` returns once its outcome is committed. Outcomes handed in
    while a commit is under way (other lanes) are committed together by the next writer.
    A failed commit raises in its writer (the TaskGroup of lanes then cancels the rest)."""

    def __init__(self, commit: Callable[[list[Outcome]], Awaitable[None]]) -> None:
        self._commit = commit
        self._waiting: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._lock = asyncio.Lock()

    async def write(self, outcome: Outcome) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, done))
        async with self._lock:
            if done.done():
                return  # committed by the writer before us
            batch, self._waiting = self._waiting, []
            try:
                await self._commit([item for item, _ in batch])
            except BaseException:
                # Not committed: the others' outcomes are left to the next writer, if any.
                self._waiting[:0] = [entry for entry in batch if entry[1] is not done]
                raise
            for _, waiter in batch:
                waiter.set_result(None)


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        settings: OutboxSettings,
        clock: Clock,
        worker: str | None = None,
        on_failed: FailureHook | None = None,
    ) -> None:
        """`on_failed` hears of every row that failed for good (to tell a handler)."""
        self._sessions = sessions
        self._channels = dict(channels)
        self._naming = {
            name: channel
            for name, channel in self._channels.items()
            if isinstance(channel, NamesDeliveries)
        }
        self._settings = settings
        self._clock = clock
        self._on_failed = on_failed
        self.worker = worker or f"dispatcher-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; the send in flight when it is set still completes."""
        while not stop.is_set():
            sent = await self.run_once()
            if sent >= self._settings.batch_size:
                continue
            await self._idle(stop)

    async def drain(self) -> int:
        """Send everything due now; returns how many rows were handled."""
        total = 0
        while handled := await self.run_once():
            total += handled
        return total

    async def run_once(self) -> int:
        async with self._pass:
            now = self._clock()
            async with transaction(self._sessions) as session:
                claimed = await outbox.claim(
                    session,
                    worker=self.worker,
                    channels=list(self._channels),
                    now=now,
                    lease=timedelta(seconds=self._settings.lease_seconds),
                    limit=self._settings.batch_size,
                )
                claimed = await self._name(session, claimed)
            if claimed:
                await self._deliver_all(claimed)
            return len(claimed)

    async def _name(
        self, session: AsyncSession, claimed: list[outbox.Claimed]
    ) -> list[outbox.Claimed]:
        """Rows of a channel that names its messages get their id in the claim's own
        transaction, before the first attempt: once stored, it stays for every retry."""
        names = {
            row.id: channel.new_delivery_id(_message(row))
            for row in claimed
            if row.external_id is None and (channel := self._naming.get(row.channel))
        }
        if not names:
            return claimed
        await outbox.name_deliveries(session, names=names)
        return [
            replace(row, external_id=names[row.id]) if row.id in names else row for row in claimed
        ]

    async def _deliver_all(self, claimed: list[outbox.Claimed]) -> None:
        """Send the claimed rows, each recorded right after its send.

        One recipient's rows go out one after another, in order; different recipients of a
        channel that allows it (`parallel_sends`) are sent to at the same time. A lane sends
        its next row only when the last one is committed, so at most one message per lane is
        ever sent but not recorded; lanes that finish together share a commit.
        """
        chains: dict[tuple[str, str], list[outbox.Claimed]] = {}
        for row in claimed:
            chains.setdefault((row.channel, row.recipient), []).append(row)
        gates = {
            name: asyncio.Semaphore(max(1, int(getattr(channel, "parallel_sends", 1))))
            for name, channel in self._channels.items()
        }
        recorder = _GroupCommit(self._record)

        async def send_chain(rows: list[outbox.Claimed]) -> None:
            async with gates[rows[0].channel]:
                for row in rows:
                    await recorder.write((row, await self._send(row)))

        async with asyncio.TaskGroup() as senders:
            for rows in chains.values():
                senders.create_task(send_chain(rows))

    async def _send(self, row: outbox.Claimed) -> DeliveryResult:
        try:
            return await self._channels[row.channel].send(_message(row))
        except Exception as exc:  # a channel bug must not stop the other rows
            return DeliveryResult.failed(f"{type(exc).__name__}: {exc}")

    async def _record(self, results: list[Outcome]) -> None:
        now = self._clock()
        async with transaction(self._sessions) as session:
            # Sent rows are marked with one statement; the rest (retries, failures) are rare.
            # A delivery id stored before the send (email) need not be written again.
            sent = {
                row.id: None if result.external_id == row.external_id else result.external_id
                for row, result in results
                if result.ok
            }
            marked = await outbox.mark_sent_many(session, sent=sent, worker=self.worker, now=now)
            # Each sent reply joins the case's history, in one statement for the block.
            history = [self._history(row, now) for row, _ in results if row.id in marked]
            if history:
                await (await core(session)).execute(HISTORY_INSERT, history)
            for row, result in results:
                if result.ok:
                    metrics.OUTBOUND.labels(row.channel).inc()
                    log.info(
                        "outbound.sent",
                        channel=row.channel,
                        outbox_id=row.id,
                        case=row.meta.get("case"),
                    )
                elif result.deferred:
                    await self._defer(session, row, result, now)
                else:
                    await self._record_failure(session, row, result, now)

    @staticmethod
    def _history(row: outbox.Claimed, now: datetime) -> dict[str, object]:
        return {
            "case_id": row.case_id,
            "direction": "out",
            "channel": row.channel,
            # Delivery ids may repeat across channel sessions; ours never do.
            "external_id": f"outbox:{row.id}",
            "sender": "bot",
            "text": row.body,
            "created_at": now,
            "processed_at": now,
            "thread": [],
            "oversized": False,
            "kind": "text",
        }

    async def _defer(
        self, session: AsyncSession, row: outbox.Claimed, result: DeliveryResult, now: datetime
    ) -> None:
        due_at = now + timedelta(seconds=result.retry_after or 0)
        await outbox.mark_deferred(
            session,
            row_id=row.id,
            worker=self.worker,
            reason=result.error or "deferred",
            due_at=due_at,
        )
        log.info(
            "outbound.deferred", channel=row.channel, outbox_id=row.id, until=due_at.isoformat()
        )

    async def _record_failure(
        self, session: AsyncSession, row: outbox.Claimed, result: DeliveryResult, now: datetime
    ) -> None:
        """A permanent failure fails the row at once; a passing one is tried again with
        backoff until `retry_hours` after the row's first failure, then fails it."""
        attempts = row.attempts + 1
        error = result.error or "unknown error"
        failing_since = row.failing_since or now
        give_up_at = failing_since + timedelta(hours=self._settings.retry_hours)
        if result.permanent or now >= give_up_at:
            failed = await outbox.mark_failed(
                session,
                row_id=row.id,
                worker=self.worker,
                error=error,
                attempts=attempts,
                failing_since=failing_since,
            )
            if failed:
                # The error may name an address: it is kept on the row, not in the log.
                log.warning(
                    "outbound.failed",
                    channel=row.channel,
                    outbox_id=row.id,
                    case=row.meta.get("case"),
                    attempts=attempts,
                    permanent=result.permanent,
                    see="klachtbot outbox list --failed",
                )
                if self._on_failed is not None:
                    await self._on_failed(session, row, error, now)
            return
        delay = backoff_delay(attempts, self._settings)
        if result.retry_after is not None:
            delay = max(delay, timedelta(seconds=result.retry_after))
        due_at = min(now + delay, give_up_at)
        await outbox.mark_retry(
            session,
            row_id=row.id,
            worker=self.worker,
            error=error,
            attempts=attempts,
            due_at=due_at,
            failing_since=failing_since,
        )
        # The first failure of a row is news for the operator; the retries after it are not.
        report = log.warning if row.failing_since is None else log.info
        report(
            "outbound.retry",
            channel=row.channel,
            outbox_id=row.id,
            attempts=attempts,
            delay_s=(due_at - now).total_seconds(),
            give_up_at=give_up_at.isoformat(),
        )

    async def _idle(self, stop: asyncio.Event) -> None:
        async with transaction(self._sessions) as session:
            next_due = await outbox.next_due_at(session, channels=list(self._channels))
        timeout = seconds_until(next_due, self._clock(), self._settings.poll_seconds)
        await wait_any(self._wake, stop, within=timeout)
        self._wake.clear()
