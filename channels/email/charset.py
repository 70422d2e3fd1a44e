"""Bytes to text for mail that lies about, or keeps quiet about, its charset.

Every function here returns text that can be stored as-is: no lone surrogates and no NUL
characters (PostgreSQL text columns refuse NUL, UTF-8 encoders refuse surrogates).
"""

from __future__ import annotations

import re

# Declared ISO-8859-1 is decoded as its superset cp1252: mailers that say Latin-1 routinely
# send Windows quotes and the euro sign in the 0x80-0x9F range.
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
}
# Undeclared 8-bit text is nearly always UTF-8 or Windows Latin; latin-1 cannot fail.
_FALLBACKS = ("utf-8", "cp1252")
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _try_decode(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    # A charset name comes from the sender: it may be unknown, not a text codec ("hex"),
    # or a codec that raises something odd on odd input (idna, punycode).
    except Exception:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset if it fits, else UTF-8, else cp1252, else Latin-1."""
    candidates: list[str] = []
    if charset:
        name = charset.strip().strip("\"'").lower()
        candidates.append(_SUPERSETS.get(name, name))
    candidates.extend(_FALLBACKS)
    for candidate in candidates:
        text = _try_decode(data, candidate)
        if text is not None:
            return clean_text(text)
    return clean_text(data.decode("latin-1"))


def _unescape_run(match: re.Match[str]) -> str:
    raw = bytes(ord(char) - 0xDC00 for char in match.group())
    return decode_bytes(raw)


def clean_text(text: str) -> str:
    """Turn surrogate-escaped raw bytes (how the stdlib parser keeps undeclared 8-bit data)
    back into characters, and drop what no storage layer accepts."""
    text = _ESCAPED_RUN.sub(_unescape_run, text)
    text = _SURROGATE.sub("\ufffd", text)
    return text.replace("\x00", "")
