"""The chat widget as a customer meets it: one <script> on a page of the organisation's own
site (here: another origin than the bot's) puts a button on the page; the chat opens in a
panel; a whole complaint is told in Dutch, a choice is pressed, a photo added; reloading the
site's page carries on with what was said. Markup a customer types stays text. A site that
is not allowed cannot frame the chat. A "send me a link" mail opens the same conversation
in another browser.

The host page and the bot are both on 127.0.0.1, on different ports: two origins, but one
site (a site ignores the port). Over plain http the visitor cookie is SameSite=Lax, which a
browser sends to a frame of the same site only; over https it is SameSite=None; Secure and
also works in another site's frame (see bot/web/chat.py, set_visitor_cookie)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, FilePayload, FrameLocator, Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.web.server import WebServer, web_app
from channels.webchat.channel import WebChatChannel
from storage.db import transaction
from storage.models import Attachment, Message
from tests.support import RecordingChannel, eventually
from tests.web.conftest import keep_screenshot
from tests.web.support import RunningDesk, running_desk

# The bot's answer comes after the dialogue's pause and a send; this long fails the test.
ANSWERED_WITHIN_MS = 15_000
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4YGAARAwQCgAhzgSBU+xT6wAAAABJRU5ErkJggg=="
)
# A complaint, not an emergency: ill children in an ice-cold home without heating would get the
# emergency route (the understanding reads each sentence of a message this long on its own).
STORY = (
    "Mijn naam is Anna de Vries. Sinds maandag 30 november doet de verwarming in mijn woning"
    " aan de Dorpsstraat 12 in Utrecht het niet meer. We zitten met truien aan tafel."
    " De monteur zou vrijdag komen maar kwam niet opdagen."
)
MAX_PHOTO = 100 * 1024
MARKUP = '<img src="x" onerror="window.hacked = 1"><b>vet</b>'


@dataclass
class Site:
    """The organisation's own website: a page with the widget's script tag on it."""

    server: WebServer
    bot_url: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


@asynccontextmanager
async def website(*, framed: bool = False) -> AsyncIterator[Site]:
    """`framed`: the page frames /chat itself instead of using the widget."""

    async def home(request: Request) -> HTMLResponse:
        chat = (
            f'<iframe id="chat" title="chat" src="{hosted.bot_url}/chat"></iframe>'
            if framed
            else f'<script src="{hosted.bot_url}/widget.js"></script>'
        )
        return HTMLResponse(
            f'<!doctype html><html lang="nl"><head><title>Woonstichting</title></head>'
            f"<body><h1>Woonstichting De Linde</h1>{chat}</body></html>"
        )

    hosted = Site(WebServer(web_app([Route("/", home)]), host="127.0.0.1", port=0))
    await hosted.server.start()
    try:
        yield hosted
    finally:
        await hosted.server.stop()


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with website() as running:
        yield running


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine, site: Site) -> AsyncIterator[RunningDesk]:
    async with running_desk(
        database_url,
        channels=[WebChatChannel(), RecordingChannel(name="email")],
        sections={
            "dialogue": {"pause_seconds": 0.5},
            "webchat": {"allowed_origins": [site.url], "max_photo_bytes": MAX_PHOTO},
            "calendar": {"quiet_hours": ""},
        },
        public_url="http://klachten.example",
    ) as running:
        site.bot_url = running.url
        yield running


async def open_chat(page: Page) -> FrameLocator:
    button = page.get_by_role("button", name="Chat met ons")
    await expect(button).to_have_attribute("aria-controls", "klachtbot-chat-panel")
    await button.click()
    await expect(button).to_have_attribute("aria-expanded", "true")
    return page.frame_locator("iframe.klachtbot-chat-panel")


async def say(chat: FrameLocator, text: str) -> None:
    await chat.get_by_label("Uw bericht").fill(text)
    await chat.get_by_role("button", name="Versturen").click()


async def answered(chat: FrameLocator, count: int) -> None:
    """Waits until the bot has said `count` things."""
    await expect(chat.locator(".from-bot")).to_have_count(count, timeout=ANSWERED_WITHIN_MS)


async def test_a_customer_tells_a_complaint_in_the_widget_and_carries_on_after_a_reload(
    page: Page, desk: RunningDesk, site: Site
) -> None:
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    await page.goto(site.url)
    chat = await open_chat(page)
    # A keyboard or screen reader user lands in the text box, and hears what is added.
    await expect(chat.locator("#text")).to_be_focused()
    conversation = chat.locator("#conversation")
    await expect(conversation).to_have_attribute("aria-live", "polite")
    await expect(chat.get_by_label("Foto toevoegen")).to_have_attribute("type", "file")
    await expect(page.locator("iframe.klachtbot-chat-panel")).to_have_attribute(
        "title", "Chat met ons"
    )

    await say(chat, STORY)
    await answered(chat, 2)  # an acknowledgement and the first question
    await say(chat, "Ik wil dat er morgen een monteur komt.")
    await answered(chat, 3)
    await say(chat, "06-12345678")
    # The summary, with its question as buttons.
    yes = chat.get_by_role("button", name="Ja")
    await expect(yes).to_be_visible(timeout=ANSWERED_WITHIN_MS)
    await yes.click()
    await expect(yes).to_be_disabled()
    await expect(conversation.locator(".from-bot").last).to_contain_text(
        "K-2026-", timeout=ANSWERED_WITHIN_MS
    )

    await chat.get_by_label("Foto toevoegen").set_input_files(
        files=FilePayload(name="verwarming.png", mimeType="image/png", buffer=PNG)
    )
    await expect(conversation.locator(".photo-added")).to_have_text(
        "Foto toegevoegd: verwarming.png"
    )
    await chat.get_by_label("Foto toevoegen").set_input_files(
        files=FilePayload(name="foto.jpg", mimeType="image/jpeg", buffer=b"#!/bin/sh\nrm -rf /")
    )
    problem = chat.locator("#problem")
    await expect(problem).to_have_attribute("role", "alert")
    await expect(problem).to_contain_text("kunnen wij niet aannemen")
    # Over the limit: said at once, without an upload that would be refused.
    await chat.get_by_label("Foto toevoegen").set_input_files(
        files=FilePayload(name="groot.png", mimeType="image/png", buffer=PNG + bytes(MAX_PHOTO))
    )
    await expect(problem).to_have_text("Deze foto is te groot. Een foto mag hoogstens 0,1 MB zijn.")

    await say(chat, MARKUP)
    await expect(conversation.locator(".from-customer").last).to_have_text(f"U{MARKUP}")
    await expect(conversation.locator("img, b")).to_have_count(0)
    await keep_screenshot(page, "webchat-widget")
    said = await conversation.locator(".from-customer").count()

    await page.reload()
    chat = await open_chat(page)
    conversation = chat.locator("#conversation")
    await expect(conversation.locator(".from-customer")).to_have_count(said)
    await expect(conversation.locator(".from-customer").first).to_contain_text("verwarming")
    await expect(conversation.locator(".photo-added")).to_have_count(1)
    await say(chat, "Vandaag is het nog steeds koud.")
    await expect(conversation.locator(".from-customer")).to_have_count(said + 1)

    assert await page.evaluate("window.hacked") is None
    await desk.app.settle()
    async with transaction(desk.app.sessions) as session:
        messages = (
            await session.exec(
                select(Message).where(Message.channel == "webchat", Message.direction == "in")
            )
        ).all()
        photos = (await session.exec(select(Attachment))).all()
    assert len({m.case_id for m in messages}) == 1  # one visitor, one case, after the reload
    assert messages[0].case_id is not None
    assert [(p.kind, p.content_type) for p in photos] == [("photo", "image/png")]
    assert not [text for text in complaints if "Content Security Policy" in text], complaints


async def test_a_site_that_is_not_allowed_cannot_frame_the_chat(
    page: Page, desk: RunningDesk
) -> None:
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    async with website(framed=True) as other:  # another port: an origin not allowed
        other.bot_url = desk.url
        await page.goto(other.url)
        frame = page.frame_locator("#chat")
        await expect(page.locator("#chat")).to_be_attached()

        async def refused() -> bool:
            return any("frame-ancestors" in text for text in blocked)

        await eventually(refused, within=10)
        await expect(frame.locator("#conversation")).to_have_count(0)
        chat_frames = [f for f in page.frames if f.url.startswith(desk.url)]
        assert not chat_frames


async def test_a_link_by_mail_opens_the_same_conversation_in_another_browser(
    page: Page, browser: Browser, desk: RunningDesk, site: Site
) -> None:
    await page.goto(site.url)
    chat = await open_chat(page)
    await say(chat, STORY)
    await expect(chat.locator(".from-bot").first).to_be_visible(timeout=ANSWERED_WITHIN_MS)
    await chat.get_by_text("Stuur mij een link").click()
    await chat.get_by_label("Uw e-mailadres").fill("anna@example.nl")
    await chat.get_by_role("button", name="Link sturen").click()
    await expect(chat.locator("#connection")).to_have_text("De link is onderweg naar uw mailbox.")
    mail = desk.app.channels["email"]
    assert isinstance(mail, RecordingChannel)

    async def mailed() -> bool:
        return bool(mail.sent)

    await eventually(mailed, within=10)
    link = next(word for word in mail.sent[0].text.split() if "/chat/resume/" in word)
    path = urlsplit(link)

    elsewhere = await browser.new_context(locale="nl-NL")
    try:
        other = await elsewhere.new_page()
        await other.goto(f"{desk.url}{path.path}?{path.query}")
        assert urlsplit(other.url).path == "/chat"
        await expect(other.locator("#conversation .from-customer").first).to_contain_text(
            "verwarming"
        )
    finally:
        await elsewhere.close()
