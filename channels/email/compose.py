"""Outgoing mail: a text-and-HTML reply that threads in the customer's mail client.

Pure: the bodies arrive rendered, the date is given; only the Message-ID and the MIME
boundary are fresh. The bytes are written directly (see `mime_write`): composing through
`EmailMessage` cost milliseconds per mail in header parsing and folding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.utils import format_datetime, make_msgid

from channels.email.case_token import reply_subject
from channels.email.headers import normalise_message_id
from channels.email.mime_write import (
    header_line,
    mailbox_text,
    mailbox_tokens,
    multipart_alternative,
    multipart_mixed,
    text_tokens,
)
from channels.email.outgoing import OutgoingMail

# Enough for any client to thread; RFC 5322 allows trimming, the root stays first.
MAX_REFERENCES = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# The common address needs no quoting; anything else goes through the stdlib's parser.
_ADDRESS_PART = r"[^\s\x00-\x1f\x7f<>()\[\]\\,;:\"@]+"
_SIMPLE_ADDRESS = re.compile(_ADDRESS_PART + "@" + _ADDRESS_PART)
# Message ids are ASCII without spaces (RFC 5322) and must fit on one header line.
_WRITABLE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>")


def _name(value: str | None) -> str:
    return " ".join(_CONTROL.sub(" ", value or "").split())


def _addr_spec(value: str) -> str:
    """The address as it is written in a header; ValueError when it cannot be."""
    value = value.strip()
    if _SIMPLE_ADDRESS.fullmatch(value):
        return value
    return Address(addr_spec=value).addr_spec  # quotes an odd local part, refuses junk


def references_for(parent_id: str, parent_references: Sequence[str]) -> list[str]:
    chain = [normalise_message_id(ref) for ref in (*parent_references, parent_id) if ref.strip()]
    # An id that cannot be written in a header cannot be matched by any client either.
    chain = list(dict.fromkeys(ref for ref in chain if _WRITABLE_ID.fullmatch(ref)))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return chain


def new_message_id(sender: str, domain: str | None = None, token: str | None = None) -> str:
    """A fresh Message-ID in the sender's domain (or `domain`). With `token` (a handoff's
    `reply_token`) the token is its left part, so that a reply proves it answers this mail."""
    domain = domain or sender.rsplit("@", 1)[-1].strip()
    return f"<{token}@{domain}>" if token else make_msgid(domain=domain)


def build_reply(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    date: datetime,
    sender_name: str | None = None,
    recipient_name: str | None = None,
    case_token: str | None = None,
    parent_id: str | None = None,
    parent_references: Sequence[str] = (),
    automatic: bool = False,
    reply_to: str | None = None,
    domain: str | None = None,
    message_id: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> OutgoingMail:
    """A multipart/alternative mail from `sender` (the intake address) to `recipient`.

    With `parent_id` it answers that mail: `Re: `, In-Reply-To and References are set.
    `automatic` marks mail the bot sends without a person (RFC 3834), so that the
    customer's out-of-office does not answer back. `reply_to` defaults to `sender`, the
    Message-ID domain to the sender's domain. `message_id`: the id chosen earlier for this
    mail (a retry goes out under the id of the first attempt); by default a fresh one.
    `attachments`: files (name, content type, bytes) after the text (multipart/mixed).
    Raises ValueError for a naive date or an address that cannot be written in a header.
    """
    if date.tzinfo is None:
        raise ValueError("date must be timezone-aware")
    from_spec, to_spec = _addr_spec(sender), _addr_spec(recipient)
    reply_spec = _addr_spec(reply_to or sender)
    from_name, to_name = _name(sender_name), _name(recipient_name)
    reply_name = from_name if reply_to is None else ""
    subject_text = reply_subject(
        _name(subject), case_token=case_token, is_reply=parent_id is not None
    )
    date_text = format_datetime(date)
    message_id = message_id or new_message_id(sender, domain)

    # (name, tokens as written, value as read)
    fields: list[tuple[str, list[str], str]] = [
        ("From", mailbox_tokens(from_name, from_spec), mailbox_text(from_name, from_spec)),
        ("To", mailbox_tokens(to_name, to_spec), mailbox_text(to_name, to_spec)),
        (
            "Reply-To",
            mailbox_tokens(reply_name, reply_spec),
            mailbox_text(reply_name, reply_spec),
        ),
        ("Subject", text_tokens(subject_text), subject_text),
        ("Date", [date_text], date_text),
        ("Message-ID", [message_id], message_id),
    ]
    if parent_id is not None:
        references = references_for(parent_id, parent_references)
        parent = normalise_message_id(parent_id)
        if _WRITABLE_ID.fullmatch(parent):
            fields.append(("In-Reply-To", [parent], parent))
        if references:
            fields.append(("References", references, " ".join(references)))
    if automatic:
        fields.append(("Auto-Submitted", ["auto-replied"], "auto-replied"))
        # Exchange and Outlook ignore Auto-Submitted; this stops their out-of-office.
        fields.append(("X-Auto-Response-Suppress", ["All"], "All"))

    head = "".join(header_line(name, tokens) for name, tokens, _ in fields)
    raw, content_type = (
        multipart_mixed(head, text, html, attachments)
        if attachments
        else multipart_alternative(head, text, html)
    )
    return OutgoingMail(
        sender=from_spec,
        recipient=to_spec,
        message_id=message_id,
        headers=(
            *((name, value) for name, _, value in fields),
            ("MIME-Version", "1.0"),
            ("Content-Type", content_type),
        ),
        raw=raw,
        smtputf8=not (from_spec + to_spec + reply_spec).isascii(),
    )
