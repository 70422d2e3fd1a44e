"""The handler desk: one Starlette app on the bot's web server, started by `klachtbot run`
next to the channels and the dispatcher (bot.runtime.app.App with `serve_desk`).

Stopped first, with the channel readers (see the stop order in bot/runtime/app.py): open
live-update streams end, then uvicorn lets requests in flight finish (bot/web/server.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.config.settings import Settings
from bot.followups.followups import FollowUps
from bot.web import (
    actions,
    chat,
    complaint,
    health,
    improvements,
    login,
    metrics,
    pages,
    privacy,
    report,
    survey,
)
from bot.web.chat_links import ResumeLinks
from bot.web.events import ChangeFeed
from bot.web.form_guard import FormGuard
from bot.web.headers import SecurityHeaders
from bot.web.server import WebServer
from bot.web.sessions import Sessions
from bot.web.state import DeskState
from bot.web.throttle import LoginThrottle
from channels.base import Channel, ChannelStatus
from channels.registry import mail_channel
from channels.webchat.channel import WebChatChannel
from channels.webform.channel import WebFormChannel
from common.clock import Clock, utc_now
from common.logs import log
from common.problems import Problem, StartupFailure
from storage.db import SessionFactory, create_engine, session_factory
from storage.models import Case, Message

STATIC = __file__.rsplit("/", 1)[0] + "/static"


def desk_app(
    state: DeskState, statuses: health.Statuses, served: Sequence[BaseRoute] = ()
) -> Starlette:
    """`served`: routes matched before the desk's own: those of channels called over HTTP
    (Telegram's webhook) and the public pages customers open (complaint form, chat, surveys)."""
    return Starlette(
        routes=[
            *served,
            *health.routes(state, statuses),
            *metrics.routes(state),
            *login.routes(state),
            *pages.routes(state),
            *actions.routes(state),
            *report.routes(state),
            *improvements.routes(state),
            *privacy.routes(state),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(metrics.RequestTimer), Middleware(SecurityHeaders)],
    )


def _reading_engine(url: str) -> AsyncEngine | None:
    """SQLite: the bot's one connection is shared in turn (storage/db.py), so a page would
    wait behind every intake transaction queued for it. The desk's pages that only read get
    a connection of their own; WAL lets it read while the bot writes. None for PostgreSQL
    (the bot's pool serves both) and SQLite in memory (another connection would not see it)."""
    database = make_url(url)
    if database.get_backend_name() != "sqlite" or database.database in (None, "", ":memory:"):
        return None
    return create_engine(url)


class _Relays(Protocol):
    async def handler_replied(
        self, session: AsyncSession, case: Case, handler_name: str, message: Message, now: datetime
    ) -> None: ...


class _Wakes(Protocol):
    def wake(self) -> None: ...


class Bot(Protocol):
    """What the desk needs of the running bot (bot.runtime.app.App): its storage, the steps
    after resolution, the road of a handler's reply, and the dispatcher to nudge."""

    @property
    def sessions(self) -> SessionFactory: ...
    @property
    def followups(self) -> FollowUps: ...
    @property
    def intake(self) -> _Relays: ...
    @property
    def dispatcher(self) -> _Wakes: ...
    @property
    def channels(self) -> Mapping[str, Channel]: ...
    def status(self) -> Mapping[str, ChannelStatus]: ...


class Desk:
    """`async with Desk(settings, bot):` serves the desk on `[web] listen`, for a bot that
    has started (its storage is open)."""

    def __init__(
        self,
        settings: Settings,
        bot: Bot,
        *,
        clock: Clock = utc_now,
        routes: Sequence[BaseRoute] = (),
    ):
        sessions = bot.sessions
        web = settings.web
        key = web.secret_key.get_secret_value()
        if not key:
            log.warning("web.secret_key_missing", effect="handlers log in again after a restart")
            key = secrets.token_urlsafe(32)
        self._reading = _reading_engine(settings.database.url)
        reads = session_factory(self._reading) if self._reading else sessions
        self.feed = ChangeFeed(reads)
        self.state = DeskState(
            db=sessions,
            reads=reads,
            logins=Sessions(
                sessions,
                secret_key=key.encode(),
                secure=web.secure_cookies,
                clock=clock,
                reads=reads,
            ),
            throttle=LoginThrottle(clock),
            feed=self.feed,
            clock=clock,
            organisation=settings.organisation.name,
            language=settings.organisation.language,
            tz=settings.organisation.tz,
            followups=bot.followups,
            relay=bot.intake.handler_replied,
            wake_dispatcher=bot.dispatcher.wake,
            privacy_key=settings.privacy.hash_key_bytes,
            handler_languages={h.name: h.language for h in settings.handlers if h.language},
        )
        public: list[BaseRoute] = []
        form = next((c for c in bot.channels.values() if isinstance(c, WebFormChannel)), None)
        if form is not None:
            limits = settings.webform
            guard = FormGuard(
                secret_key=key.encode(),
                clock=clock,
                per_hour=limits.per_hour,
                min_seconds=limits.min_seconds,
                max_hours=limits.max_hours,
            )
            public += complaint.routes(self.state, form, guard, key.encode())
        talk = next((c for c in bot.channels.values() if isinstance(c, WebChatChannel)), None)
        if talk is not None:
            links = (
                ResumeLinks(
                    base_url=web.public_url,
                    secret_key=key.encode(),
                    valid=timedelta(hours=settings.webchat.link_valid_hours),
                )
                if web.public_url
                else None
            )
            mail_to = mail_channel()
            public += chat.routes(
                self.state,
                talk,
                key=key.encode(),
                settings=settings.webchat,
                secure=web.secure_cookies,
                links=links,
                mail_to=mail_to if mail_to in bot.channels else None,
            )
        if bot.followups.links is not None:
            public += survey.routes(self.state, bot.followups.links)
        host, _, port = web.listen.rpartition(":")
        app = desk_app(self.state, bot.status, [*routes, *public])
        self.server = WebServer(app, host=host or "127.0.0.1", port=int(port))

    @property
    def port(self) -> int:
        return self.server.port

    async def __aenter__(self) -> Desk:
        try:
            await self.server.start()
        except OSError as exc:
            problem = Problem("web.listen", exc.strerror or str(exc))
            raise StartupFailure(problem) from None
        self.feed.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Open live streams end, requests in flight finish (or are cancelled after
        bot/web/server.py's grace period); closing again does nothing."""
        await self.feed.close()
        await self.server.stop()
        if self._reading is not None:
            await self._reading.dispose()
            self._reading = None
