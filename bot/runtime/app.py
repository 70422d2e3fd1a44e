"""Startup and shutdown of everything on one event loop.

Stop order: stop intake (the web desk, then channel readers) → drain the queue of stored
messages → stop the dispatcher (its send in flight completes, and so do replies a handler
sent from the desk) → wait for tracked tasks → stop channels → close storage last.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config.settings import Settings
from bot.dialogue import Dialogue, Policy
from bot.dialogue.reading import Understander
from bot.handlers.delivery_failures import FailureNotices
from bot.handlers.handler_group import HandlerGroup
from bot.intake.intake import Intake, Organisation
from bot.nlu import understand
from bot.privacy.retention import BATCH, anonymise_batch
from bot.reading.read_ahead import ReadAhead
from bot.reading.second_opinion import second_opinion_for
from bot.reading.workers import Workers
from bot.reports import delivery
from bot.runtime.database import open_database
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.schedule import deadlines_for, followups_for, report_schedule
from bot.runtime.warmup import warm_up
from bot.web.desk import Desk
from channels.base import (
    Channel,
    ChannelStatus,
    CustomerPaused,
    InboundBatch,
    ReportsStatus,
    ServesRoutes,
)
from common.clock import Clock, seconds_until, utc_now, wait_any
from common.logs import log
from storage.db import SessionFactory, session_factory, transaction
from storage.handlers import sync_handlers

QUEUE_SIZE = 1000
PROCESS_BATCH = 50
WAKE_POLL_SECONDS = 5.0
FOLLOWUPS_POLL_SECONDS = 60.0
CANCEL_AGAIN_SECONDS = 1.0

Job = int | CustomerPaused
CONNECTED = ChannelStatus(connected=True)


class App:
    def __init__(
        self,
        settings: Settings,
        channels: Sequence[Channel],
        *,
        clock: Clock = utc_now,
        workers: Workers | None = None,
        serve_desk: bool = False,
    ) -> None:
        """`workers`: helper processes shared with the channels; by default the App makes
        them from the settings. Either way the App starts and stops them. `serve_desk`: also
        the handlers' web desk (`klachtbot run`), unless `[web] enabled = false`."""
        self.settings = settings
        self.channels = {channel.name: channel for channel in channels}
        self.clock = clock
        self.desk: Desk | None = None
        # The bot's one web server: the desk, and the routes of channels called over HTTP
        # (Telegram's webhook), which need it even where no desk was asked for.
        self._channel_routes = [
            route
            for channel in channels
            if isinstance(channel, ServesRoutes)
            for route in channel.routes()
        ]
        self._serve_desk = settings.web.enabled and (serve_desk or bool(self._channel_routes))
        self.workers = workers or Workers(settings.workers.processes)
        self.read_ahead = ReadAhead(
            self.workers,
            tz=settings.organisation.tz,
            clock=clock,
            second_opinion=second_opinion_for(settings.understanding),
        )
        self._engine: AsyncEngine | None = None
        self._parts = AsyncExitStack()
        self._queue: asyncio.Queue[Job] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._stop = asyncio.Event()
        self._wake_timers = asyncio.Event()
        self._next_wake: datetime | None = None
        self._next_followups: datetime | None = None
        self._next_retention: datetime | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> App:
        """Start storage, the helpers and every channel, in that order. If any part fails
        to start (a `StartupFailure` names the setting), the parts already started are
        stopped again before the error goes on: nothing is left running."""
        self._parts = AsyncExitStack()
        try:
            await self._start(self._parts)
        except BaseException:
            await self._parts.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # In reverse order of starting: channels, helpers, storage last.
        await self._parts.aclose()

    async def _start(self, parts: AsyncExitStack) -> None:
        self._engine = await open_database(self.settings.database.url)
        parts.push_async_callback(self._engine.dispose)
        self.sessions: SessionFactory = session_factory(self._engine)
        async with transaction(self.sessions) as session:
            await sync_handlers(session, configured=self.settings.handlers)
        organisation = Organisation(
            name=self.settings.organisation.name,
            default_language=self.settings.organisation.language,
            emergency_phone=self.settings.organisation.emergency_phone,
            tz=self.settings.organisation.tz,
            handlers_by_email=self.settings.email.configured,
            handler_group=_handler_group(self.settings),
        )
        self.followups = followups_for(self.settings, organisation)
        self.intake = Intake(
            sessions=self.sessions,
            dialogue=dialogue_for(self.settings, self.read_ahead.understand),
            organisation=organisation,
            clock=self.clock,
            followups=self.followups,
            read_ahead=self.read_ahead,
            erased_key=self.settings.privacy.hash_key_bytes,
        )
        self.dispatcher = Dispatcher(
            sessions=self.sessions,
            channels=self.channels,
            settings=self.settings.outbox,
            clock=self.clock,
            on_failed=FailureNotices(
                language=self.settings.organisation.language,
                sender_name=organisation.name,
                by_email=organisation.handlers_by_email,
                group=organisation.handler_group,
            ),
        )
        # The helpers start and warm up on their own cores meanwhile.
        helpers = asyncio.create_task(self.workers.start())
        parts.push_async_callback(self.workers.close)
        parts.push_async_callback(self.read_ahead.close)
        try:
            log.info("app.warmed_up", templates=warm_up())
        finally:
            await helpers
        if self._serve_desk:
            # Listening before the channels start: Telegram may call as soon as its webhook
            # is set (the route answers 503 until the channel is open, and Telegram retries).
            desk = Desk(self.settings, self, clock=self.clock, routes=self._channel_routes)
            self.desk = await desk.__aenter__()
            # Stopped first in `run`; here only when the bot ends without running.
            parts.push_async_callback(self.desk.close)
        for channel in self.channels.values():
            await channel.start()  # a channel that fails to start cleans up after itself
            parts.push_async_callback(channel.stop)

    def status(self) -> dict[str, ChannelStatus]:
        """Each channel's link to its service: connected, or not and why."""
        return {
            name: channel.status() if isinstance(channel, ReportsStatus) else CONNECTED
            for name, channel in self.channels.items()
        }

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self, *, stop_when_intake_ends: bool = False) -> None:
        """Run until `request_stop()` (or, for a scripted chat, until every channel's
        inbound stream has ended and its replies are sent)."""
        for message_id in await self.intake.pending_message_ids():
            await self._queue.put(message_id)  # stored before a crash, not yet answered
        dispatcher_stop = asyncio.Event()
        async with asyncio.TaskGroup() as tasks:
            readers = [tasks.create_task(self._read(ch)) for ch in self.channels.values()]
            worker = tasks.create_task(self._work())
            sender = tasks.create_task(self.dispatcher.run(dispatcher_stop))
            timers = tasks.create_task(self._timers())
            if stop_when_intake_ends:
                tasks.create_task(self._stop_after(readers))
            await self._stop.wait()
            if self.desk is not None:
                await self.desk.close()  # no new handler actions; replies sent go out below
            await _cancel_until_ended(readers)
            await self._queue.join()
            dispatcher_stop.set()
            self.dispatcher.wake()
            await sender
            timers.cancel()
            worker.cancel()
        log.info("app.stopped")

    async def _stop_after(self, readers: list[asyncio.Task[None]]) -> None:
        await asyncio.gather(*readers)
        await self.settle()
        self.request_stop()

    async def settle(self) -> None:
        """Wait until every stored message is processed and every due reply is sent."""
        await self._queue.join()
        await self.dispatcher.drain()

    # -- tasks -----------------------------------------------------------------------------

    async def _read(self, channel: Channel) -> None:
        async for event in channel.inbound():
            if isinstance(event, CustomerPaused):
                await self._queue.put(event)
                continue
            messages = event.messages if isinstance(event, InboundBatch) else (event,)
            stored = await self.intake.store_many(messages)
            for message in messages:
                await channel.acknowledge(message)
            for message_id in stored:
                await self._queue.put(message_id)

    async def _work(self) -> None:
        # One consumer keeps each conversation's messages in the order they arrived. Messages
        # already waiting are taken in together, in one transaction.
        while True:
            jobs = [await self._queue.get()]
            while (
                isinstance(jobs[-1], int) and len(jobs) < PROCESS_BATCH and not self._queue.empty()
            ):
                jobs.append(self._queue.get_nowait())
            try:
                wake = await self._process(jobs)
                self.dispatcher.wake()
                # The timer loop sleeps until the earliest known wake-up; only an earlier one
                # needs to disturb it (most messages set none, or a later one).
                if wake is not None and (self._next_wake is None or wake < self._next_wake):
                    self._wake_timers.set()
            except Exception:
                log.exception("intake.failed", jobs=[str(job) for job in jobs])
            finally:
                for _ in jobs:
                    self._queue.task_done()

    async def _process(self, jobs: list[Job]) -> datetime | None:
        """Messages first, then a pause: only the last job can be one (see `_work`)."""
        message_ids = [job for job in jobs if isinstance(job, int)]
        wakes = [await self.intake.process_many(message_ids)] if message_ids else []
        wakes += [await self.intake.customer_paused(j) for j in jobs if not isinstance(j, int)]
        return min((wake for wake in wakes if wake is not None), default=None)

    async def _timers(self) -> None:
        while True:
            self._wake_timers.clear()
            self._next_wake = await self.intake.wake_due()
            if self._next_followups is None or self.clock() >= self._next_followups:
                await self.followups_due()
            self.dispatcher.wake()
            await wait_any(
                self._wake_timers,
                within=seconds_until(self._next_wake, self.clock(), WAKE_POLL_SECONDS),
            )

    async def followups_due(self) -> None:
        """Timed follow-up work: deadline warnings and escalations, unanswered surveys.

        Deadlines are minutes or hours apart, so once a minute is soon enough; the timer
        loop itself wakes far more often.
        """
        now = self.clock()
        self._next_followups = now + timedelta(seconds=FOLLOWUPS_POLL_SECONDS)
        async with transaction(self.sessions) as session:
            await self.followups.tick(session, now=now)
        # A transaction of its own: a report that cannot be built does not hold up the
        # deadlines above (it is tried again next minute).
        if self.settings.email.configured:
            try:
                async with transaction(self.sessions) as session:
                    await delivery.send_when_due(
                        session,
                        now=now,
                        calendar=self.followups.calendar,
                        schedule=report_schedule(self.settings),
                    )
            except Exception as exc:
                log.warning("report.failed", error=f"{type(exc).__name__}: {exc}")
        if self._next_retention is None or now >= self._next_retention:
            await self.retention_due()

    async def retention_due(self) -> int:
        """Anonymise the cases past the retention term; once a day is what the term needs
        (a restart runs it again, which finds nothing new)."""
        now = self.clock()
        self._next_retention = now + timedelta(days=1)
        privacy = self.settings.privacy
        done = 0
        while True:
            async with transaction(self.sessions) as session:
                batch = await anonymise_batch(
                    session, months=privacy.retention_months, key=privacy.hash_key_bytes, now=now
                )
            done += batch
            if batch < BATCH:
                return done


