"""Signed, expiring links to answer a follow-up question on a web page instead of by reply:
the survey and the execution check. A link names its step; it is used once because an
answered step is answered (the page then says so), and nobody can make one up or stretch
its end without the key."""

from __future__ import annotations

from datetime import datetime, timedelta

from common.expiring_tokens import ExpiringTokens

PATH = "/survey/"
_SALT = "klachtbot.followup.link"


class SurveyLinks:
    def __init__(self, *, base_url: str, secret_key: bytes, valid: timedelta) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = ExpiringTokens(secret_key, salt=_SALT, valid=valid, kind=int)

    def link(self, step_id: int, *, sent_at: datetime) -> str:
        return f"{self._base}{PATH}{self._tokens.make(step_id, now=sent_at)}"

    def step_of(self, token: str, *, now: datetime) -> int | None:
        """The step a link names, or None when it was made up, changed or has expired."""
        return self._tokens.read(token, now=now)
