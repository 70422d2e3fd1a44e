"""The web chat's "stuur mij een link": a signed, expiring link by mail that lets a chat
visitor carry on the same conversation on another device or browser. Opening it sets the
visitor's cookie there. Nobody can make one up or stretch its end without the key; whoever
holds the mail holds the conversation until then, so the link is short-lived ([webchat]
link_valid_hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from common.expiring_tokens import ExpiringTokens

PATH = "/chat/resume/"
_SALT = "klachtbot.webchat.resume"


class ResumeLinks:
    def __init__(self, *, base_url: str, secret_key: bytes, valid: timedelta) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = ExpiringTokens(secret_key, salt=_SALT, valid=valid, kind=str)

    @property
    def valid(self) -> timedelta:
        return self._tokens.valid

    def link(self, visitor: str, *, now: datetime, language: str) -> str:
        return f"{self._base}{PATH}{self._tokens.make(visitor, now=now)}?lang={language}"

    def visitor_of(self, token: str, *, now: datetime) -> str | None:
        """The visitor a link names, or None when it was made up, changed or has expired."""
        return self._tokens.read(token, now=now)
