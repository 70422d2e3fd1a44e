"""Signed, expiring links to answer a follow-up question on a web page instead of by reply:
the survey and the execution check. A link names its step; it is used once because an
answered step is answered (the page then says so), and nobody can make one up or stretch
its end without the key."""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

PATH = "/survey/"
_SALT = "klachtbot.followup.link"


class SurveyLinks:
    def __init__(self, *, base_url: str, secret_key: bytes, valid: timedelta) -> None:
        self._base = base_url.rstrip("/")
        self._signer = URLSafeSerializer(secret_key, salt=_SALT)
        self._valid = valid

    def link(self, step_id: int, *, sent_at: datetime) -> str:
        until = int((sent_at + self._valid).timestamp())
        return f"{self._base}{PATH}{self._signer.dumps([step_id, until])}"

    def step_of(self, token: str, *, now: datetime) -> int | None:
        """The step a link names, or None when it was made up, changed or has expired."""
        try:
            step_id, until = self._signer.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(step_id, int) or not isinstance(until, int):
            return None
        return step_id if now.timestamp() <= until else None
