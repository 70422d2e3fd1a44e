"""The web chat's guards, over HTTP and a raw WebSocket: only the chat's own page may open
the socket or post a photo; one client address cannot open sockets or send messages without
end; a photo is taken only as what its bytes are, within the size limit; a "send me a link"
mail carries a link that makes another browser the same visitor; the cookie's flags fit
http and https."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from starlette.responses import Response

from bot.web.chat import VISITOR_COOKIE, set_visitor_cookie
from bot.web.chat_limits import AddressLimits
from bot.web.chat_links import ResumeLinks
from channels.webchat.channel import WebChatChannel
from channels.webchat.photos import image_type
from storage.db import transaction
from storage.models import Attachment, Case, Message, OutboxRow
from tests.support import RecordingChannel, SteppedClock, eventually
from tests.web.chat_socket import ChatSocket, Closed, Refused
from tests.web.support import PASSWORD, RunningDesk, running_desk
from tests.web.test_desk_http import log_in

ALLOWED = ["https://www.woonstichting.example", "https://huurders.woonstichting.example"]
# Over http: an https address would make the cookie Secure, which no browser sends over the
# plain http the test server speaks.
PUBLIC = "http://klachten.woonstichting.example"
OPEN_AT_ONCE = 3
MESSAGES_A_MINUTE = 5
MAX_PHOTO = 4096
# A real 2 by 2 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4YGAARAwQCgAhzgSBU+xT6wAAAABJRU5ErkJggg=="
)
SETTINGS = {
    "dialogue": {"pause_seconds": 0.5},
    "webchat": {
        "allowed_origins": ALLOWED,
        "open_per_address": OPEN_AT_ONCE,
        "messages_per_address_minute": MESSAGES_A_MINUTE,
        "max_photo_bytes": MAX_PHOTO,
    },
}


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    mail = RecordingChannel(name="email")
    async with running_desk(
        database_url,
        channels=[WebChatChannel(), mail],
        sections=SETTINGS,
        public_url=PUBLIC,
    ) as running:
        yield running


def mail_of(desk: RunningDesk) -> RecordingChannel:
    channel = desk.app.channels["email"]
    assert isinstance(channel, RecordingChannel)
    return channel


async def new_visitor(client: httpx.AsyncClient) -> str:
    """Opens the chat page as a new browser does: the signed visitor cookie comes with it."""
    client.cookies.clear()
    page = await client.get("/chat")
    assert page.status_code == 200
    return page.cookies[VISITOR_COOKIE]


async def own_socket(desk: RunningDesk, cookie: str, query: str = "") -> ChatSocket:
    return await ChatSocket.open(desk.desk.port, origin=desk.url, cookie=cookie, query=query)


async def test_the_socket_takes_only_the_chats_own_origin(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        cookie = await new_visitor(client)
    # Closed before accepting (code 4403): uvicorn turns that into an HTTP 403 handshake.
    for origin in [ALLOWED[0], "http://evil.example", None]:
        with pytest.raises(Refused) as refused:
            await ChatSocket.open(desk.desk.port, origin=origin, cookie=cookie)
        assert refused.value.status == 403, origin
    with pytest.raises(Refused):
        await ChatSocket.open(desk.desk.port, origin=desk.url, cookie="forged.cookie")
    socket = await own_socket(desk, cookie)
    await socket.close()


async def test_the_chat_may_be_framed_by_exactly_the_allowed_origins(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        chat = await client.get("/chat", headers={"Origin": "http://evil.example"})
        widget = await client.get("/widget.js", headers={"Origin": "http://evil.example"})
        photo = await client.post("/chat/photo", headers={"Origin": "http://evil.example"})
    directives = dict(
        part.strip().split(" ", 1) for part in chat.headers["content-security-policy"].split(";")
    )
    assert directives["frame-ancestors"].split() == ["'self'", *ALLOWED]
    assert "x-frame-options" not in chat.headers
    for response in (chat, widget, photo):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers
    assert photo.status_code == 403


async def test_the_chat_speaks_english_when_asked(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        english = await client.get("/chat?lang=en")
        dutch = await client.get("/chat")
    assert 'for="photo" class="photo">Add a photo<' in english.text
    assert ">Send me a link<" in english.text
    assert 'for="photo" class="photo">Foto toevoegen<' in dutch.text
    assert ">Stuur mij een link<" in dutch.text


async def test_one_address_cannot_hold_more_sockets_than_allowed(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        # Each socket its own visitor: the limit is the address's, not the visitor's.
        cookies = [await new_visitor(client) for _ in range(OPEN_AT_ONCE + 1)]
    sockets = [await own_socket(desk, cookie) for cookie in cookies[:OPEN_AT_ONCE]]
    with pytest.raises(Refused):
        await own_socket(desk, cookies[-1])
    await sockets.pop().close()

    async def room_again() -> bool:
        try:
            sockets.append(await own_socket(desk, cookies[-1]))
        except Refused:
            return False
        return True

    await eventually(room_again, within=10)
    for socket in sockets:
        await socket.close()


async def test_messages_are_counted_over_all_sockets_of_an_address(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        one, other = [await own_socket(desk, await new_visitor(client)) for _ in range(2)]
    # Each stays well within its own connection's limit; together they are over.
    for turn in range(MESSAGES_A_MINUTE):
        # A request the server answers at once, so the count is known before the next.
        socket = one if turn % 2 else other
        await socket.send({"link": "geen adres"})
        assert await next_notice(socket) == "link_not_an_address"
    await one.send({"text": "Nog een bericht."})
    with pytest.raises(Closed) as closed:
        await until_closed(one)
    assert closed.value.code == 4429
    await one.close()
    await other.close()


async def next_notice(socket: ChatSocket) -> str:
    """The next notice for the page; the bot's answers may come first."""
    while (line := await socket.receive())["from"] != "notice":
        assert line["from"] == "bot", line
    return str(line["notice"])