async def _cancel_until_ended(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel `tasks` and wait until each has ended, cancelling again when needed: Python
    3.11's `asyncio.wait_for` (which aioimaplib's IDLE uses) drops a cancellation that
    arrives together with the result it was waiting for, and the reader goes on reading."""
    running = {task for task in tasks if not task.done()}
    while running:
        for task in running:
            task.cancel()
        _, running = await asyncio.wait(running, timeout=CANCEL_AGAIN_SECONDS)


def _handler_group(settings: Settings) -> HandlerGroup | None:
    telegram = settings.telegram
    if not (telegram.configured and telegram.handler_chat_id):
        return None
    return HandlerGroup(
        chat_id=telegram.handler_chat_id,
        user_ids=frozenset(telegram.handler_user_ids),
        tz=settings.organisation.tz,
        language=settings.organisation.language,
    )


def dialogue_for(settings: Settings, understand: Understander = understand) -> Dialogue:
    talk = settings.dialogue
    return Dialogue(
        Policy(
            pause=timedelta(seconds=talk.pause_seconds),
            receipt_interval=timedelta(hours=talk.receipt_interval_hours),
            tz=settings.organisation.tz,
            deadlines=deadlines_for(settings),
            email_confirmation=settings.email.configured,
            require=tuple(settings.intake.require),
        ),
        understand,
    )
