"""An incoming mail, as bytes from the server, to the facts the bot works with.

Broken mail is the normal case at intake, so nothing here raises on bad MIME: defects are
reported in `ParsedMail.defects`. Only when the stdlib parser itself gives up does
`parse_mail` raise `UnparseableMail`, for the caller to quarantine the raw bytes.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import TypeVar

from channels.email.autoreply import Classification, MailKind, classify
from channels.email.case_token import find_case_token
from channels.email.charset import clean_text, decode_bytes
from channels.email.header_cache import REMEMBERING_HEADERS
from channels.email.headers import addresses, header_date, header_text, message_ids, raw_header
from channels.email.html_text import html_to_text
from channels.email.parts import walk
from channels.email.quotes import strip_quoted

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\:]+")


class UnparseableMail(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    data: bytes | None  # None when dropped for size


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    case_token: str | None
    from_address: str | None
    from_name: str | None
    reply_to: str | None
    reply_to_name: str | None
    sender_address: str | None  # the Sender header: who sent it for the From, if anyone
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime | None
    auto_submitted: str | None
    text: str  # what the sender newly wrote; may be empty, see full_text
    full_text: str
    kind: MailKind
    kind_reason: str | None
    returned_message_id: str | None  # a delivery report: the mail it reports on
    attachments: tuple[Attachment, ...]
    oversized: bool
    size: int
    defects: tuple[str, ...]
    # What the mail says (subject, text, attachments): with the Message-ID and the sender it
    # tells the same mail delivered twice from another mail that reuses the Message-ID.
    content_hash: str


READING_POLICY = policy.default.clone(header_factory=REMEMBERING_HEADERS)

_T = TypeVar("_T")


def _attempt(call: Callable[[], _T], default: _T) -> _T:
    # The stdlib's lazy header and parameter parsing raises on some malformed input; one
    # bad Content-Disposition must not cost the customer's whole mail.
    try:
        return call()
    except Exception:
        return default


def _payload_bytes(part: Message) -> bytes:
    if part.is_multipart():  # message/*: the enclosed mail or status blocks
        children = part.get_payload()
        return b"\n".join(_message_bytes(child) for child in children if isinstance(child, Message))
    payload = _attempt(lambda: part.get_payload(decode=True), None)
    return payload if isinstance(payload, bytes) else b""


def _message_bytes(msg: Message) -> bytes:
    # compat32 refolds nothing, so it still writes mails the default policy chokes on.
    for generating_policy in (policy.default, policy.compat32):
        try:
            return msg.as_bytes(policy=generating_policy)
        except Exception:
            continue
    return b""


def _text(part: Message) -> str:
    charset = _attempt(part.get_content_charset, None)
    text = decode_bytes(_payload_bytes(part), charset)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _filename(part: Message, content_type: str, number: int) -> str:
    raw = _attempt(part.get_filename, None)
    name = clean_text(raw) if isinstance(raw, str) else ""
    # Only a name, never a path: the caller may store attachments on disk by this name.
    name = _UNSAFE_FILENAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{number}{extension}"
    return name[-255:]


@dataclass
class _Content:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _content(msg: Message) -> _Content:
    content = _Content()
    for part in walk(msg):
        _content_of(part, content)
        # After decoding: the payload decoders add their defects (bad base64) as they go.
        content.defects.extend(type(defect).__name__ for defect in part.defects)
    return content


def _content_of(part: Message, content: _Content) -> None:
    content_type = _attempt(part.get_content_type, "application/octet-stream")
    if content_type.startswith("multipart/"):
        if not part.is_multipart():  # no usable boundary: all its text is body
            content.plain.append(_text(part))
        return
    disposition = _attempt(part.get_content_disposition, None)
    named = bool(_attempt(part.get_filename, None))
    if content_type in {"text/plain", "text/html"} and disposition != "attachment" and not named:
        (content.plain if content_type == "text/plain" else content.html).append(_text(part))
        return
    name = _filename(part, content_type, len(content.attachments) + 1)
    content.attachments.append((name, content_type, _payload_bytes(part)))


def _body_text(content: _Content) -> str:
    plain = "\n\n".join(text.strip("\n") for text in content.plain if text.strip())
    if not plain and content.html:
        plain = "\n\n".join(html_to_text(html) for html in content.html if html.strip())
    return plain.strip()


def _attachments(
    found: list[tuple[str, str, bytes]], max_bytes: int
) -> tuple[tuple[Attachment, ...], bool]:
    oversized = sum(len(data) for _, _, data in found) > max_bytes
    kept = tuple(
        Attachment(name, content_type, len(data), None if oversized else data)
        for name, content_type, data in found
    )
    return kept, oversized


def _parse(raw: bytes) -> Message:
    if not raw.strip():
        raise UnparseableMail("empty message")
    try:
        return BytesParser(policy=READING_POLICY).parsebytes(raw)
    except RecursionError as exc:
        raise UnparseableMail("nested too deeply") from exc
    except Exception as exc:
        raise UnparseableMail(f"{type(exc).__name__}: {exc}") from exc


def parse_mail(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedMail:
    """`max_bytes` bounds the attachments together; above it they are listed but their
    data is dropped and the mail is flagged `oversized`."""
    msg = _parse(raw)
    try:
        return _extract(msg, raw, max_bytes)
    # Belt and braces for the promise in the module docstring: whatever the stdlib still
    # throws on a pathological mail becomes the one exception the caller quarantines on.
    except Exception as exc:
        raise UnparseableMail(f"{type(exc).__name__}: {exc}") from exc


def parse_many(raws: list[bytes], max_bytes: int) -> list[ParsedMail | UnparseableMail]:
    """`parse_mail` for a block of mails in one call (one trip to a helper process); a mail
    that cannot be parsed gives its `UnparseableMail` in its place."""
    parsed: list[ParsedMail | UnparseableMail] = []
    for raw in raws:
        try:
            parsed.append(parse_mail(raw, max_bytes=max_bytes))
        except UnparseableMail as exc:
            parsed.append(exc)
    return parsed


def _first(values: tuple[str, ...]) -> str | None:
    return values[0] if values else None


def _mailbox(msg: Message, name: str) -> tuple[str | None, str | None]:
    """(display name, address) of the first address in a header; (None, None) if none."""
    found = addresses(msg, name)
    return (found[0][0] or None, found[0][1]) if found else (None, None)


def _content_hash(subject: str, text: str, attachments: list[tuple[str, str, bytes]]) -> str:
    digest = hashlib.sha256()
    parts = [subject, text]
    for name, content_type, data in attachments:
        parts += [name, content_type, hashlib.sha256(data).hexdigest()]
    for part in parts:  # length-prefixed: no two different lists hash alike
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(b"%d:" % len(encoded) + encoded)
    return digest.hexdigest()


def _extract(msg: Message, raw: bytes, max_bytes: int) -> ParsedMail:
    subject = header_text(msg, "subject") or ""
    from_name, from_address = _mailbox(msg, "from")
    reply_to_name, reply_to = _mailbox(msg, "reply-to")
    content = _content(msg)
    full_text = _body_text(content)
    attachments, oversized = _attachments(content.attachments, max_bytes)
    verdict: Classification = classify(msg, from_address=from_address)
    auto_submitted = raw_header(msg, "auto-submitted")
    return ParsedMail(
        message_id=_first(message_ids(msg, "message-id")),
        in_reply_to=_first(message_ids(msg, "in-reply-to")),
        references=message_ids(msg, "references"),
        subject=subject,
        case_token=find_case_token(subject),
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to,
        reply_to_name=reply_to_name,
        sender_address=_mailbox(msg, "sender")[1],
        to=tuple(address for _, address in addresses(msg, "to")),
        cc=tuple(address for _, address in addresses(msg, "cc")),
        date=header_date(msg),
        auto_submitted=clean_text(auto_submitted).lower() if auto_submitted else None,
        text=strip_quoted(full_text),
        full_text=full_text,
        kind=verdict.kind,
        kind_reason=verdict.reason,
        returned_message_id=verdict.returned_message_id,
        attachments=attachments,
        oversized=oversized,
        size=len(raw),
        defects=tuple(dict.fromkeys(content.defects)),
        content_hash=_content_hash(subject, full_text, content.attachments),
    )
