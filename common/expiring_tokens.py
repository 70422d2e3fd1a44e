"""Signed values that stop working after a while, for links sent by mail: nobody can make
one up, change the value or stretch its end without the key (itsdangerous signs them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer

T = TypeVar("T")


class ExpiringTokens(Generic[T]):
    """Tokens for values of one type (`kind`), each valid for `valid` after it was made."""

    def __init__(self, secret_key: bytes, *, salt: str, valid: timedelta, kind: type[T]) -> None:
        self._signer = URLSafeSerializer(secret_key, salt=salt)
        self.valid = valid
        self._kind = kind

    def make(self, value: T, *, now: datetime) -> str:
        return str(self._signer.dumps([value, int((now + self.valid).timestamp())]))

    def read(self, token: str, *, now: datetime) -> T | None:
        """The value a token names, or None when it was made up, changed or has expired."""
        try:
            value, until = self._signer.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(value, self._kind) or not isinstance(until, int):
            return None
        return value if now.timestamp() <= until else None
