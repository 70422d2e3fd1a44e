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

from babel.numbers import format_decimal
from itsdangerous import BadSignature, Signer
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import Address, Headers, UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.config.settings import WebChatSettings
from bot.dialogue.answers import email_in
from bot.web.chat_limits import AddressLimits
from bot.web.chat_links import PATH, ResumeLinks
from bot.web.headers import framed_policy
from bot.web.state import DeskState
from channels.base import InboundMessage
from channels.webchat.channel import WebChatChannel, bot_line, customer_line
from channels.webchat.photos import image_type, photo
from common.logs import log
from common.templates import environment, render_message, template
from storage import outbox, repo, webchat
from storage.db import transaction
from storage.models import OutboxRow

VISITOR_COOKIE = "klachtbot_chat"
VISITOR_LIFETIME = timedelta(days=90)
# A visitor may send this many messages a minute per connection; more closes it.
PER_MINUTE = 30
# Room for the multipart framing around a photo of the largest size allowed.
MULTIPART_SLACK = 16 * 1024
WIDGET = __file__.rsplit("/", 1)[0] + "/static/widget.js"


def routes(
    state: DeskState,
    channel: WebChatChannel,
    *,
    key: bytes,
    settings: WebChatSettings,
    secure: bool,
    links: ResumeLinks | None = None,
    mail_to: str | None = None,
) -> list[BaseRoute]:
    """`links` and `mail_to` (the running mail channel): the "send me a link" option, offered
    only with both."""
    signer = Signer(key, salt="klachtbot.webchat.visitor")
    policy = framed_policy(settings.allowed_origins)
    max_chars = settings.max_chars
    limits = AddressLimits(
        clock=state.clock,
        open_at_once=settings.open_per_address,
        opened_per_minute=settings.opened_per_address_minute,
        messages_per_minute=settings.messages_per_address_minute,
    )
    mail_links = links if mail_to is not None else None

    def visitor_of(cookies: dict[str, str]) -> str | None:
        try:
            return signer.unsign(cookies.get(VISITOR_COOKIE, "")).decode()
        except BadSignature:
            return None

    def keep_visitor(response: Response, visitor: str) -> None:
        set_visitor_cookie(response, signer.sign(visitor).decode(), secure=secure)

    def chat_page(language: str, *, notice: str = "", status_code: int = 200) -> Response:
        words = environment().get_template(f"web/{language}/chat_words.html.j2").module
        html = template("web/chat.html.j2").render(
            w=words,
            organisation=state.organisation,
            notice=notice,
            max_chars=max_chars,
            max_photo_bytes=settings.max_photo_bytes,
            # "5" or "0,5": as people write the size in megabytes, in the page's language.
            max_photo_mb=format_decimal(
                round(settings.max_photo_bytes / 2**20, 1), locale=language
            ),
            offer_link=mail_links is not None,
        )
        return HTMLResponse(
            html,
            status_code=status_code,
            headers={"Cache-Control": "no-store", "Content-Security-Policy": policy},
        )

    def chat_for(request: Request, *, notice: str = "", status_code: int = 200) -> Response:
        """The chat page; a browser that is no visitor yet becomes a new one."""
        language = _language(request.query_params.get("lang"), state.language)
        response = chat_page(language, notice=notice, status_code=status_code)
        if visitor_of(request.cookies) is None:
            keep_visitor(response, secrets.token_urlsafe(16))
        return response

    async def show_chat(request: Request) -> Response:
        return chat_for(request)

    async def resume(request: Request) -> Response:
        """A "send me a link" link opened, perhaps on another device: this browser becomes
        the same visitor and the chat shows the conversation so far."""
        language = _language(request.query_params.get("lang"), state.language)
        visitor = (
            mail_links.visitor_of(request.path_params["token"], now=state.clock())
            if mail_links is not None
            else None
        )
        if visitor is None:
            log.info("webchat.link_refused")
            return chat_for(request, notice="link_invalid", status_code=404)
        response = RedirectResponse(f"/chat?lang={language}", status_code=303)
        response.headers["Cache-Control"] = "no-store"
        keep_visitor(response, visitor)
        log.info("webchat.link_opened", visitor=visitor[:6])
        return response

    async def widget(request: Request) -> Response:
        return FileResponse(WIDGET, media_type="text/javascript")

    async def add_photo(request: Request) -> Response:
        """A photo the visitor adds: over HTTP rather than the socket, so megabytes of
        binary need no base64 in a JSON text frame and do not hold up the conversation's
        socket; Starlette's multipart parser reads it. The visitor cookie says who; the
        Origin check (as the socket's) keeps other sites from posting in their name."""
        visitor = visitor_of(request.cookies)
        if visitor is None or not _same_origin(request.headers):
            return _refused("forbidden", 403)
        address = _address(request.client)
        if not limits.message(address):
            log.warning("webchat.refused", reason="address_limit", client=address)
            return _refused("too_many", 429)
        length = request.headers.get("content-length", "")
        if not length.isdigit() or int(length) > settings.max_photo_bytes + MULTIPART_SLACK:
            # Refused before reading: nobody makes us take in a body that large.
            return _refused("too_large", 413)
        form = await request.form(max_files=1, max_fields=1)
        try:
            upload = form.get("photo")
            if not isinstance(upload, UploadFile):
                return _refused("not_a_photo", 415)
            data = await upload.read(settings.max_photo_bytes + 1)
            file_name = upload.filename or ""
        finally:
            await form.close()
        if len(data) > settings.max_photo_bytes:
            return _refused("too_large", 413)
        kind = image_type(data)
        if kind is None:
            log.info("webchat.photo_refused", reason="not_a_photo", visitor=visitor[:6])
            return _refused("not_a_photo", 415)
        message = InboundMessage(
            channel=channel.name,
            external_id=uuid.uuid4().hex,
            sender=visitor,
            text="",
            kind="media",
            attachments=(photo(data, file_name=file_name, content_type=kind),),
            received_at=state.clock(),
        )
        await channel.say(message)
        async with transaction(state.db) as session:
            stored = await _stored_id(session, channel.name, message.external_id)
        line = customer_line(stored, "", photo=message.attachments[0].file_name or "")
        # Through the open pages too, so it is shown before the bot's thanks for it.
        channel.show(visitor, line)
        return JSONResponse(line)

    async def connection(socket: WebSocket) -> None:
        visitor = visitor_of(socket.cookies)
        if visitor is None or not _same_origin(socket.headers):
            await socket.close(code=4403)
            return
        address = _address(socket.client)
        if not limits.connect(address):
            log.warning("webchat.refused", reason="address_limit", client=address)
            await socket.close(code=4429)
            return
        try:
            await socket.accept()
            await _talk(socket, visitor, address)
        finally:
            limits.disconnect(address)

    async def _talk(socket: WebSocket, visitor: str, address: str) -> None:
        page = channel.open_page(visitor)
        try:
            seen = _int(socket.query_params.get("since"))
            await _replay(socket, visitor, seen)
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(_forward(socket, page))
                await _listen(socket, visitor, address)
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
            photos = await webchat.photo_names(
                session, message_ids=[m.id for m in said if m.kind == "media" and m.id]
            )
            sent = await webchat.sent_since(
                session, channel=channel.name, recipient=visitor, after_id=seen
            )
        lines: list[tuple[Any, dict[str, Any]]] = [
            (m.created_at, customer_line(m.id or 0, m.text, photo=photos.get(m.id or 0)))
            for m in said
        ]
        lines += [(row.created_at, _sent_line(row)) for row in sent]
        for _, line in sorted(lines, key=lambda pair: pair[0]):
            await socket.send_text(json.dumps(line))

    async def _forward(socket: WebSocket, page: asyncio.Queue[dict[str, Any]]) -> None:
        while True:
            await socket.send_text(json.dumps(await page.get()))

    async def _listen(socket: WebSocket, visitor: str, address: str) -> None:
        sent: list[float] = []
        loop = asyncio.get_running_loop()
        language = _language(socket.query_params.get("lang"), state.language)
        while True:
            raw = await socket.receive_text()
            now = loop.time()
            sent[:] = [at for at in sent if at > now - 60]
            if len(sent) >= PER_MINUTE or len(raw) > max_chars * 2 + 200:
                log.warning("webchat.closed", reason="too_much", visitor=visitor[:6])
                await socket.close(code=4429)
                return
            if not limits.message(address):
                log.warning("webchat.closed", reason="address_limit", client=address)
                await socket.close(code=4429)
                return
            sent.append(now)
            if (asked := _link_asked(raw)) is not None:
                notice = await _send_link(visitor, asked, language)
                await socket.send_text(json.dumps({"from": "notice", "notice": notice}))
                continue
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

    async def _send_link(visitor: str, given: str, language: str) -> str:
        """Queues the mail with a link to carry on elsewhere; the notice the page shows."""
        if mail_links is None or mail_to is None:
            return "link_unavailable"
        address = email_in(given)
        if address is None or address != given.strip().lower():
            return "link_not_an_address"
        now = state.clock()
        words = {
            "organisation": state.organisation,
            "link": mail_links.link(visitor, now=now, language=language),
            "valid_hours": round(mail_links.valid.total_seconds() / 3600),
        }
        async with transaction(state.db) as session:
            case_id = await webchat.case_of(session, channel=channel.name, sender=visitor)
            if case_id is None:
                # Nothing to carry on yet; and a mail with no case would escape an erasure.
                return "link_too_early"
            await outbox.enqueue(
                session,
                # Asked again within the hour: the mail already on its way is enough.
                idempotency_key=f"webchat:link:{visitor}:{address}:{int(now.timestamp()) // 3600}",
                case_id=case_id,
                channel=mail_to,
                recipient=address,
                template="webchat_link",
                body=render_message(language, "webchat_link", **words),
                meta={
                    "subject": render_message(language, "webchat_link_subject", **words),
                    "sender_name": state.organisation,
                },
                due_at=now,
                now=now,
            )
        state.wake_dispatcher()
        log.info("webchat.link_queued", visitor=visitor[:6])
        return "link_sent"

    return [
        Route("/chat", show_chat, methods=["GET"]),
        Route(PATH + "{token:str}", resume, methods=["GET"]),
        Route("/chat/photo", add_photo, methods=["POST"]),
        Route("/widget.js", widget, methods=["GET"]),
        WebSocketRoute("/chat/ws", connection),
    ]


