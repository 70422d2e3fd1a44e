"""Reading header values without trusting them.

Values are taken from the raw header lines and decoded here rather than through the
policy's header objects: those replace undeclared 8-bit bytes with U+FFFD, which loses a
Latin-1 subject for good, and some malformed values make them raise.
"""

from __future__ import annotations

import binascii
import functools
import re
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime

from channels.email.charset import clean_text, decode_bytes

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t]*")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")
# Address lists, read as written: a quoted string (perhaps unclosed), an escaped character,
# an `<address>` (perhaps unclosed), a special, or a run of anything else. In a comment
# only nesting and escapes count.
_ADDRESS_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|\\.?|<[^>]*>?|[(),;:]|[^"\\<(),;:]+', re.S)
_IN_COMMENT = re.compile(r"\\.?|[()]|[^\\()]+", re.S)
_QUOTED_PAIR = re.compile(r"\\(.)", re.S)
# local@domain: nothing a header gives structure to, no space or control character, and a
# domain of letters, digits, hyphens and dots (an encoded word is none of that).
_ADDR_SPEC = re.compile(r'[^\s\x00-\x1f\x7f"(),:;<>@\[\]\\]+@[\w-]+(?:\.[\w-]+)*')


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
    try:
        data = payload.encode("ascii", "surrogateescape")
        if encoding in "qQ":
            return binascii.a2b_qp(data.replace(b"_", b" "), header=False)
        # Senders mis-pad base64 words, which costs nothing to repair; anything else
        # stays visible as the raw word rather than decoding to noise.
        data = data.rstrip(b"=")
        if _BASE64_JUNK.search(data) or len(data) % 4 == 1:
            return None
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except (binascii.Error, ValueError):  # UnicodeEncodeError too: a word is ASCII
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
    text = "".join(piece if isinstance(piece, str) else decode_bytes(*piece) for piece in pieces)
    return clean_text(text)


def header_text(msg: Message, name: str) -> str | None:
    value = raw_header(msg, name)
    if value is None:
        return None
    return " ".join(decode_header_value(value).split())


def addresses(msg: Message, name: str) -> tuple[tuple[str, str], ...]:
    """(display name, lower-cased address) pairs; entries without a usable address are dropped.

    Addresses are lower-cased so one customer is one sender whatever their mail client
    does with capitals."""
    value = raw_header(msg, name)
    return () if value is None else address_list(value)


@functools.lru_cache(maxsize=4096)  # the same senders and recipients recur across mails
def address_list(value: str) -> tuple[tuple[str, str], ...]:
    """`addresses` for one raw header value.

    The structure is read first, from the value as it stood in the mail, and only the
    display name is decoded afterwards. The other order lets the display name speak for
    the address: `=?utf-8?q?handler@example.test=0D=0A?= <attacker@evil.test>` decodes to
    a line break that the stdlib's parsers then read as the handler's address, and its
    legacy parser takes `handler@example.test <attacker@evil.test>` as two addresses.
    Encoded words never count in an address (RFC 2047 section 5), so one there is no
    address at all."""
    result: list[tuple[str, str]] = []
    # Raw 8-bit bytes stay escaped until the display name is decoded: it needs them so.
    for phrase, angles in _mailboxes(value):
        if len(angles) > 1:
            continue  # two addresses for one person: which one is theirs cannot be told
        # Without brackets the address is the text as written: a quoted string there
        # leaves a quote in it, so it is no address.
        spec = angles[0] if angles else "".join(phrase)
        display = "".join(map(_unquoted, phrase)) if angles else ""
        # A source route (`<@relay:user@host>`, obsolete) is not part of the address.
        spec = spec.strip().rsplit(":", 1)[-1] if spec.lstrip().startswith("@") else spec
        address = clean_text(spec).strip().lower()
        if _ADDR_SPEC.fullmatch(address):
            result.append((" ".join(decode_header_value(display).split()), address))
    return tuple(result)


def _mailboxes(value: str) -> list[tuple[list[str], list[str]]]:
    """(display name tokens, contents of each `<...>`) per mailbox of an address list, as
    written; comments and group names left out."""
    mailboxes: list[tuple[list[str], list[str]]] = []
    phrase: list[str] = []
    angles: list[str] = []
    depth = 0  # of nested comments
    position = 0
    while position < len(value):
        match = (_IN_COMMENT if depth else _ADDRESS_TOKEN).match(value, position)
        assert match is not None  # each pattern matches any next character
        token, position = match.group(), match.end()
        if depth:
            depth += (token == "(") - (token == ")")
        elif token == "(":
            depth = 1
            phrase.append(" ")  # a comment separates what stands around it
        elif token in (",", ";"):
            mailboxes.append((phrase, angles))
            phrase, angles = [], []
        elif token == ":":
            phrase = []  # what came before named a group; its members follow
        elif token.startswith("<"):
            angles.append(token[1:].removesuffix(">"))
        else:
            phrase.append(token)
    mailboxes.append((phrase, angles))
    return mailboxes


def _unquoted(token: str) -> str:
    if not token.startswith('"'):
        return token
    return _QUOTED_PAIR.sub(r"\1", token[1:].removesuffix('"'))


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
