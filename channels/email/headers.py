"""Reading header values without trusting them.

Values are taken from the raw header lines and decoded here rather than through the
policy's header objects: those replace undeclared 8-bit bytes with U+FFFD, which loses a
Latin-1 subject for good, and some malformed values make them raise.
"""

from __future__ import annotations

import binascii
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from channels.email.charset import clean_text, decode_bytes

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t]*")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def raw_header(msg: Message, name: str) -> str | None:
    """The first value of `name` as it stood in the mail, unfolded; None when absent."""
    wanted = name.lower()
    try:
        for key, value in msg.raw_items():
            if key.lower() == wanted:
                return _FOLD.sub("", str(value)).strip()
    except Exception:
        return None
    return None


def _decode_word(charset: str, encoding: str, payload: str) -> bytes | None:
    data = payload.encode("ascii", "surrogateescape")
    try:
        if encoding in "qQ":
            return binascii.a2b_qp(data.replace(b"_", b" "), header=False)
        # Senders mis-pad base64 words, which costs nothing to repair; anything else
        # stays visible as the raw word rather than decoding to noise.
        data = data.rstrip(b"=")
        if _BASE64_JUNK.search(data) or len(data) % 4 == 1:
            return None
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded words to text. Adjacent words in one charset are joined as bytes
    before decoding, because mailers split multi-byte characters across words."""
    pieces: list[str | tuple[bytes, str]] = []
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[position : match.start()]
        previous = pieces[-1] if pieces else None
        charset = match.group(1).split("*", 1)[0]
        decoded = _decode_word(charset, match.group(2), match.group(3))
        # Whitespace between two encoded words is not text (RFC 2047 section 6.2).
        joinable = (
            decoded is not None
            and isinstance(previous, tuple)
            and _BETWEEN_WORDS.fullmatch(gap) is not None
        )
        if not joinable and gap:
            pieces.append(gap)
        if decoded is None:
            pieces.append(match.group())
        elif isinstance(previous, tuple) and joinable and previous[1] == charset.lower():
            pieces[-1] = (previous[0] + decoded, previous[1])
        else:
            pieces.append((decoded, charset.lower()))
        position = match.end()
    pieces.append(value[position:])
    text = "".join(
        piece if isinstance(piece, str) else decode_bytes(*piece) for piece in pieces
    )
    return clean_text(text)


def header_text(msg: Message, name: str) -> str | None:
    value = raw_header(msg, name)
    if value is None:
        return None
    return " ".join(decode_header_value(value).split())


def addresses(msg: Message, name: str) -> tuple[tuple[str, str], ...]:
    """(display name, lower-cased address) pairs; entries without an @ are dropped.

    Addresses are lower-cased so one customer is one sender whatever their mail client
    does with capitals."""
    result: list[tuple[str, str]] = []
    try:
        header = msg[name]
        found = () if header is None else getattr(header, "addresses", ())
        parsed = [(address.display_name, address.addr_spec) for address in found]
    except Exception:
        value = raw_header(msg, name)
        parsed = [] if value is None else getaddresses([decode_header_value(value)])
    for display, spec in parsed:
        address = clean_text(spec).strip().strip("<>").lower()
        if "@" in address and not any(char.isspace() for char in address):
            result.append((" ".join(clean_text(display).split()), address))
    return tuple(result)


def message_ids(msg: Message, name: str) -> tuple[str, ...]:
    """All `<id>` tokens in a header, in order, without repeats. A bare id without angle
    brackets (seen from some mailers) is wrapped so ids compare equal across mails."""
    value = raw_header(msg, name)
    if not value:
        return ()
    value = clean_text(value)
    found = _MSG_ID.findall(value)
    if not found and len(value.split()) == 1:
        found = [f"<{value.strip('<>')}>"]
    return tuple(dict.fromkeys(found))


def normalise_message_id(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") and value.endswith(">") else f"<{value.strip('<>')}>"


def header_date(msg: Message) -> datetime | None:
    """The Date header as an aware datetime; a zone-less date (`-0000`) is read as UTC."""
    value = raw_header(msg, "date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(clean_text(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
