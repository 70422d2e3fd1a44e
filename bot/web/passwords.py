"""Handler passwords as argon2id hashes (argon2-cffi, MIT).

Hashing and checking take about 0.2 s of CPU each: they run in a thread, or every login
would stall the event loop, and with it every channel, for that long.
"""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's low-memory argon2id profile.
_hasher = PasswordHasher()
MIN_LENGTH = 8


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed in `stored_hash`. Without a stored hash (an
    unknown name, a handler without a password) a stand-in hash is checked all the same, so
    the answer takes as long and tells nobody which names exist."""
    return await asyncio.to_thread(_matches, stored_hash, password)


def _matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _stand_in(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in() -> str:
    return _hasher.hash("no password is set for this name")
