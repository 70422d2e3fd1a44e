"""Outgoing mail: a text-and-HTML reply that threads in the customer's mail client.

Pure: the bodies arrive rendered, the date is given; only the Message-ID is fresh.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from channels.email.case_token import reply_subject
from channels.email.header_cache import REMEMBERING_HEADERS
from channels.email.headers import normalise_message_id

# Enough for any client to thread; RFC 5322 allows trimming, the root stays first.
MAX_REFERENCES = 10
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_COMPOSING_POLICY = policy.SMTP.clone(header_factory=REMEMBERING_HEADERS)


def _name(value: str | None) -> str:
    return " ".join(_CONTROL.sub(" ", value or "").split())


def _address(addr_spec: str, name: str | None) -> Address:
    """Raises ValueError for an address the stdlib will not put in a header."""
    return Address(display_name=_name(name), addr_spec=addr_spec.strip())


def references_for(parent_id: str, parent_references: Sequence[str]) -> list[str]:
    chain = [normalise_message_id(ref) for ref in (*parent_references, parent_id) if ref.strip()]
    chain = list(dict.fromkeys(chain))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return chain


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
) -> EmailMessage:
    """A multipart/alternative mail from `sender` (the intake address) to `recipient`.

    With `parent_id` it answers that mail: `Re: `, In-Reply-To and References are set.
    `automatic` marks mail the bot sends without a person (RFC 3834), so that the
    customer's out-of-office does not answer back. `reply_to` defaults to `sender`, the
    Message-ID domain to the sender's domain. The message uses the SMTP policy, so
    `bytes(message)` is ready for the wire.
    """
    if date.tzinfo is None:
        raise ValueError("date must be timezone-aware")
    message = EmailMessage(policy=_COMPOSING_POLICY)
    message["From"] = _address(sender, sender_name)
    message["To"] = _address(recipient, recipient_name)
    message["Reply-To"] = _address(reply_to or sender, sender_name if reply_to is None else None)
    message["Subject"] = reply_subject(
        _name(subject), case_token=case_token, is_reply=parent_id is not None
    )
    message["Date"] = format_datetime(date)
    message["Message-ID"] = make_msgid(domain=domain or sender.rsplit("@", 1)[-1].strip())
    if parent_id is not None:
        message["In-Reply-To"] = normalise_message_id(parent_id)
        message["References"] = " ".join(references_for(parent_id, parent_references))
    if automatic:
        message["Auto-Submitted"] = "auto-replied"
        # Exchange and Outlook ignore Auto-Submitted; this stops their out-of-office.
        message["X-Auto-Response-Suppress"] = "All"
    # Quoted-printable keeps every line 7-bit and short; set_content would pick 8bit.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message
