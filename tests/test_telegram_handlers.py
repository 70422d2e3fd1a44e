"""Handlers in a Telegram group, end to end against the emulator: the handoff arrives with
"Oppakken" and "Toon zaak", a claim shows who has the case, /zaken and /zaak answer, a reply
to the case message reaches the customer and is recorded, a stranger is refused."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, Handler
from tests.support import eventually
from tests.telegram_lab import TelegramLab, UserChat
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

GROUP = -100_555
SANNE = 7001  # configured as handler "Sanne" in telegram_settings
STRANGER = 9999


def text(reply: dict[str, Any]) -> str:
    return str(reply["message"]["text"])


def buttons(reply: dict[str, Any]) -> list[tuple[str, str]]:
    markup = reply["message"].get("reply_markup") or {}
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]


async def complain_until_handoff(customer: UserChat) -> None:
    await customer.say(
        "Mijn bestelling 4471234 van 3 november is nog steeds niet geleverd, "
        "ik heb al twee keer gebeld."
    )
    await customer.replies(2)
    await customer.say("Dat het pakket deze week nog komt.")
    await customer.replies(3)
    await customer.say("Anna de Vries")
    await customer.replies(4)
    await customer.say("anna@example.nl")
    summary = (await customer.replies(5))[4]
    await customer.press(summary, "choice:yes")
    await customer.replies(7)  # the agreement and the closing: no mail here to offer


async def test_handlers_claim_look_up_and_answer_in_their_group(
    telegram_lab: TelegramLab, database_url: str, sessions: SessionFactory
) -> None:
    token = new_token()
    settings = telegram_settings(
        database_url,
        telegram_lab.base_url,
        token,
        handler_chat_id=GROUP,
        handler_user_ids=[SANNE],
    )
    customer = telegram_lab.chat(token, user_id=4242)
    sanne = telegram_lab.chat(token, user_id=SANNE, first_name="Sanne", group_id=GROUP)
    stranger = telegram_lab.chat(token, user_id=STRANGER, first_name="Piet", group_id=GROUP)
    async with RunningTelegramBot(settings):
        await complain_until_handoff(customer)
        handoff = (await sanne.replies(1))[0]
        async with transaction(sessions) as session:
            number = (await session.exec(select(Case.number))).one()
        assert number is not None
        assert number in text(handoff)
        assert "4471234" in text(handoff)
        assert buttons(handoff) == [
            ("Oppakken", f"claim:{number}"),
            ("Toon zaak", f"show:{number}"),
        ]

        # A stranger in the group can do nothing, and is told so.
        await stranger.press(handoff, f"claim:{number}")
        refused = (await sanne.replies(2))[1]
        assert "Alleen de behandelaars" in text(refused)

        await sanne.press(handoff, f"claim:{number}")
        edited = await _message(sanne, handoff["messageId"], containing="Opgepakt door Sanne")
        assert buttons({"message": edited}) == [("Toon zaak", f"show:{number}")]

        await sanne.press(handoff, f"show:{number}")
        shown_by_button = (await sanne.replies(3))[2]
        assert "4471234" in text(shown_by_button)
        assert "Sanne" in text(shown_by_button)  # the summary names who has the case now

        await sanne.command("/zaken")
        listing = (await sanne.replies(4))[3]
        assert number in text(listing)
        assert "Sanne" in text(listing)

        await sanne.command(f"/zaak {number.lower()}")
        shown = (await sanne.replies(5))[4]
        assert "4471234" in text(shown)

        await sanne.reply("Wij bezorgen uw pakket morgen tussen 9:00 en 12:00.", to=handoff)
        answer = await customer.reply_containing("morgen tussen 9:00 en 12:00")
        assert "Sanne" in text(answer)

    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        sanne_row = (await session.exec(select(Handler).where(Handler.name == "Sanne"))).one()
        audit = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))).all()
        agreements = (await session.exec(select(Agreement))).all()
    assert case.handler_id == sanne_row.id
    actions = [(event.actor, event.action) for event in audit]
    assert (f"telegram:{STRANGER}", "handler.refused") in actions
    assert ("Sanne", "handler.claimed") in actions
    assert ("Sanne", "handler.replied") in actions
    assert all(a.done_at is not None for a in agreements if a.what == "first_contact")


async def _message(chat: UserChat, message_id: int, *, containing: str) -> dict[str, Any]:
    """The bot's message as it stands now, once its text contains `containing`."""
    found: list[dict[str, Any]] = []

    async def edited() -> bool:
        for item in await chat.history():
            message = item.get("message") or {}
            if item.get("messageId") == message_id and containing in message.get("text", ""):
                found.append(message)
                return True
        return False

    await eventually(edited, within=10)
    return found[0]
