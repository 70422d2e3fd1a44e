"""Walking a mail's MIME tree the way intake needs it."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message

# Deeper or wider than this is an attack or a mail loop, not a customer's mail.
MAX_DEPTH = 30
MAX_PARTS = 500


def walk(msg: Message) -> Iterator[Message]:
    """Parts depth-first in mail order, without entering attached mails: a forwarded mail
    (or a forwarded bounce) is an attachment, not the sender's own words or status."""
    stack: list[tuple[Message, int]] = [(msg, 0)]
    count = 0
    while stack and count < MAX_PARTS:
        part, depth = stack.pop()
        count += 1
        yield part
        # is_multipart() before get_payload(): without decode=True, get_payload() decodes
        # a text payload with the declared charset and raises on a bad one.
        nested = part.is_multipart() and part.get_content_maintype() == "multipart"
        if nested and depth < MAX_DEPTH:
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            stack.extend((child, depth + 1) for child in reversed(children))
