"""What is left of an erased person: keyed hashes of their messages, so that a mailbox
that hands one over again (the mail is still on the IMAP server) does not bring it back.

The hash is an HMAC with the organisation's `privacy.hash_key`: without the key nobody can
test whether a given Message-ID was ever here.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ErasedMessage


def erased_digest(key: bytes, *, channel: str, external_id: str, sender: str) -> str:
    """The same message from the same sender gives the same digest."""
    text = "\0".join((channel, external_id, sender.casefold()))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


async def erased_among(session: AsyncSession, *, digests: Collection[str]) -> set[str]:
    if not digests:
        return set()
    result = await session.exec(
        select(ErasedMessage.digest).where(col(ErasedMessage.digest).in_(list(digests)))
    )
    return set(result.all())


async def remember_erased(
    session: AsyncSession, *, digests: Collection[str], now: datetime
) -> None:
    new = set(digests) - await erased_among(session, digests=digests)
    session.add_all(ErasedMessage(digest=digest, erased_at=now) for digest in sorted(new))
