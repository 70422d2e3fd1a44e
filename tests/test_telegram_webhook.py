"""Webhook mode, served by the bot itself (uvicorn, bot/web): the secret is checked on every
call before the body is read, an update is answered 200 only once it is stored, bad HTTP is
answered 400 and the server serves on, and the conversation runs as with polling. Over real
HTTP: httpx, and a raw socket for what httpx will not send."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import cast

import httpx
import pytest
from sqlmodel import select

from bot.runtime.telegram_wiring import telegram_channel
from bot.web.server import WebServer, web_app
from channels.base import InboundEvent, InboundMessage
from channels.telegram.webhook import MAX_BODY, Receive, webhook_route
from common.clock import utc_now
from storage.db import SessionFactory, transaction
from storage.models import Message
from tests.mail_lab.lab import free_ports
from tests.telegram_fake import FakeBotApi, customer_update
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

SECRET = "s3cret_Token-42"
ANNA = 4242
PATH = "/telegram/hook"
UPDATE = {"update_id": 1, "message": {"message_id": 1, "text": "Hallo"}}


@contextlib.asynccontextmanager
async def webhook_server(receive: Receive) -> AsyncIterator[int]:
    """The webhook route alone on the bot's web server; yields its port."""
    server = WebServer(web_app([webhook_route(PATH, SECRET, receive)]), host="127.0.0.1", port=0)
    await server.start()
    try:
        yield server.port
    finally:
        await server.stop()


def recorder() -> tuple[list[dict[str, object]], Receive]:
    received: list[dict[str, object]] = []

    async def receive(update: dict[str, object]) -> None:
        received.append(update)

    return received, receive


