"""The secret a handler's reply carries back: the left part of our handoff mail's Message-ID.

Why this and not the sender, the subject or a plus-address: anyone can write a handler's
address in From, and a customer sees the case number and chooses the Message-IDs of their
own mails. The Message-ID of the mail we send to a handler reaches only that handler, and
every mail client names it again, unasked, in the In-Reply-To and References of a reply.
So a random token there (192 bits from `secrets`, stored with the case and the address it
went to) proves a reply answers that mail, with no key to manage and nothing for the
handler to do; a plus-address would also need the mail server's help.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

_PREFIX = "handoff."
_TOKEN = re.compile(r"<(handoff\.[A-Za-z0-9_-]{32})@[^<>\s]*>")
# A reply names the mail it answers first (In-Reply-To) and the thread's root early in
# References; a longer list of tokens is someone guessing.
MAX_TOKENS = 20


def new_reply_token() -> str:
    return _PREFIX + secrets.token_urlsafe(24)


def reply_tokens_in(message_ids: Iterable[str]) -> list[str]:
    """The handoff tokens among a mail's In-Reply-To and References, in that order."""
    found = (match.group(1) for ref in message_ids if (match := _TOKEN.fullmatch(ref)))
    return list(dict.fromkeys(found))[:MAX_TOKENS]
