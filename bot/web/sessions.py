"""Server-side login sessions for the desk.

The browser holds a random session id in an HttpOnly, SameSite=Strict cookie (Secure when the
desk's public URL is https). The database holds only its HMAC under `[web] secret_key`, with
the handler it belongs to and the session's CSRF token. Every request looks the session up
together with its handler, so a handler who is no longer configured is logged out at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from common.clock import Clock
from storage import desk
from storage import handlers as roles
from storage.db import SessionFactory, transaction
from storage.models import Handler

LIFETIME = timedelta(hours=12)
Role = Literal["handler", "coordinator"]


@dataclass(frozen=True)
class Visitor:
    """The handler behind a request."""

    handler_id: int
    name: str
    role: Role
    csrf_token: str
    away: bool = False  # as the handler was when the request came in

    @property
    def coordinator(self) -> bool:
        return self.role == "coordinator"


def desk_role(handler: Handler) -> Role | None:
    """What a handler may do on the desk; None: not any more (no longer configured)."""
    if handler.role == roles.FORMER:
        return None
    return "coordinator" if handler.role == roles.COORDINATOR else "handler"


class Sessions:
    def __init__(
        self,
        sessions: SessionFactory,
        *,
        secret_key: bytes,
        secure: bool,
        clock: Clock,
        reads: SessionFactory | None = None,
    ) -> None:
        """`reads`: where every request's lookup reads (see bot/web/desk.py); the bot's
        own `sessions` by default."""
        self._db = sessions
        self._reads = reads or sessions
        self._secret = secret_key
        self._clock = clock
        self.secure = secure
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for the
        # whole site and set by this host itself.
        self.cookie = "__Host-klachtbot" if secure else "klachtbot"

    def _key(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    async def open(self, handler: Handler, response: Response) -> None:
        assert handler.id is not None
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        async with transaction(self._db) as session:
            await desk.end_expired(session, now=now)
            await desk.open_session(
                session,
                key=self._key(session_id),
                handler_id=handler.id,
                csrf_token=secrets.token_urlsafe(32),
                now=now,
                expires_at=now + LIFETIME,
            )
        self.set_cookie(response, self.cookie, session_id, max_age=LIFETIME)

    async def visitor(self, request: Request) -> Visitor | None:
        session_id = request.cookies.get(self.cookie)
        if not session_id:
            return None
        async with transaction(self._reads) as session:
            found = await desk.session_with_handler(
                session, key=self._key(session_id), now=self._clock()
            )
        if found is None:
            return None
        row, handler = found
        role = desk_role(handler)
        if role is None:
            async with transaction(self._db) as session:
                await desk.end_sessions(session, handler_id=row.handler_id)
            return None
        return Visitor(
            handler_id=row.handler_id,
            name=handler.name,
            role=role,
            csrf_token=row.csrf_token,
            away=handler.away,
        )

    async def close(self, request: Request, response: Response) -> None:
        session_id = request.cookies.get(self.cookie)
        if session_id:
            async with transaction(self._db) as session:
                await desk.end_session(session, key=self._key(session_id))
        response.delete_cookie(
            self.cookie, path="/", secure=self.secure, httponly=True, samesite="strict"
        )

    def set_cookie(self, response: Response, name: str, value: str, *, max_age: timedelta) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(max_age.total_seconds()),
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )
