"""Sends due outbox rows through their channels, with retries and backoff.

The only code that talks to a channel's `send`. Restart-safe: a row is claimed with a
lease; if this process dies mid-send, another takes the row when the lease ends.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock, seconds_until, wait_any
from bot.logs import log
from bot.settings import OutboxSettings
from channels.base import Channel, DeliveryResult, OutboundMessage
from storage import outbox
from storage.db import SessionFactory, core, transaction

# Sent replies join the case history; built once, see `Dispatcher._record`.
HISTORY_INSERT = insert(SQLModel.metadata.tables["messages"])


def backoff_delay(attempts: int, settings: OutboxSettings) -> timedelta:
    """Exponential: base, 2 x base, 4 x base, … capped at the maximum."""
    seconds = settings.backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.backoff_max_seconds))


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        settings: OutboxSettings,
        clock: Clock,
        worker: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._channels = dict(channels)
        self._settings = settings
        self._clock = clock
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
            if claimed:
                await self._deliver_all(claimed)
            return len(claimed)

    async def _deliver_all(self, claimed: list[outbox.Claimed]) -> None:
        """Send the claimed rows and record each result as soon as it is known.

        One recipient's rows go out one after another, in order; different recipients of a
        channel that allows it (`parallel_sends`) are sent to at the same time. Results that
        are known while an earlier one is being recorded are recorded together, in one
        transaction: a sent reply is still recorded right after its send (a restart in
        between would send it again), but a busy batch costs a few commits, not one per row.
        """
        chains: dict[tuple[str, str], list[outbox.Claimed]] = {}
        for row in claimed:
            chains.setdefault((row.channel, row.recipient), []).append(row)
        gates = {
            name: asyncio.Semaphore(max(1, int(getattr(channel, "parallel_sends", 1))))
            for name, channel in self._channels.items()
        }
        finished: list[tuple[outbox.Claimed, DeliveryResult]] = []
        known = asyncio.Event()

        async def send_chain(rows: list[outbox.Claimed]) -> None:
            async with gates[rows[0].channel]:
                for row in rows:
                    finished.append((row, await self._send(row)))
                    known.set()

        async with asyncio.TaskGroup() as senders:
            for rows in chains.values():
                senders.create_task(send_chain(rows))
            recorded = 0
            while recorded < len(claimed):
                if recorded == len(finished):
                    await known.wait()
                    known.clear()
                results = finished[recorded:]
                recorded += len(results)
                await self._record(results)

    async def _send(self, row: outbox.Claimed) -> DeliveryResult:
        channel = self._channels[row.channel]
        message = OutboundMessage(
            outbox_id=row.id,
            channel=row.channel,
            recipient=row.recipient,
            text=row.body,
            template=row.template,
            case_number=row.meta.get("case"),
            meta=row.meta,
        )
        try:
            return await channel.send(message)
        except Exception as exc:  # a channel bug must not stop the other rows
            return DeliveryResult.failed(f"{type(exc).__name__}: {exc}")

    async def _record(self, results: list[tuple[outbox.Claimed, DeliveryResult]]) -> None:
        now = self._clock()
        async with transaction(self._sessions) as session:
            # Sent rows are marked with one statement; the rest (retries, failures) are rare.
            sent = {row.id: result.external_id for row, result in results if result.ok}
            marked = await outbox.mark_sent_many(session, sent=sent, worker=self.worker, now=now)
            # Each sent reply joins the case's history, in one statement for the block.
            history = [self._history(row, now) for row, _ in results if row.id in marked]
            if history:
                await (await core(session)).execute(HISTORY_INSERT, history)
            for row, result in results:
                if result.ok:
                    log.info(
                        "outbound.sent",
                        channel=row.channel,
                        outbox_id=row.id,
                        case=row.meta.get("case"),
                    )
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

    async def _record_failure(
        self, session: AsyncSession, row: outbox.Claimed, result: DeliveryResult, now: datetime
    ) -> None:
        attempts = row.attempts + 1
        error = result.error or "unknown error"
        if result.permanent or attempts >= self._settings.max_attempts:
            await outbox.mark_failed(
                session, row_id=row.id, worker=self.worker, error=error, attempts=attempts
            )
            log.warning("outbound.failed", channel=row.channel, outbox_id=row.id, attempts=attempts)
            return
        delay = backoff_delay(attempts, self._settings)
        if result.retry_after is not None:
            delay = max(delay, timedelta(seconds=result.retry_after))
        await outbox.mark_retry(
            session,
            row_id=row.id,
            worker=self.worker,
            error=error,
            attempts=attempts,
            due_at=now + delay,
        )
        log.info(
            "outbound.retry",
            channel=row.channel,
            outbox_id=row.id,
            attempts=attempts,
            delay_s=delay.total_seconds(),
        )

    async def _idle(self, stop: asyncio.Event) -> None:
        async with transaction(self._sessions) as session:
            next_due = await outbox.next_due_at(session, channels=list(self._channels))
        timeout = seconds_until(next_due, self._clock(), self._settings.poll_seconds)
        await wait_any(self._wake, stop, within=timeout)
        self._wake.clear()
