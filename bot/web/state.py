"""What every page of the desk shares: storage, logins, the change feed, how pages render."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import HTMLResponse

from bot.followups.followups import FollowUps
from bot.handlers.handler_group import Relay
from bot.web.events import ChangeFeed
from bot.web.sessions import Sessions, Visitor
from bot.web.throttle import LoginThrottle
from common.clock import Clock
from common.templates import environment, template
from storage.db import SessionFactory


@dataclass(frozen=True)
class DeskState:
    db: SessionFactory
    # For pages that only read: on SQLite a connection of the desk's own (bot/web/desk.py).
    reads: SessionFactory
    logins: Sessions
    throttle: LoginThrottle
    feed: ChangeFeed
    clock: Clock
    organisation: str
    language: str
    tz: ZoneInfo
    # The bot's own parts the actions go through: the steps after resolution, the road of a
    # handler's reply to the customer, and a nudge for the outbox to send it now.
    followups: FollowUps
    relay: Relay
    wake_dispatcher: Callable[[], None]
    # Erasure keeps a keyed hash of what it erases ([privacy] hash_key; None: not set, and
    # the desk refuses to erase, as the CLI does).
    privacy_key: bytes | None
    # Handlers who read the desk in another language than the organisation's, by name.
    handler_languages: Mapping[str, str] = field(default_factory=dict)

    def language_of(self, visitor: Visitor | None) -> str:
        """The desk's language for this visitor: their own, else the organisation's."""
        if visitor is None:
            return self.language
        return self.handler_languages.get(visitor.name, self.language)

    def render(
        self,
        name: str,
        *,
        visitor: Visitor | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        language = self.language_of(visitor)
        words = environment().get_template(f"web/{language}/words.html.j2").module
        html = template(f"web/{name}.html.j2").render(
            w=words, visitor=visitor, organisation=self.organisation, **context
        )
        # Pages carry a CSRF token and personal data: no shared or browser cache keeps them.
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})