async def raw_call(port: int, request: bytes) -> bytes:
    """Sends `request` as it is and returns the status line of the answer: the answer must
    come without anything more being sent (no body follows the headers here)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        async with asyncio.timeout(10):
            return (await reader.readline()).strip()
    finally:
        writer.close()


def head(*, length: str, secret: str = SECRET) -> bytes:
    return (
        f"POST {PATH} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nX-Telegram-Bot-Api-Secret-Token: {secret}\r\n\r\n"
    ).encode()


def client(port: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=10,
    )


async def chunks(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


async def test_an_update_in_one_piece_or_chunked_is_taken_in() -> None:
    received, receive = recorder()
    async with webhook_server(receive) as port, client(port) as http:
        whole = await http.post(PATH, json=UPDATE)
        body = json.dumps({**UPDATE, "update_id": 2}).encode()
        chunked = await http.post(PATH, content=chunks([body[:10], body[10:25], body[25:]]))
    assert whole.status_code == 200
    assert chunked.request.headers["transfer-encoding"] == "chunked"
    assert chunked.status_code == 200
    assert received == [UPDATE, {**UPDATE, "update_id": 2}]


async def test_a_wrong_or_missing_secret_is_refused_before_the_body_is_read() -> None:
    received, receive = recorder()
    async with webhook_server(receive) as port:
        async with client(port) as http:
            wrong_secret = {"X-Telegram-Bot-Api-Secret-Token": "x"}
            wrong = await http.post(PATH, json=UPDATE, headers=wrong_secret)
            http.headers.pop("X-Telegram-Bot-Api-Secret-Token")
            missing = await http.post(PATH, json=UPDATE)
        # A body of 100,000 bytes announced and none sent: the answer comes all the same.
        unread = await raw_call(port, head(length="100000", secret="wrong"))
    assert (wrong.status_code, missing.status_code) == (403, 403)
    assert unread == b"HTTP/1.1 403 Forbidden"
    assert received == []


async def test_a_body_over_the_limit_is_refused_announced_or_chunked() -> None:
    received, receive = recorder()
    async with webhook_server(receive) as port:
        announced = await raw_call(port, head(length=str(MAX_BODY + 1)))
        async with client(port) as http:
            piece = b" " * 65536
            chunked = await http.post(PATH, content=chunks([piece] * (MAX_BODY // 65536 + 1)))
    assert announced == b"HTTP/1.1 413 Request Entity Too Large"
    assert chunked.status_code == 413
    assert received == []


async def test_malformed_requests_are_answered_400_and_the_server_serves_on() -> None:
    received, receive = recorder()
    async with webhook_server(receive) as port:
        bad_length = await raw_call(port, head(length="abc") + b"{}")
        async with client(port) as http:
            not_json = await http.post(PATH, content=b"{not json")
            not_an_object = await http.post(PATH, json=[UPDATE])
            wrong_method = await http.get(PATH)
            elsewhere = await http.post("/elsewhere", json=UPDATE)
            fine = await http.post(PATH, json=UPDATE)
    assert bad_length == b"HTTP/1.1 400 Bad Request"
    assert (not_json.status_code, not_an_object.status_code) == (400, 400)
    assert (wrong_method.status_code, elsewhere.status_code) == (405, 404)
    assert fine.status_code == 200
    assert received == [UPDATE]


async def _stored(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        rows = (await session.exec(select(Message).where(Message.direction == "in"))).all()
    return [row.external_id for row in rows]


async def test_webhook_calls_need_the_secret_and_are_answered_once_stored(
    database_url: str, sessions: SessionFactory
) -> None:
    port = free_ports(1)[0]
    async with FakeBotApi() as api:
        settings = telegram_settings(
            database_url,
            api.base_url,
            new_token(),
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
            webhook_secret=SECRET,
            web={"listen": f"127.0.0.1:{port}"},
        )
        async with RunningTelegramBot(settings):
            # One web server: the webhook is a route beside the desk's pages.
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                assert (await http.get("/healthz")).status_code == 200
                assert (await http.get("/login")).status_code == 200
            # Refused before the body is read (announced, never sent), and over the limit.
            unread = await raw_call(port, head(length="100000", secret="wrong"))
            assert unread == b"HTTP/1.1 403 Forbidden"
            too_large = await raw_call(port, head(length=str(MAX_BODY + 1)))
            assert too_large == b"HTTP/1.1 413 Request Entity Too Large"

            assert api.webhook["url"] == f"http://127.0.0.1:{port}/telegram/hook"
            assert api.webhook["secret_token"] == SECRET
            assert not [call for call in api.calls if call.method == "getUpdates"]

            story = customer_update(ANNA, 1, text="Mijn pakket is niet bezorgd, al twee weken.")
            assert await api.deliver_by_webhook(story, secret=None) == 403
            assert await api.deliver_by_webhook(story, secret="wrong") == 403
            assert await _stored(sessions) == []

            assert await api.deliver_by_webhook(story, secret=SECRET) == 200
            assert await _stored(sessions) == [f"{ANNA}:1"]  # stored before the 200
            # Telegram sends again when unsure; the repeat is recognised.
            assert await api.deliver_by_webhook(story, secret=SECRET) == 200
            assert await _stored(sessions) == [f"{ANNA}:1"]

            sent = await api.wait_sent(2)
            assert sent[1].params["text"].count("?") == 1
        # Stopping leaves the webhook set, so Telegram keeps what comes in meanwhile.
        assert api.webhook


async def test_a_port_in_use_fails_the_start_with_the_address() -> None:
    _, receive = recorder()
    async with webhook_server(receive) as port:
        app = web_app([webhook_route(PATH, SECRET, receive)])
        second = WebServer(app, host="127.0.0.1", port=port)
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            await second.start()


async def test_a_call_waiting_to_be_stored_when_the_bot_stops_is_answered_503() -> None:
    def no_storage() -> SessionFactory:
        raise AssertionError("webhook mode keeps no offset")

    port = free_ports(1)[0]
    async with FakeBotApi() as api:
        settings = telegram_settings(
            "sqlite+aiosqlite:///unused.db",
            api.base_url,
            new_token(),
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}{PATH}",
            webhook_secret=SECRET,
        )
        channel = telegram_channel(settings.telegram, sessions=no_storage, clock=utc_now)
        server = WebServer(web_app(channel.routes()), host="127.0.0.1", port=port)
        await server.start()
        await channel.start()
        events = cast(AsyncGenerator[InboundEvent, None], channel.inbound())
        try:
            story = customer_update(ANNA, 1, text="Mijn pakket is niet bezorgd.")
            call = asyncio.create_task(api.deliver_by_webhook(story, secret=SECRET))
            handed_in = await anext(events)  # not yet stored: the call waits
            assert isinstance(handed_in, InboundMessage)
            assert handed_in.external_id == f"{ANNA}:1"
            assert not call.done()
        finally:
            await channel.stop()
            await events.aclose()
            await server.stop()
        assert await call == 503  # Telegram sends it again later
