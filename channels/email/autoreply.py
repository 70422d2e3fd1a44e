"""Telling a person's mail from a machine's: auto-replies, bounces and bulk mail.

Only the structure of a mail decides, the marks that mail software sets for other mail
software (RFC 3834 `Auto-Submitted`, RFC 3464 delivery reports, the null reverse-path,
`Precedence`, the MAILER-DAEMON and postmaster senders). Words never decide: a customer
whose parcel was "niet bezorgd", who writes about an "automatisch antwoord", whose mail
came through a contact form's no-reply address or a mailing list, is a person with a
complaint, and a mail taken for a machine's gets no case. The loop cap in the channel
protects against a machine that carries none of these marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from typing import Literal

from channels.email.charset import clean_text, decode_bytes
from channels.email.headers import message_ids, raw_header
from channels.email.parts import walk

MailKind = Literal["human", "auto_reply", "bounce", "list"]

_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
# The returned message (or only its headers) in a delivery report (RFC 3462, RFC 6533).
_RETURNED_TYPES = frozenset(
    {"message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers"}
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_BULK = frozenset({"bulk", "junk", "list"})


@dataclass(frozen=True)
class Classification:
    kind: MailKind
    reason: str | None = None
    # A delivery report: the Message-ID of the mail it reports on, as returned in it.
    returned_message_id: str | None = None


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
    text = _payload_text(part)
    result = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        found: list[tuple[str, str]] = re.findall(r"^([A-Za-z-]+)\s*:\s*(.*)$", chunk, re.M)
        result.append({key.lower(): value.strip() for key, value in found})
    return result


def _payload_text(part: Message) -> str:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # the stdlib's payload decoders still raise on some garbage
        data = None
    return decode_bytes(data) if isinstance(data, bytes) else ""


def _returned_message_id(report: Message) -> str | None:
    """The Message-ID of the mail a report returns, from its returned message or headers."""
    if not report.is_multipart():
        return None
    for part in report.get_payload():
        if not isinstance(part, Message) or part.get_content_type() not in _RETURNED_TYPES:
            continue
        if part.is_multipart():  # message/rfc822: the stdlib has parsed the mail inside
            returned = next((p for p in part.get_payload() if isinstance(p, Message)), None)
        else:
            returned = HeaderParser(policy=compat32).parsestr(_payload_text(part))
        found = message_ids(returned, "message-id") if returned is not None else ()
        if found:
            return found[0]
    return None


def _delivery_status(msg: Message) -> Classification | None:
    report: Message | None = None  # the multipart/report the status part belongs to
    for part in walk(msg):
        if part.get_content_type() == "multipart/report":
            report = part
        if part.get_content_type() not in _DSN_TYPES:
            continue
        returned = _returned_message_id(report) if report is not None else None
        actions = [block.get("action", "").lower() for block in _field_blocks(part)]
        actions = [action for action in actions if action]
        if any(action.startswith("failed") for action in actions):
            return Classification("bounce", "delivery status: failed", returned)
        if actions:
            # Delayed or relayed: a notice from a machine, but the address still works.
            return Classification("auto_reply", f"delivery status: {actions[0]}", returned)
        return Classification("bounce", "delivery status report", returned)
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


def classify(msg: Message, *, from_address: str | None) -> Classification:
    def header(name: str) -> str | None:
        value = raw_header(msg, name)
        # Cleaned and cut: the value ends up in a stored reason and in logs.
        return None if value is None else clean_text(value).strip()[:200]

    if _report_type(msg) == "disposition-notification":
        return Classification("auto_reply", "read receipt")
    dsn = _delivery_status(msg)
    if dsn is not None:
        return dsn
    if _local_part(from_address) in _BOUNCE_SENDERS:
        # A machine, but only a delivery report says which of our mails did not arrive.
        return Classification("auto_reply", f"sender {_local_part(from_address)}")
    auto_submitted = header("auto-submitted")
    if auto_submitted and auto_submitted.split(";", 1)[0].strip().lower() != "no":
        return Classification("auto_reply", f"Auto-Submitted: {auto_submitted}")
    precedence = (header("precedence") or "").lower()
    if precedence == "auto_reply":
        return Classification("auto_reply", "Precedence: auto_reply")
    if precedence in _BULK:
        return Classification("list", f"Precedence: {precedence}")
    return_path = header("return-path")
    if return_path is not None and return_path.strip("<> \t") == "":
        # The null reverse-path: only notifications and auto-replies are sent with it.
        return Classification("auto_reply", "empty Return-Path")
    return HUMAN
