"""The web chat: in a real browser a visitor tells a complaint, gets the bot's answer, reloads
and carries on in the same case; the chat may be framed only by allowed sites, and its
socket opened only by its own page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from channels.webchat.channel import WebChatChannel
from storage.db import transaction
from storage.models import Message
from tests.web.conftest import keep_screenshot
from tests.web.support import RunningDesk, running_desk

ALLOWED = "https://www.woonstichting.example"
# The bot's answer comes after the dialogue's pause and a send; this long fails the test.
ANSWERED_WITHIN_MS = 15_000


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    async with running_desk(
        database_url,
        channels=[WebChatChannel()],
        sections={"dialogue": {"pause_seconds": 0.5}, "webchat": {"allowed_origins": [ALLOWED]}},
    ) as running:
        yield running


async def say(page: Page, text: str) -> None:
    await page.get_by_label("Uw bericht").fill(text)
    await page.get_by_role("button", name="Versturen").click()


async def test_a_visitor_chats_reloads_and_carries_on_in_the_same_case(
    page: Page, desk: RunningDesk
) -> None:
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    await page.goto(f"{desk.url}/chat")
    await say(page, "De lift in ons gebouw is al twee weken kapot en niemand komt hem maken.")
    conversation = page.locator("#conversation")
    await expect(conversation.locator(".from-customer")).to_have_count(1)
    answer = conversation.locator(".from-bot").first
    await expect(answer).to_be_visible(timeout=ANSWERED_WITHIN_MS)
    answered = await conversation.locator(".from-bot").count()
    await keep_screenshot(page, "webchat")
    await page.reload()
    # The conversation so far is shown again, each line once.
    await expect(conversation.locator(".from-customer")).to_have_count(1)
    await expect(conversation.locator(".from-bot")).to_have_count(answered)
    await say(page, "Het is de lift van Dorpsstraat 1.")
    await expect(conversation.locator(".from-customer")).to_have_count(2)
    await desk.app.settle()
    async with transaction(desk.app.sessions) as session:
        said = (
            await session.exec(
                select(Message).where(Message.channel == "webchat", Message.direction == "in")
            )
        ).all()
    assert len(said) == 2
    assert len({m.sender for m in said}) == 1  # the same visitor after the reload
    assert len({m.case_id for m in said}) == 1
    assert said[0].case_id is not None
    assert not [text for text in complaints if "Content Security Policy" in text], complaints


async def test_only_allowed_sites_may_frame_the_chat(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        chat = await client.get("/chat")
        policy = chat.headers["content-security-policy"]
        assert f"frame-ancestors 'self' {ALLOWED}" in policy
        assert "x-frame-options" not in chat.headers
        assert "klachtbot_chat" in chat.cookies
        desk_page = await client.get("/login")
        assert "frame-ancestors 'none'" in desk_page.headers["content-security-policy"]
        widget = await client.get("/widget.js")
        assert widget.headers["content-type"].startswith("text/javascript")
        assert "access-control-allow-origin" not in widget.headers
