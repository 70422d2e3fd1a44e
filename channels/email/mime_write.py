"""MIME written straight to bytes: header lines, quoted-printable bodies, the multipart.

The stdlib's `EmailMessage` parses every header it is given, and its generator parses and
folds them again; for the few fixed shapes the bot sends that cost milliseconds per mail.
Here a header is a list of tokens that are joined by single spaces and folded between them,
so what a reader unfolds is exactly the value that was given.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import urllib.parse
from collections.abc import Callable, Sequence

CRLF = "\r\n"
_CONTENT_TYPE = re.compile(r"[a-z0-9.+-]+/[a-z0-9.+-]+")
# RFC 5322 asks for lines of at most 78 characters; folding keeps every header line within it
# unless one token is longer, and no token is longer than `_LONGEST_WORD` (RFC 5322's 998).
_FOLD_AT = 78
_LONGEST_WORD = 900
# 45 bytes of UTF-8 are 60 characters of base64: a 72-character encoded word (RFC 2047: 75).
_WORD_BYTES = 45
# A word a reader takes as it stands: printable ASCII, and nothing a decoder would mistake
# for the start of an encoded word.
_REPEAT = f"{{1,{_LONGEST_WORD}}}"
_PLAIN_WORD = re.compile(r"[\x21-\x7e]" + _REPEAT)
# Display names that need neither quotes nor encoding (RFC 5322 atext and spaces).
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]" + _REPEAT)
_QUOTABLE = re.compile(r"[\x20-\x7e]" + _REPEAT)
_TEXT_PART = (
    'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
)
# What makes a display name be shown in quotes (the stdlib's `Address.__str__` does the same).
_SPECIALS = frozenset('()<>@,:;.\\"[]')


def _plain(word: str) -> bool:
    return _PLAIN_WORD.fullmatch(word) is not None and "=?" not in word


def _atom(word: str) -> bool:
    return _ATOMS.fullmatch(word) is not None


def encoded_words(text: str) -> list[str]:
    """RFC 2047 base64 words for `text`, each short enough to fold; a character's bytes are
    never split between two words, since some decoders decode each word on its own."""
    data = text.encode("utf-8")
    words: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte
            end -= 1
        words.append(f"=?utf-8?b?{base64.b64encode(data[start:end]).decode('ascii')}?=")
        start = end
    return words


def _tokens(words: Sequence[str], plain: Callable[[str], bool]) -> list[str]:
    """Plain words as they are; each run of other words as encoded words, with the spaces
    of the run inside them, because a reader drops the space between two encoded words.
    Between an encoded word and a plain one the space is kept, so `Re: ` and the case token
    stay readable."""
    tokens: list[str] = []
    run: list[str] = []
    for word in words:
        if plain(word):
            if run:
                tokens += encoded_words(" ".join(run))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens += encoded_words(" ".join(run))
    return tokens


def text_tokens(value: str) -> list[str]:
    """An unstructured value (a subject) as header tokens."""
    return _tokens(value.split(" "), _plain)


def mailbox_tokens(display_name: str, addr_spec: str) -> list[str]:
    """`Name <address>` as header tokens: the name as atoms, quoted or encoded, as it needs."""
    address = f"<{addr_spec}>"
    if not display_name:
        return [addr_spec]
    if _ATOMS.fullmatch(display_name):
        return [*display_name.split(" "), address]
    if _QUOTABLE.fullmatch(display_name) and "=?" not in display_name:
        return [quoted(display_name), address]
    return [*_tokens(display_name.split(" "), _atom), address]


def mailbox_text(display_name: str, addr_spec: str) -> str:
    """The mailbox as a reader shows it once decoded."""
    if not display_name:
        return addr_spec
    if not _SPECIALS.isdisjoint(display_name):
        display_name = quoted(display_name)
    return f"{display_name} <{addr_spec}>"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def header_line(name: str, tokens: Sequence[str]) -> str:
    """`Name: tokens` with CRLF, folded before a token that would make the line too long."""
    lines: list[str] = []
    line = name + ":"
    empty = True
    for token in tokens:
        if not empty and len(line) + 1 + len(token) > _FOLD_AT:
            lines.append(line)
            line = ""
        line = f"{line} {token}"
        empty = False
    lines.append(line)
    return CRLF.join(lines) + CRLF


def quoted_printable(text: str) -> bytes:
    """A text body as UTF-8 quoted-printable with CRLF line ends: 7-bit, lines of at most 76.

    Line breaks are read as the stdlib's `set_content` reads them (CR, LF or CRLF) and the
    body ends in a line break, so a reader decodes the same text it would from the stdlib."""
    lines = text.encode("utf-8").splitlines()
    body = b"\n".join(lines) + b"\n"
    return binascii.b2a_qp(body, quotetabs=False, istext=True, header=False).replace(b"\n", b"\r\n")


def _alternative_parts(text: str, html: str, boundary: str) -> bytes:
    delimiter = f"--{boundary}{CRLF}".encode("ascii")
    # The CRLF before a delimiter belongs to it (RFC 2046), so each body keeps its own.
    return b"".join(
        (
            delimiter,
            _TEXT_PART.format("plain").encode("ascii"),
            quoted_printable(text),
            b"\r\n" + delimiter,
            _TEXT_PART.format("html").encode("ascii"),
            quoted_printable(html),
            f"{CRLF}--{boundary}--{CRLF}".encode("ascii"),
        )
    )


def multipart_alternative(head: str, text: str, html: str) -> tuple[bytes, str]:
    """The whole mail: `head` (its header lines), then `text` and `html` as alternatives
    in UTF-8 quoted-printable, which keeps every body line 7-bit and short. Returns the
    bytes and the Content-Type value.

    The boundary cannot occur in a quoted-printable body: there every "=" that is not an
    escape is written "=3D"."""
    boundary = "=_" + secrets.token_hex(16)
    content_type = ["multipart/alternative;", f'boundary="{boundary}"']
    head += "MIME-Version: 1.0" + CRLF + header_line("Content-Type", content_type) + CRLF
    return head.encode("utf-8") + _alternative_parts(text, html, boundary), " ".join(content_type)


def _attachment(name: str, content_type: str, data: bytes) -> bytes:
    """One file in base64 (lines of 76), its name as RFC 2231 allows any character."""
    kind = content_type if _CONTENT_TYPE.fullmatch(content_type) else "application/octet-stream"
    written = "filename*=utf-8''" + urllib.parse.quote(name, safe="")
    head = (
        header_line(
            "Content-Type", [f"{kind};", "name*=utf-8''" + urllib.parse.quote(name, safe="")]
        )
        + header_line("Content-Disposition", ["attachment;", written])
        + "Content-Transfer-Encoding: base64"
        + CRLF
        + CRLF
    )
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return head.encode("ascii") + encoded


def multipart_mixed(
    head: str, text: str, html: str, files: Sequence[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    """As `multipart_alternative`, followed by `files` (name, content type, bytes) as
    attachments. Base64 uses no "=" but at the end and no "-", so the boundary (which
    starts "=_") cannot occur in an attachment either."""
    outer, inner = "=_" + secrets.token_hex(16), "=_" + secrets.token_hex(16)
    content_type = ["multipart/mixed;", f'boundary="{outer}"']
    head += "MIME-Version: 1.0" + CRLF + header_line("Content-Type", content_type) + CRLF
    delimiter = f"--{outer}{CRLF}".encode("ascii")
    alternative = header_line("Content-Type", ["multipart/alternative;", f'boundary="{inner}"'])
    parts = [delimiter, (alternative + CRLF).encode("ascii"), _alternative_parts(text, html, inner)]
    for name, kind, data in files:
        parts += [b"\r\n" + delimiter, _attachment(name, kind, data)]
    parts.append(f"{CRLF}--{outer}--{CRLF}".encode("ascii"))
    return head.encode("utf-8") + b"".join(parts), " ".join(content_type)
