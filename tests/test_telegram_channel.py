"""The Telegram channel end to end against the telegram-test-api emulator over HTTP: a
customer chats in a private chat, the whole dialogue runs, buttons come and go."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import select

from storage.db import SessionFactory, transaction
from storage.models import Case, Message, RawPayload, TelegramOffset
from tests.telegram_lab import TelegramLab
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings


def text(reply: dict[str, Any]) -> str:
    return str(reply["message"]["text"])


def buttons(reply: dict[str, Any]) -> list[tuple[str, str]]:
    markup = reply["message"].get("reply_markup") or {}
    return [
        (button["text"], button["callback_data"])
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


async def test_a_complaint_in_dutch_runs_the_whole_dialogue_with_buttons(
    telegram_lab: TelegramLab, database_url: str, sessions: SessionFactory
) -> None:
    token = new_token()
    chat = telegram_lab.chat(token, user_id=4242, first_name="Anna", language="nl")
    async with RunningTelegramBot(telegram_settings(database_url, telegram_lab.base_url, token)):
        await chat.command("/start")
        greeting = (await chat.replies(1))[0]
        assert "Welkom" in text(greeting)
        assert "maandag tot en met vrijdag" in text(greeting)

        await chat.say(
            "Mijn bestelling 4471234 van 3 november is nog steeds niet geleverd. "
            "Ik heb al twee keer gebeld."
        )
        replies = await chat.replies(3)
        acknowledgement, question = replies[1], replies[2]
        assert "?" not in text(acknowledgement)
        assert text(question).count("?") == 1

        await chat.say("Dat het pakket deze week nog komt.")
        assert "naam" in text((await chat.replies(4))[3])
        await chat.say("Anna de Vries")
        assert "e-mailadres" in text((await chat.replies(5))[4])
        await chat.say("anna@example.nl")
        summary = (await chat.replies(6))[5]
        assert "4471234" in text(summary)
        assert "Anna de Vries" in text(summary)
        assert buttons(summary) == [("Ja", "choice:yes"), ("Nee", "choice:no")]

        # No mail is set up here, so no written confirmation by mail is offered: the
        # agreement names the address the customer gave and the conversation closes.
        await chat.press(summary, "choice:yes")
        agreement, closing = (await chat.replies(8))[6:8]
        assert "17:00" in text(agreement)
        assert "anna@example.nl" in text(agreement)
        assert buttons(agreement) == []
        assert "?" not in text(closing)
        assert buttons(closing) == []

        # The answered keyboard is gone from the chat.
        history = {
            item["messageId"]: item["message"] for item in await chat.history() if "message" in item
        }
        markup = history[summary["messageId"]].get("reply_markup")
        assert not (markup or {}).get("inline_keyboard"), markup

    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case))).all()
        inbound = (await session.exec(select(Message).where(Message.direction == "in"))).all()
        offsets = (await session.exec(select(TelegramOffset))).all()
        raws = [await session.get_one(RawPayload, m.raw_id) for m in inbound]
    assert [case.status for case in cases] == ["handed_off"]
    assert [m.kind for m in inbound] == ["command", "text", "text", "text", "text", "choice"]
    # Each update is kept as the JSON it came in: its own update id, its message or press.
    updates = [json.loads(raw.data) for raw in raws]
    assert all(raw.content_type == "application/json" for raw in raws)
    assert len({update["update_id"] for update in updates}) == len(updates)
    assert [
        u["message"]["text"] if "message" in u else u["callback_query"]["data"] for u in updates
    ] == [m.text if m.kind != "choice" else f"choice:{m.text}" for m in inbound]
    assert [m.text for m in inbound if m.kind == "choice"] == ["yes"]
    assert all(m.external_id.startswith(("4242:", "callback:")) for m in inbound)
    assert len(offsets) == 1
    assert offsets[0].next_update_id > 0


async def test_a_complaint_in_english_with_typed_answers_and_a_language_switch(
    telegram_lab: TelegramLab, database_url: str, sessions: SessionFactory
) -> None:
    token = new_token()
    chat = telegram_lab.chat(token, user_id=5151, first_name="John", language="nl")
    async with RunningTelegramBot(telegram_settings(database_url, telegram_lab.base_url, token)):
        await chat.command("/taal en")
        assert "English" in text((await chat.replies(1))[0])

        await chat.say(
            "My order 5512345 from 3 November has still not been delivered. "
            "I have called twice already."
        )
        replies = await chat.replies(3)
        assert text(replies[2]).count("?") == 1

        await chat.say("I would like the parcel to arrive this week.")
        assert "name" in text((await chat.replies(5))[4])
        await chat.say("John Smith")
        assert "email" in text((await chat.replies(6))[5])
        await chat.say("john@example.com")
        summary = (await chat.replies(7))[6]
        assert "5512345" in text(summary)
        assert buttons(summary) == [("Yes", "choice:yes"), ("No", "choice:no")]

        # Typed instead of pressed: the same answer, and the keyboard still goes.
        await chat.say("Yes, that's right.")
        agreement, closing = (await chat.replies(9))[7:9]
        assert "17:00" in text(agreement)
        assert "?" not in text(closing)

        history = {
            item["messageId"]: item["message"] for item in await chat.history() if "message" in item
        }
        assert not (history[summary["messageId"]].get("reply_markup") or {}).get("inline_keyboard")

    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case))).all()
    assert [(case.status, case.language) for case in cases] == [("handed_off", "en")]
