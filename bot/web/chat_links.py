"""The web chat's "stuur mij een link": a signed, expiring link by mail that lets a chat
visitor carry on the same conversation on another device or browser. Opening it sets the
visitor's cookie there. Nobody can make one up or stretch its end without the key; whoever
holds the mail holds the conversation until then, so the link is short-lived ([webchat]
link_valid_hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

PATH = "/chat/resume/"
_SALT = "klachtbot.webchat.resume"


class ResumeLinks:
    def __init__(self, *, base_url: str, secret_key: bytes, valid: timedelta) -> None:
        self._base = base_url.rstrip("/")
        self._signer = URLSafeSerializer(secret_key, salt=_SALT)
        self.valid = valid

    def link(self, visitor: str, *, now: datetime, language: str) -> str:
        until = int((now + self.valid).timestamp())
        return f"{self._base}{PATH}{self._signer.dumps([visitor, until])}?lang={language}"

    def visitor_of(self, token: str, *, now: datetime) -> str | None:
        """The visitor a link names, or None when it was made up, changed or has expired."""
        try:
            visitor, until = self._signer.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(visitor, str) or not isinstance(until, int):
            return None
        return visitor if now.timestamp() <= until else None
