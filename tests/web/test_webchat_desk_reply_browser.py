"""A handler's reply from the desk reaches the customer's open chat page live: two browsers,
the customer in `/chat`, the handler in the desk; the page is never reloaded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from channels.webchat.channel import WebChatChannel
from storage.db import transaction
from storage.models import Case, Message
from tests.web.conftest import keep_screenshot
from tests.web.support import RunningDesk, running_desk
from tests.web.test_desk_browser import log_in
from tests.web.test_webchat import ANSWERED_WITHIN_MS, say

REPLY = "Morgen tussen 8:00 en 12:00 komt de monteur van de liftfirma."


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    async with running_desk(
        database_url, channels=[WebChatChannel()], sections={"dialogue": {"pause_seconds": 0.5}}
    ) as running:
        yield running


async def case_of_the_chat(desk: RunningDesk) -> Case:
    async with transaction(desk.app.sessions) as session:
        said = (
            await session.exec(
                select(Message).where(Message.channel == "webchat", Message.direction == "in")
            )
        ).first()
        assert said is not None
        assert said.case_id is not None
        case = await session.get(Case, said.case_id)
    assert case is not None
    return case


async def test_the_handlers_reply_appears_in_the_open_chat_without_a_reload(
    page: Page, browser: Browser, desk: RunningDesk
) -> None:
    await page.goto(f"{desk.url}/chat")
    await say(page, "De lift in ons gebouw is al twee weken kapot en niemand komt hem maken.")
    conversation = page.locator("#conversation")
    await expect(conversation.locator(".from-bot").first).to_be_visible(timeout=ANSWERED_WITHIN_MS)
    await desk.app.settle()
    case = await case_of_the_chat(desk)
    # Set on the page now: a reload would lose it.
    await page.evaluate("window.notReloaded = true")

    handler = await browser.new_context(locale="nl-NL")
    try:
        desk_page = await handler.new_page()
        await log_in(desk_page, desk, "Sanne")
        await desk_page.goto(f"{desk.url}/cases/{case.number}")
        await expect(desk_page.locator(".conversation")).to_contain_text("twee weken kapot")
        actions = desk_page.locator("section.actions")
        await actions.get_by_role("button", name="Oppakken").click()
        await expect(actions.get_by_role("button", name="Oppakken")).to_have_count(0)
        await actions.get_by_label("Antwoord aan de klant").fill(REPLY)
        await actions.get_by_role("button", name="Versturen").click()
        await expect(desk_page.locator(".conversation")).to_contain_text(REPLY)
    finally:
        await handler.close()

    reply = conversation.locator(".from-bot", has_text=REPLY)
    await expect(reply).to_have_count(1, timeout=ANSWERED_WITHIN_MS)
    assert await page.evaluate("window.notReloaded") is True
    await keep_screenshot(page, "webchat-desk-reply")
