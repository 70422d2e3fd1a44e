"""Nothing lost, nothing twice, limits kept: the offset moves only after storing, a restart
mid-conversation carries on where it was, a 429's retry_after is honoured."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast

from sqlmodel import col, select

from bot.runtime.app import App
from bot.runtime.telegram_wiring import telegram_channel
from channels.base import InboundBatch, InboundEvent
from channels.telegram import SendLimiter
from channels.telegram.channel import split_text
from common.clock import utc_now
from storage import telegram
from storage.db import SessionFactory, transaction
from storage.models import Case, Message, OutboxRow, TelegramOffset
from tests.telegram_fake import FakeBotApi, customer_update
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

ANNA = 4242
STORY = (
    "Mijn bestelling 4471234 van 3 november is nog steeds niet geleverd. "
    "Ik heb al twee keer gebeld."
)


async def _offsets(sessions: SessionFactory) -> list[int]:
    async with transaction(sessions) as session:
        rows = (await session.exec(select(TelegramOffset))).all()
    return [row.next_update_id for row in rows]


async def test_a_crash_mid_batch_loses_nothing_and_stores_nothing_twice(
    database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi() as api:
        settings = telegram_settings(database_url, api.base_url, new_token())
        api.push(customer_update(ANNA, 1, text=STORY))
        api.push(customer_update(ANNA, 2, text="Ik wil gewoon mijn pakket."))

        # First run: both updates come in one batch and are stored, then the process dies
        # before they are acknowledged: the offset has not moved.
        holder: list[App] = []
        channel = telegram_channel(
            settings.telegram, sessions=lambda: holder[0].sessions, clock=utc_now
        )
        async with App(settings, [channel]) as app:
            holder.append(app)
            events = cast(AsyncGenerator[InboundEvent, None], channel.inbound())
            batch = await anext(events)
            assert isinstance(batch, InboundBatch)
            assert [m.external_id for m in batch.messages] == [f"{ANNA}:1", f"{ANNA}:2"]
            assert len(await app.intake.store_many(batch.messages)) == 2
            await events.aclose()  # the crash
        assert await _offsets(sessions) == []

        # Second run: the batch comes again; what was stored falls out as a duplicate, the
        # stored messages are answered once, and the offset moves past the batch.
        async with RunningTelegramBot(settings):
            await api.wait_sent(2)  # acknowledgement and question
            polls = (await api.wait_calls("getUpdates", 3))[1:]
        assert not polls[0].params.get("offset")
        assert polls[1].params["offset"] == 3
        assert await _offsets(sessions) == [3]

        # Third run: starts at the saved offset.
        done = len(await api.wait_calls("getUpdates", 1))
        async with RunningTelegramBot(settings):
            polls = await api.wait_calls("getUpdates", done + 1)
        assert polls[done].params["offset"] == 3

    assert [call.params["text"].count("?") for call in api.sent] == [0, 1]  # nothing twice
    async with transaction(sessions) as session:
        inbound = (await session.exec(select(Message).where(Message.direction == "in"))).all()
    assert sorted(m.external_id for m in inbound) == [f"{ANNA}:1", f"{ANNA}:2"]


async def test_a_restart_mid_conversation_carries_on_without_loss(
    database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi() as api:
        settings = telegram_settings(database_url, api.base_url, new_token())
        async with RunningTelegramBot(settings):
            api.push(customer_update(ANNA, 1, text=STORY))
            sent = await api.wait_sent(2)
            assert sent[1].params["text"].count("?") == 1

        # The customer answers while the bot is down.
        api.push(customer_update(ANNA, 2, text="Dat het pakket deze week nog komt."))
        async with RunningTelegramBot(settings):
            sent = await api.wait_sent(3)
            assert "naam" in sent[2].params["text"]
            api.push(customer_update(ANNA, 3, text="Anna de Vries"))
            sent = await api.wait_sent(4)
            assert "e-mailadres" in sent[3].params["text"]
            api.push(customer_update(ANNA, 4, text="anna@example.nl"))
            sent = await api.wait_sent(5)
            assert "4471234" in sent[4].params["text"]

    texts = [call.params["text"] for call in api.sent]
    assert len(texts) == len(set(texts)) == 5  # nothing sent twice
    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case))).all()
        inbound = (await session.exec(select(Message).where(Message.direction == "in"))).all()
    assert len(cases) == 1
    assert cases[0].dialogue_state["step"] == "confirming"
    assert len(inbound) == 4


async def test_a_saved_offset_never_moves_backwards(sessions: SessionFactory) -> None:
    # Batches are saved as they finish; an older one saved late must not rewind the bot.
    for next_update_id in (10, 25, 17):
        async with transaction(sessions) as session:
            await telegram.save_next_update_id(
                session, bot_id=7, next_update_id=next_update_id, now=utc_now()
            )
    async with transaction(sessions) as session:
        assert await telegram.next_update_id(session, bot_id=7) == 25
        assert await telegram.next_update_id(session, bot_id=8) == 0


async def test_a_429_is_waited_out_as_telegram_asks(
    database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi(too_many=1, retry_after=1) as api:
        settings = telegram_settings(
            database_url, api.base_url, new_token(), outbox={"backoff_seconds": 0.05}
        )
        async with RunningTelegramBot(settings):
            api.push(customer_update(ANNA, 1, text="/start"))
            await api.wait_sent(1)
        attempts = [call for call in api.calls if call.method == "sendMessage"]
    assert len(attempts) == 2
    assert attempts[1].at - attempts[0].at >= 1.0  # not the 0.05 s backoff
    async with transaction(sessions) as session:
        rows = (await session.exec(select(OutboxRow).order_by(col(OutboxRow.id)))).all()
    assert [(row.status, row.attempts) for row in rows] == [("sent", 1)]
    assert "RetryAfter" in (rows[0].last_error or "")


def test_the_limiter_keeps_one_message_a_second_per_chat_after_a_short_burst() -> None:
    now = [0.0]
    limiter = SendLimiter(per_second=30, per_chat_per_second=1, chat_burst=3, clock=lambda: now[0])
    assert [limiter.delay(1) for _ in range(3)] == [0, 0, 0]
    assert limiter.delay(1) == 1.0  # the fourth waits a second
    assert limiter.delay(2) == 0  # another chat is not held up


def test_the_limiter_keeps_thirty_a_second_per_bot_and_holds_after_a_429() -> None:
    now = [0.0]
    limiter = SendLimiter(per_second=30, per_chat_per_second=1, chat_burst=3, clock=lambda: now[0])
    delays = [limiter.delay(chat) for chat in range(31)]
    assert delays[:30] == [0] * 30
    assert delays[30] > 0
    now[0] = 10.0
    limiter.hold(5)
    assert limiter.delay(99) == 5.0


def test_the_limiter_keeps_twenty_a_minute_per_group() -> None:
    now = [0.0]
    limiter = SendLimiter(clock=lambda: now[0])
    assert [limiter.delay(-100) for _ in range(3)] == [0, 0, 0]
    assert limiter.delay(-100) == 3.0  # 60 s / 20


def test_a_long_text_is_split_at_line_breaks_within_telegrams_limit() -> None:
    lines = [f"regel {n}: " + "x" * 90 for n in range(100)]  # about 10,000 characters
    parts = split_text("\n".join(lines))
    assert len(parts) == 3
    assert all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == "\n".join(lines)
    assert split_text("") == [" "]  # Telegram refuses an empty message
