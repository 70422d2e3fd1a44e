"""The case number as it travels in a subject line: `[K-2026-000123]`."""

from __future__ import annotations

import re

# Six digits is the stored format; more are allowed so case one million still threads.
CASE_TOKEN = re.compile(r"(?<![\w-])K-\d{4}-\d{6,}(?![\w-])", re.IGNORECASE)
_REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|antw|aw|sv|fw|fwd|doorst)\s*(?:\[\d+\])?\s*:)+\s*", re.IGNORECASE
)


def find_case_token(subject: str) -> str | None:
    match = CASE_TOKEN.search(subject)
    return match.group().upper() if match else None


def reply_subject(subject: str, *, case_token: str | None, is_reply: bool) -> str:
    """One `Re: ` however many prefixes the thread piled up, and the token once."""
    subject = " ".join(subject.split())
    if is_reply:
        subject = "Re: " + _REPLY_PREFIX.sub("", subject)
    if case_token:
        token = case_token.upper()
        present = {found.upper() for found in CASE_TOKEN.findall(subject)}
        if token not in present:
            subject = f"{subject} [{token}]"
    return " ".join(subject.split())
