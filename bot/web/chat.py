"""The web chat's pages: `/widget.js` (a chat button and panel for any page of an allowed
site), `/chat` (the chat, in the panel's frame or as a page of its own) and its WebSocket
`/chat/ws`.

A visitor is known by a signed random id in a cookie of the chat's own address: reloading
the page, or coming back later, continues the same conversation. On every (re)connect the
page is sent what it has not seen yet, from storage, so nothing sent meanwhile is lost.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, Signer
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.web.headers import framed_policy
from bot.web.state import DeskState
from channels.base import InboundMessage
from channels.webchat.channel import WebChatChannel, bot_line, customer_line
from common.logs import log
from common.templates import environment, template
from storage import repo, webchat
from storage.db import transaction
from storage.models import OutboxRow

VISITOR_COOKIE = "klachtbot_chat"
VISITOR_LIFETIME = timedelta(days=90)
# A visitor may send this many messages a minute per connection; more closes it.
PER_MINUTE = 30
WIDGET = __file__.rsplit("/", 1)[0] + "/static/widget.js"


def routes(
    state: DeskState,
    channel: WebChatChannel,
    *,
    key: bytes,
    allowed_origins: list[str],
    max_chars: int,
    secure: bool,
) -> list[BaseRoute]:
    signer = Signer(key, salt="klachtbot.webchat.visitor")
    policy = framed_policy(allowed_origins)

    def visitor_of(cookies: dict[str, str]) -> str | None:
        try:
            return signer.unsign(cookies.get(VISITOR_COOKIE, "")).decode()
        except BadSignature:
            return None

    async def chat_page(request: Request) -> Response:
        language = "en" if request.query_params.get("lang") == "en" else state.language
        words = environment().get_template(f"web/{language}/chat_words.html.j2").module
        html = template("web/chat.html.j2").render(w=words, organisation=state.organisation)
        response = HTMLResponse(
            html, headers={"Cache-Control": "no-store", "Content-Security-Policy": policy}
        )
        if visitor_of(request.cookies) is None:
            visitor = signer.sign(secrets.token_urlsafe(16)).decode()
            # In another site's frame the cookie is a third-party one: SameSite=None needs
            # Secure (https); over plain http only the chat's own page keeps it.
            response.set_cookie(
                VISITOR_COOKIE,
                visitor,
                max_age=int(VISITOR_LIFETIME.total_seconds()),
                path="/",
                httponly=True,
                secure=secure,
                samesite="none" if secure else "lax",
            )
        return response

    async def widget(request: Request) -> Response:
        return FileResponse(WIDGET, media_type="text/javascript")

    async def connection(socket: WebSocket) -> None:
        visitor = visitor_of(socket.cookies)
        if visitor is None or not _same_origin(socket):
            await socket.close(code=4403)
            return
        await socket.accept()
        page = channel.open_page(visitor)
        try:
            seen = _int(socket.query_params.get("since"))
            await _replay(socket, visitor, seen)
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(_forward(socket, page))
                await _listen(socket, visitor)
                raise _Closed
        except* (_Closed, WebSocketDisconnect):
            log.info("webchat.page_closed")  # the visitor left or the page closed: normal
        finally:
            channel.close_page(visitor, page)

    async def _replay(socket: WebSocket, visitor: str, seen: int) -> None:
        async with transaction(state.db) as session:
            said = (
                []
                if seen
                else await webchat.customer_messages(session, channel=channel.name, sender=visitor)
            )
            sent = await webchat.sent_since(
                session, channel=channel.name, recipient=visitor, after_id=seen
            )
        lines: list[tuple[Any, dict[str, Any]]] = [
            (m.created_at, customer_line(m.id or 0, m.text)) for m in said
        ]
        lines += [(row.created_at, _sent_line(row)) for row in sent]
        for _, line in sorted(lines, key=lambda pair: pair[0]):
            await socket.send_text(json.dumps(line))

    async def _forward(socket: WebSocket, page: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            await socket.send_text(json.dumps(await page.get()))

    async def _listen(socket: WebSocket, visitor: str) -> None:
        sent: list[float] = []
        loop = asyncio.get_running_loop()
        while True:
            raw = await socket.receive_text()
            now = loop.time()
            sent[:] = [at for at in sent if at > now - 60]
            if len(sent) >= PER_MINUTE or len(raw) > max_chars * 2 + 200:
                log.warning("webchat.closed", reason="too_much", visitor=visitor[:6])
                await socket.close(code=4429)
                return
            sent.append(now)
            said = _said(raw, max_chars)
            if said is None:
                continue
            text, kind = said
            message = InboundMessage(
                channel=channel.name,
                external_id=uuid.uuid4().hex,
                sender=visitor,
                text=text,
                kind=kind,
                received_at=state.clock(),
            )
            await channel.say(message)
            async with transaction(state.db) as session:
                stored = await _stored_id(session, channel.name, message.external_id)
            await socket.send_text(json.dumps(customer_line(stored, text)))

    return [
        Route("/chat", chat_page, methods=["GET"]),
        Route("/widget.js", widget, methods=["GET"]),
        WebSocketRoute("/chat/ws", connection),
    ]


class _Closed(Exception):
    """The visitor's side of the connection ended."""


def _sent_line(row: OutboxRow) -> dict[str, Any]:
    return bot_line(row.id or 0, row.body, row.meta)


async def _stored_id(session: AsyncSession, channel: str, external_id: str) -> int:
    message = await repo.message_by_external_id(session, channel=channel, external_id=external_id)
    return message.id if message is not None and message.id is not None else 0


def _said(raw: str, max_chars: int) -> tuple[str, str] | None:
    """(text, kind) of what the page sent: typed text, or a pressed button's choice."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(choice := data.get("choice"), str) and choice:
        return choice[:100], "choice"
    text = data.get("text")
    if isinstance(text, str) and text.strip():
        return text.strip()[:max_chars], "text"
    return None


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _same_origin(socket: WebSocket) -> bool:
    """Only the chat's own page (served from here) may open the socket."""
    origin = socket.headers.get("origin", "")
    return bool(origin) and urlsplit(origin).netloc == socket.headers.get("host")
