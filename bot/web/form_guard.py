"""Spam protection for the public complaint form, without any third party.

Three checks a person passes without noticing: a field hidden from people that scripts
fill in (the honeypot); a signed time the form was handed out, so a form sent within
seconds, or one days old, or one never handed out is refused; and a limit on forms per
client address an hour, kept in memory (one web server per bot; a restart only forgets).
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from itsdangerous import BadSignature, Signer

from common.clock import Clock

HONEYPOT = "website"
STARTED = "started"
WINDOW = timedelta(hours=1)
_SALT = "klachtbot.webform.started"


class FormGuard:
    def __init__(
        self,
        *,
        secret_key: bytes,
        clock: Clock,
        per_hour: int,
        min_seconds: float,
        max_hours: float,
    ) -> None:
        # The time is the bot's clock, signed as a value (not the signer's own timestamp).
        self._signer = Signer(secret_key, salt=_SALT)
        self._clock = clock
        self._per_hour = per_hour
        self._min = timedelta(seconds=min_seconds)
        self._max = timedelta(hours=max_hours)
        self._sent: dict[str, deque[float]] = {}

    def started(self) -> str:
        """The value of the hidden `started` field of a form handed out now."""
        return self._signer.sign(str(self._clock().timestamp())).decode()

    def refusal(self, *, started: str, honeypot: str) -> str | None:
        """Why a sent form looks like a script's ("honeypot", "too_fast", "expired",
        "forged"), or None for a person's."""
        if honeypot:
            return "honeypot"
        try:
            took = self._clock().timestamp() - float(self._signer.unsign(started))
        except (BadSignature, ValueError):
            return "forged"
        if took > self._max.total_seconds():
            return "expired"
        return "too_fast" if took < self._min.total_seconds() else None

    def allow(self, client: str) -> bool:
        """Counts a form from `client`; False once it sent `per_hour` within the hour."""
        now = self._clock().timestamp()
        sent = self._sent.setdefault(client, deque())
        while sent and sent[0] <= now - WINDOW.total_seconds():
            sent.popleft()
        if len(sent) >= self._per_hour:
            return False
        sent.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [c for c, s in self._sent.items() if not s or s[-1] <= now - WINDOW.total_seconds()]
        for client in idle:
            del self._sent[client]
