"""Telling a person's mail from a machine's: auto-replies, bounces and list mail.

Answering a machine starts mail loops, so any one clear signal is enough. Strong,
specific signals are checked before broad ones so the reason names the best evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from typing import Literal

from channels.email.charset import clean_text, decode_bytes
from channels.email.headers import raw_header
from channels.email.parts import walk

MailKind = Literal["human", "auto_reply", "bounce", "list"]

_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_NOREPLY = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)(?:$|[-_+.])", re.IGNORECASE
)
_OUT_OF_OFFICE = re.compile(
    r"^\s*(?:(?:re|aw|antw)\s*:\s*)*"
    r"(?:afwezigheidsmelding|afwezigheidsbericht|automatisch antwoord|automatisch bericht"
    r"|out of (?:the )?office|out-of-office|automatic reply|auto[- ]?reply|autoreply"
    r"|auto[- ]?response|vacation reply|abwesenheitsnotiz|automatische antwort"
    r"|r[ée]ponse automatique)\b",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable|undelivered mail|onbestelbaar|niet bezorgd"
    r"|delivery status notification \(failure\)|mail delivery (?:failed|failure)"
    r"|returned mail|failure notice|unzustellbar)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Classification:
    kind: MailKind
    reason: str | None = None
    bounced_recipient: str | None = None


HUMAN = Classification("human")


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """The delivery-status body as per-message and per-recipient field blocks."""
    if part.is_multipart():
        blocks = []
        for block in part.get_payload():
            if isinstance(block, Message):
                items = block.raw_items()
                blocks.append({key.lower(): clean_text(str(value)).strip() for key, value in items})
        if any(blocks):
            return blocks
    try:
        data = part.get_payload(decode=True)
    except Exception:  # the stdlib's payload decoders still raise on some garbage
        data = None
    text = decode_bytes(data) if isinstance(data, bytes) else ""
    result = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        found: list[tuple[str, str]] = re.findall(r"^([A-Za-z-]+)\s*:\s*(.*)$", chunk, re.M)
        result.append({key.lower(): value.strip() for key, value in found})
    return result


def _recipient(value: str) -> str:
    # "rfc822; piet@example.nl" - the address type is not part of the address.
    return value.split(";", 1)[-1].strip().strip("<>").lower()


def _delivery_status(msg: Message) -> Classification | None:
    for part in walk(msg):
        if part.get_content_type() not in _DSN_TYPES:
            continue
        blocks = _field_blocks(part)
        actions = [block.get("action", "").lower() for block in blocks if "action" in block]
        for block in blocks:
            if block.get("action", "").lower().startswith("failed"):
                recipient = block.get("final-recipient") or block.get("original-recipient")
                address = _recipient(recipient) if recipient else None
                return Classification("bounce", "delivery status: failed", address)
        if actions:
            # Delayed or relayed: a notice from a machine, but the address still works.
            return Classification("auto_reply", f"delivery status: {actions[0]}")
        return Classification("bounce", "delivery status report")
    return None


def _report_type(msg: Message) -> str:
    if msg.get_content_type() != "multipart/report":
        return ""
    try:
        value = msg.get_param("report-type")
    except Exception:  # a malformed Content-Type parameter list
        return ""
    if isinstance(value, tuple):  # an RFC 2231 (charset, language, value) triple
        value = value[2]
    return str(value or "").strip().lower()


def _local_part(address: str | None) -> str:
    return address.split("@", 1)[0].lower() if address else ""


def classify(msg: Message, *, from_address: str | None, subject: str) -> Classification:
    def header(name: str) -> str | None:
        value = raw_header(msg, name)
        # Cleaned and cut: the value ends up in a stored reason and in logs.
        return None if value is None else clean_text(value).strip()[:200]

    if _report_type(msg) == "disposition-notification":
        return Classification("auto_reply", "read receipt")
    dsn = _delivery_status(msg)
    if dsn is not None:
        return dsn
    failed = header("x-failed-recipients")
    if failed:
        return Classification("bounce", "X-Failed-Recipients", _recipient(failed.split(",")[0]))
    if _local_part(from_address) in _BOUNCE_SENDERS:
        return Classification("bounce", f"sender {_local_part(from_address)}")
    if _BOUNCE_SUBJECT.match(subject):
        return Classification("bounce", "bounce subject")

    auto_submitted = header("auto-submitted")
    if auto_submitted and auto_submitted.split(";", 1)[0].strip().lower() != "no":
        return Classification("auto_reply", f"Auto-Submitted: {auto_submitted}")
    for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress"):
        value = header(name)
        if value and value.lower() not in {"no", "none", "false"}:
            return Classification("auto_reply", f"{name}: {value}")
    if _OUT_OF_OFFICE.match(subject):
        return Classification("auto_reply", "out-of-office subject")
    precedence = (header("precedence") or "").lower()
    if precedence == "auto_reply":
        return Classification("auto_reply", "Precedence: auto_reply")

    for name, value in msg.raw_items():
        if name.lower().startswith("list-") and str(value).strip():
            return Classification("list", clean_text(name.lower())[:100])
    if precedence in {"bulk", "list", "junk"}:
        return Classification("list", f"Precedence: {precedence}")

    return_path = header("return-path")
    if return_path is not None and return_path.strip("<> \t") == "":
        return Classification("auto_reply", "empty Return-Path")
    if _NOREPLY.match(_local_part(from_address)):
        return Classification("auto_reply", f"sender {_local_part(from_address)}")
    return HUMAN