async def until_closed(socket: ChatSocket) -> None:
    while True:
        await socket.receive()


async def upload(
    client: httpx.AsyncClient, data: bytes, *, name: str, declared: str, origin: str
) -> httpx.Response:
    return await client.post(
        "/chat/photo", files={"photo": (name, data, declared)}, headers={"Origin": origin}
    )


async def test_a_photo_is_kept_as_what_its_bytes_are(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        cookie = await new_visitor(client)
        # Declared as text: the bytes say PNG, and PNG it is.
        added = await upload(
            client, PNG, name="C:\\foto's\\lekkage.txt", declared="text/plain", origin=desk.url
        )
        assert added.status_code == 200, added.text
        line = added.json()
        assert line["from"] == "customer"
        assert line["photo"] == "lekkage.txt"
        script = b"<script>alert(1)</script>"
        refused = await upload(
            client, script, name="foto.jpg", declared="image/jpeg", origin=desk.url
        )
        assert (refused.status_code, refused.json()) == (415, {"refused": "not_a_photo"})
        large = PNG + bytes(MAX_PHOTO)
        too_large = await upload(
            client, large, name="groot.png", declared="image/png", origin=desk.url
        )
        assert (too_large.status_code, too_large.json()) == (413, {"refused": "too_large"})
        # Far over: refused on its Content-Length, before the body is read.
        huge = await upload(
            client,
            PNG + bytes(100 * MAX_PHOTO),
            name="x.png",
            declared="image/png",
            origin=desk.url,
        )
        assert (huge.status_code, huge.json()) == (413, {"refused": "too_large"})
        foreign = await upload(client, PNG, name="a.png", declared="image/png", origin=ALLOWED[0])
        assert foreign.status_code == 403
    async with httpx.AsyncClient(base_url=desk.url) as stranger:
        no_cookie = await upload(stranger, PNG, name="a.png", declared="image/png", origin=desk.url)
        assert no_cookie.status_code == 403
    await desk.app.settle()
    async with transaction(desk.app.sessions) as session:
        kept = (await session.exec(select(Attachment))).all()
        message = await session.get(Message, kept[0].message_id)
        assert message is not None
        case = await session.get(Case, message.case_id)
    assert len(kept) == 1
    assert (kept[0].kind, kept[0].content_type, kept[0].data) == ("photo", "image/png", PNG)
    assert (message.kind, message.channel) == ("media", "webchat")
    assert case is not None
    # The handler sees it on the case page, as a photo sent by Telegram.
    async with httpx.AsyncClient(base_url=desk.url) as handler:
        assert (await log_in(handler, "Sanne", PASSWORD)).status_code == 303
        page = await handler.get(f"/cases/{case.number}")
    assert f'<img src="/cases/{case.number}/attachments/{kept[0].id}"' in page.text
    # Coming back, the page shows the photo among what the visitor said.
    socket = await own_socket(desk, cookie)
    assert (await socket.receive()).get("photo") == "lekkage.txt"
    await socket.close()


async def test_no_link_is_mailed_before_there_is_a_conversation(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as browser:
        cookie = await new_visitor(browser)
    socket = await own_socket(desk, cookie, query="lang=nl")
    await socket.send({"link": "anna@example.nl"})
    assert await next_notice(socket) == "link_too_early"
    await socket.close()
    async with transaction(desk.app.sessions) as session:
        assert (await session.exec(select(OutboxRow))).all() == []


async def test_a_link_by_mail_makes_another_browser_the_same_visitor(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as first:
        cookie = await new_visitor(first)
    socket = await own_socket(desk, cookie, query="lang=nl")
    await socket.send({"text": "De verwarming in mijn woning doet het al een week niet."})
    assert (await socket.receive())["from"] == "customer"
    await desk.app.settle()  # the bot has taken the story in: there is a case
    await socket.send({"link": "geen adres"})
    assert await next_notice(socket) == "link_not_an_address"
    await socket.send({"link": "Anna@Example.nl"})
    assert await next_notice(socket) == "link_sent"
    await socket.close()
    mail = mail_of(desk)

    async def mailed() -> bool:
        return bool(mail.sent)

    await eventually(mailed, within=10)
    sent = mail.sent[0]
    assert sent.recipient == "anna@example.nl"
    assert "Uw gesprek met" in sent.meta["subject"]
    link = next(word for word in sent.text.split() if word.startswith(PUBLIC))
    async with transaction(desk.app.sessions) as session:
        row = (await session.exec(select(OutboxRow).where(OutboxRow.channel == "email"))).one()
    assert row.template == "webchat_link"
    assert row.case_id is not None  # erased with the case, listed with it

    path = urlsplit(link)
    async with httpx.AsyncClient(base_url=desk.url) as elsewhere:
        opened = await elsewhere.get(f"{path.path}?{path.query}")
        assert opened.status_code == 303
        assert opened.headers["location"] == "/chat?lang=nl"
        resumed = opened.cookies[VISITOR_COOKIE]
    async with httpx.AsyncClient(base_url=desk.url) as stranger:
        tampered = await stranger.get(path.path[:-2] + "xx")
        assert tampered.status_code == 404
        assert "verlopen" in tampered.text
        # The chat page it shows works: the stranger is a new visitor, not Anna.
        assert tampered.cookies[VISITOR_COOKIE] != resumed
    socket = await own_socket(desk, resumed)
    assert "verwarming" in (await socket.receive())["text"]
    await socket.close()


def test_a_resume_link_expires_and_cannot_be_changed() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    links = ResumeLinks(base_url=PUBLIC, secret_key=b"k", valid=timedelta(hours=24))
    token = urlsplit(links.link("visitor-1", now=now, language="nl")).path.rsplit("/", 1)[1]
    assert links.visitor_of(token, now=now + timedelta(hours=23)) == "visitor-1"
    assert links.visitor_of(token, now=now + timedelta(hours=25)) is None
    other_key = ResumeLinks(base_url=PUBLIC, secret_key=b"x", valid=timedelta(hours=24))
    assert other_key.visitor_of(token, now=now) is None


def test_address_limits_count_per_address_and_forget_after_a_minute() -> None:
    clock = SteppedClock(datetime(2026, 12, 4, 12, tzinfo=UTC))
    limits = AddressLimits(clock=clock, open_at_once=2, opened_per_minute=3, messages_per_minute=2)
    assert limits.connect("1.2.3.4")
    assert limits.connect("1.2.3.4")
    assert not limits.connect("1.2.3.4")  # two open at once
    assert limits.connect("5.6.7.8")  # another address has its own count
    limits.disconnect("1.2.3.4")
    assert limits.connect("1.2.3.4")  # the third this minute
    limits.disconnect("1.2.3.4")
    assert not limits.connect("1.2.3.4")  # room, but three opened this minute
    assert limits.message("1.2.3.4")
    assert limits.message("1.2.3.4")
    assert not limits.message("1.2.3.4")
    clock.advance(seconds=61)
    assert limits.message("1.2.3.4")
    assert limits.connect("1.2.3.4")


def test_photos_are_known_by_their_bytes() -> None:
    assert image_type(PNG) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0" + bytes(10)) == "image/jpeg"
    assert image_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None
    assert image_type(b"GIF89a") is None
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None


@pytest.mark.parametrize(
    ("secure", "expected", "absent"),
    [
        (True, ["samesite=none", "secure", "httponly"], []),
        (False, ["samesite=lax", "httponly"], ["secure"]),
    ],
)
def test_the_visitor_cookie_fits_https_and_http(
    secure: bool, expected: list[str], absent: list[str]
) -> None:
    response = Response()
    set_visitor_cookie(response, "signed-id", secure=secure)
    flags = [part.strip().lower() for part in response.headers["set-cookie"].split(";")]
    assert flags[0] == f"{VISITOR_COOKIE}=signed-id"
    for flag in expected:
        assert flag in flags
    for flag in absent:
        assert flag not in flags
