"""/start, /stop and /taal in a private chat, against the fake Bot API server: /stop pauses
everything we would send until the customer writes again; unknown commands get help."""

from __future__ import annotations

from sqlmodel import col, select

from storage.db import SessionFactory, transaction
from storage.models import AuditEvent, Case, ChannelIdentity, Message, OutboxRow
from tests.support import eventually
from tests.telegram_fake import FakeBotApi, customer_update
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

ANNA = 4242


def command(message_id: int, text: str) -> dict[str, object]:
    name = text.split(" ", 1)[0]
    return customer_update(
        ANNA,
        message_id,
        text=text,
        entities=[{"type": "bot_command", "offset": 0, "length": len(name)}],
    )


async def _paused(sessions: SessionFactory) -> bool:
    async with transaction(sessions) as session:
        identity = (await session.exec(select(ChannelIdentity))).one()
    return identity.paused


async def test_stop_pauses_until_the_customer_writes_again(
    database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi() as api:
        settings = telegram_settings(database_url, api.base_url, new_token())
        async with RunningTelegramBot(settings):
            api.push(
                customer_update(
                    ANNA, 1, text="Mijn pakket 4471234 is na twee weken nog niet bezorgd."
                )
            )
            await api.wait_sent(2)
            api.push(command(2, "/stop"))
            stopped = (await api.wait_sent(3))[2].params["text"]
            assert "geen berichten meer" in stopped
            assert await _paused(sessions)

            api.push(command(3, "/hulp"))
            helped = (await api.wait_sent(4))[3].params["text"]
            assert "/hulp" in helped
            assert "/taal" in helped

            api.push(customer_update(ANNA, 4, text="Dat het pakket deze week nog komt."))
            asked = (await api.wait_sent(5))[4].params["text"]
            assert asked.count("?") == 1
            assert not await _paused(sessions)

            api.push(command(5, "/taal"))
            options = (await api.wait_sent(6))[5].params["text"]
            assert "/taal en" in options

    async with transaction(sessions) as session:
        actions = (
            await session.exec(
                select(AuditEvent.action).where(col(AuditEvent.action).startswith("command."))
            )
        ).all()
        rows = (await session.exec(select(OutboxRow))).all()
    assert list(actions) == ["command.stop", "command.hulp", "command.taal"]
    assert all(row.status == "sent" for row in rows)


async def test_nothing_is_sent_while_paused(database_url: str, sessions: SessionFactory) -> None:
    async with FakeBotApi() as api:
        settings = telegram_settings(database_url, api.base_url, new_token())
        settings.dialogue.pause_seconds = 1.0  # the story's answer comes after a pause...
        async with RunningTelegramBot(settings):
            api.push(customer_update(ANNA, 1, text="Mijn pakket 4471234 is niet bezorgd."))
            api.push(command(2, "/stop"))  # ...but the customer stops us before it
            await api.wait_sent(1)

            async def moved_on() -> bool:
                async with transaction(sessions) as session:
                    case = (await session.exec(select(Case))).one()
                return case.dialogue_state.get("step") != "listening"

            await eventually(moved_on, within=10)
        texts = [sent.params["text"] for sent in api.sent]
    assert len(texts) == 1
    assert "geen berichten meer" in texts[0]
    async with transaction(sessions) as session:
        templates = (await session.exec(select(OutboxRow.template))).all()
    assert list(templates) == ["chat/stop"]  # acknowledgement and question withheld


async def test_a_button_we_no_longer_offer_is_kept_and_answered_but_says_nothing(
    database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi() as api:
        settings = telegram_settings(database_url, api.base_url, new_token())
        async with RunningTelegramBot(settings):
            api.push(customer_update(ANNA, 1, text="Mijn pakket 4471234 is niet bezorgd."))
            await api.wait_sent(2)
            press = customer_update(ANNA, 2, text="x")["message"]
            api.push(
                {
                    "callback_query": {
                        "id": "cb-old",
                        "from": press["from"],
                        "chat_instance": "ci",
                        "data": "survey:5",
                        "message": {
                            **press,
                            "message_id": 900,
                            "from": {"id": 777, "is_bot": True, "first_name": "Klachtbot"},
                        },
                    }
                }
            )
            answered = await api.wait_calls("answerCallbackQuery", 1)
            assert answered[0].params["callback_query_id"] == "cb-old"

            async def processed() -> bool:
                async with transaction(sessions) as session:
                    message = (
                        await session.exec(select(Message).where(Message.kind == "button"))
                    ).one()
                return message.processed_at is not None

            await eventually(processed, within=10)
        async with transaction(sessions) as session:
            case = (await session.exec(select(Case))).one()
            kept = (await session.exec(select(Message).where(Message.kind == "button"))).one()
        assert kept.text == "survey:5"
        assert kept.case_id == case.id
        assert "survey:5" not in case.dialogue_state["story"]
        assert len(api.sent) == 2  # no reply to a stale button
