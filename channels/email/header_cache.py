"""Parsed mail headers, remembered: reading mail with `policy.default` spends most of its
time parsing the same header values again. (Outgoing mail no longer goes through the
policies at all: see `mime_write`.)"""

from __future__ import annotations

import functools
from email.headerregistry import HeaderRegistry
from typing import Any

_REMEMBERED_HEADER_CHARS = 998  # RFC 5322's line limit


class _RememberingHeaderRegistry(HeaderRegistry):
    """The stdlib's modern policies parse a header each time it is read or set, and a mail
    asks for its Content-Type many times; the same values recur across mails too. Parsed
    headers are immutable, so one parse per distinct (name, value) serves them all."""

    def __call__(self, name: str, value: Any) -> Any:
        # Only plain text is remembered (not Address objects), and no huge header.
        if not isinstance(value, str) or len(value) > _REMEMBERED_HEADER_CHARS:
            return super().__call__(name, value)
        return self._remembered(name, value)

    def forget(self) -> None:
        """Start cold again (for measuring)."""
        self._remembered.cache_clear()

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one registry for the whole process
    def _remembered(self, name: str, value: str) -> Any:
        return super().__call__(name, value)


REMEMBERING_HEADERS = _RememberingHeaderRegistry()
