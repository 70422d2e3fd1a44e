"""Webhook mode: the route Telegram POSTs updates to, served on the bot's one web server
next to the handler desk (`bot.web`), at the path of `telegram.webhook_url`.

Every call must carry the secret in `X-Telegram-Bot-Api-Secret-Token` (compared in constant
time); without it the call is refused with 403 before any of its body is read. A body over
`MAX_BODY` is refused with 413, as announced by Content-Length or as it arrives (chunked);
malformed HTTP (a Content-Length that is not a number) is answered 400 by the server. An
update is answered 200 only once it is stored: until then Telegram keeps it and sends it
again, and a repeat is recognised as stored.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from common.logs import log

SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1024 * 1024  # Telegram's updates are small; anything larger is not from Telegram

# Takes the update's JSON; returns once it is stored (raises if it could not be).
Receive = Callable[[dict[str, object]], Awaitable[None]]


class NotStored(Exception):
    """The update could not be taken in now (the bot is stopping); Telegram sends it again."""


def webhook_route(path: str, secret: str, receive: Receive) -> Route:
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, expected):
            log.warning("telegram.webhook_refused", reason="secret token missing or wrong")
            return Response(status_code=403)
        body = await _body(request)
        if body is None:
            log.warning("telegram.webhook_refused", reason="body too large", limit=MAX_BODY)
            return Response(status_code=413)
        try:
            update = json.loads(body)
        except ValueError:
            return Response(status_code=400)
        if not isinstance(update, dict):
            return Response(status_code=400)
        try:
            await receive(update)
        except NotStored:
            return Response(status_code=503)
        except Exception:
            # Not stored: Telegram will send it again. The traceback says where it failed;
            # the logs render it without local variables, so no token or secret in it.
            log.exception("telegram.webhook_update_failed")
            return Response(status_code=500)
        return Response(status_code=200)

    return Route(path, webhook, methods=["POST"])


async def _body(request: Request) -> bytes | None:
    """The request's body, or None once it proves larger than MAX_BODY."""
    announced = request.headers.get("content-length")
    if announced is not None and int(announced) > MAX_BODY:  # the server checked it is a number
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)