def set_visitor_cookie(response: Response, signed: str, *, secure: bool) -> None:
    """In another site's frame the cookie is a third-party one: over https it is
    SameSite=None; Secure, so the framed chat still gets it (where the browser does not
    block third-party cookies: hence "send me a link"). Over plain http SameSite=None is not
    allowed, and Lax keeps it for the chat's own page and for frames on the same site."""
    response.set_cookie(
        VISITOR_COOKIE,
        signed,
        max_age=int(VISITOR_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
    )


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


def _language(asked: str | None, default: str) -> str:
    return asked if asked in ("nl", "en") else default


def _link_asked(raw: str) -> str | None:
    """The mail address of a "send me a link" request, if `raw` is one."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    given = data.get("link") if isinstance(data, dict) else None
    return given[:254] if isinstance(given, str) else None


def _refused(why: str, status_code: int) -> Response:
    return JSONResponse({"refused": why}, status_code=status_code)


def _address(client: Address | None) -> str:
    return client.host if client is not None else "?"


def _same_origin(headers: Headers) -> bool:
    """Only the chat's own page (served from here) may open the socket or post a photo: the
    browser's Origin must be this server's own address. Another site's page, even an
    allowed one that frames the chat, has its own origin and is refused."""
    origin = headers.get("origin", "")
    return bool(origin) and urlsplit(origin).netloc == headers.get("host")
