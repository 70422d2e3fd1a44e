"""The wired app with a recording channel: stored before acknowledged, idempotent intake,
state and replies in one transaction, replay after a stop."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

from sqlmodel import col, select

from bot.config.settings import Settings
from bot.runtime.app import App
from channels.base import CustomerPaused, InboundEvent, InboundMessage
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import Case, ChannelIdentity, Message
from tests.support import RecordingChannel, SteppedClock


def settings_for(database_url: str) -> Settings:
    return Settings.model_validate({"database": {"url": database_url}})


def message(
    clock: SteppedClock, external_id: str, text: str, sender: str = "anna"
) -> InboundMessage:
    return InboundMessage(
        channel="test", external_id=external_id, sender=sender, text=text, received_at=clock()
    )


async def test_burst_then_pause_gets_one_acknowledgement(
    database_url: str, sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.inbox = [
        message(clock, "1", "De monteur is niet gekomen."),
        message(clock, "2", "Ik heb er een vrije dag voor genomen."),
        CustomerPaused(channel="test", sender="anna", at=clock()),
    ]
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    assert channel.started
    assert channel.stopped
    assert [m.template for m in channel.sent] == ["acknowledge", "question"]
    reply = channel.sent[0]
    assert reply.recipient == "anna"
    assert reply.case_number is not None
    assert reply.case_number.startswith("K-2026-")
    assert [m.external_id for m in channel.acknowledged] == ["1", "2"]
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        assert case.acknowledged_at == clock()
        assert case.dialogue_state["story"] == [
            "De monteur is niet gekomen.",
            "Ik heb er een vrije dag voor genomen.",
        ]


async def test_the_same_channel_message_twice_is_stored_once(
    database_url: str, sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    twice = message(clock, "same-id", "Mijn factuur klopt niet.")
    channel.inbox = [twice, twice, CustomerPaused(channel="test", sender="anna", at=clock())]
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    async with transaction(sessions) as session:
        stored = (await session.exec(select(Message).where(Message.direction == "in"))).all()
    assert len(stored) == 1
    assert [m.template for m in channel.sent] == ["acknowledge", "question"]


async def test_the_pause_timer_ends_a_burst_without_the_channel_saying_so(
    database_url: str, sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.inbox = [message(clock, "1", "Al drie weken geen warm water.")]
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
        assert channel.sent == []  # still listening
        clock.advance(seconds=app.settings.dialogue.pause_seconds)
        await app.intake.wake_due()
        await app.dispatcher.drain()
    assert [m.template for m in channel.sent] == ["acknowledge", "question"]


async def test_separate_customers_get_separate_cases(
    database_url: str, sessions: SessionFactory, clock: SteppedClock, channel: RecordingChannel
) -> None:
    channel.inbox = [
        message(clock, "a1", "Pakket kwijt.", sender="anna"),
        message(clock, "b1", "Verkeerde rekening.", sender="bram"),
        CustomerPaused(channel="test", sender="anna", at=clock()),
        CustomerPaused(channel="test", sender="bram", at=clock()),
    ]
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    assert sorted(m.recipient for m in channel.sent) == ["anna", "anna", "bram", "bram"]
    assert len({m.case_number for m in channel.sent}) == 2


async def test_reply_rows_are_written_with_the_state_change(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    """With no channel to send through, the acknowledgement waits in the outbox, and the
    case already shows the step it belongs to: state and outbox moved together."""
    silent = RecordingChannel(name="test")
    silent.inbox = [
        message(clock, "1", "Niemand belt terug."),
        CustomerPaused(channel="test", sender="anna", at=clock()),
    ]
    async with App(settings_for(database_url), [silent], clock=clock) as app:
        app.dispatcher._channels.clear()
        await app.run(stop_when_intake_ends=True)
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        rows = await outbox.rows(session, case_id=case.id)
    assert case.dialogue_state["step"] == "questioning"
    assert [(r.template, r.status) for r in rows] == [
        ("acknowledge", "pending"),
        ("question", "pending"),
    ]


async def test_messages_stored_before_a_stop_are_answered_after_restart(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    first = RecordingChannel()
    async with App(settings_for(database_url), [first], clock=clock) as app:
        stored = await app.intake.store(message(clock, "1", "Ik wacht al vier weken op antwoord."))
        assert stored is not None
    # The process ends here: stored, never processed, never answered.
    async with transaction(sessions) as session:
        pending = (
            await session.exec(select(Message).where(col(Message.processed_at).is_(None)))
        ).all()
    assert len(pending) == 1

    second = RecordingChannel()
    second.inbox = [CustomerPaused(channel="test", sender="anna", at=clock())]
    clock.advance(seconds=1)
    async with App(settings_for(database_url), [second], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    assert [m.template for m in second.sent] == ["acknowledge", "question"]
    assert timedelta(0) <= clock() - pending[0].created_at


async def test_a_block_of_messages_is_stored_once_each_in_one_go(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    async with App(settings_for(database_url), [], clock=clock) as app:
        earlier = await app.intake.store(message(clock, "a", "De lift is kapot."))
        block = [
            message(clock, "a", "De lift is kapot."),  # stored before
            message(clock, "b", "Al twee weken.", sender="bram"),
            message(clock, "b", "Al twee weken.", sender="bram"),  # twice in the block
            message(clock, "c", "Niemand belt terug.", sender="chris"),
        ]
        stored = await app.intake.store_many(block)
    assert earlier is not None
    assert len(stored) == 2
    async with transaction(sessions) as session:
        rows = (await session.exec(select(Message).order_by(col(Message.id)))).all()
    assert [(row.id, row.external_id, row.sender) for row in rows] == [
        (earlier, "a", "anna"),
        (stored[0], "b", "bram"),
        (stored[1], "c", "chris"),
    ]
    assert len({row.customer_id for row in rows}) == 3


async def test_a_message_that_cannot_be_processed_does_not_hold_up_its_block(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    async with App(settings_for(database_url), [], clock=clock) as app:
        # By email: a mail is a whole story, so taking it in means answering it.
        stuck, fine = await app.intake.store_many(
            [replace(message(clock, "1", "De verwarming doet het niet."), channel="email"),
             replace(message(clock, "2", "Mijn pakket is zoek.", sender="bram"), channel="email")]
        )  # fmt: skip
        async with transaction(sessions) as session:
            # A customer with no way to reach them: replying to them fails.
            anna = (await session.exec(select(Message).where(Message.id == stuck))).one()
            for identity in await session.exec(
                select(ChannelIdentity).where(ChannelIdentity.customer_id == anna.customer_id)
            ):
                await session.delete(identity)
        await app.intake.process_many([stuck, fine])
    async with transaction(sessions) as session:
        processed = {
            row.id: row.processed_at is not None for row in (await session.exec(select(Message)))
        }
        queued = await outbox.rows(session)
    assert processed == {stuck: False, fine: True}  # the stuck one is replayed on next start
    assert {row.recipient for row in queued} == {"bram"}


class DeafReader(RecordingChannel):
    """Reads on after its first cancellation, as an IDLE wait does when the server's push
    and the cancellation arrive at the same moment (Python 3.11's `asyncio.wait_for`)."""

    def __init__(self) -> None:
        super().__init__()
        self.listening = asyncio.Event()
        self.cancellations = 0

    async def inbound(self) -> AsyncIterator[InboundEvent]:
        while self.cancellations < 2:
            self.listening.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancellations += 1
        raise asyncio.CancelledError
        yield  # an async generator, like every channel's inbound


async def test_a_reader_that_loses_a_cancellation_still_stops(
    database_url: str, clock: SteppedClock
) -> None:
    deaf = DeafReader()
    async with App(settings_for(database_url), [deaf], clock=clock) as app:
        running = asyncio.create_task(app.run())
        await deaf.listening.wait()
        app.request_stop()
        async with asyncio.timeout(20):
            await running
    assert deaf.cancellations == 2
