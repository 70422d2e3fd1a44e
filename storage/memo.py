"""Lookups whose answer cannot change within one transaction, asked once per transaction.

The intake takes a block of messages in one transaction; without this, every reply would ask
again who the handler is and where the customer's address and mail thread are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar, cast

from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")


def _memo(session: AsyncSession) -> dict[Hashable, Any]:
    memo: dict[Hashable, Any] = session.info.setdefault("memo", {})
    return memo


async def remembered(session: AsyncSession, key: Hashable, lookup: Callable[[], Awaitable[T]]) -> T:
    memo = _memo(session)
    if key not in memo:
        memo[key] = await lookup()
    return cast(T, memo[key])


def recalled(session: AsyncSession, key: Hashable) -> Any:
    """What was remembered under `key` in this transaction, or None."""
    return _memo(session).get(key)


def remember(session: AsyncSession, key: Hashable, value: object) -> None:
    """Record what a later `remembered(session, key, …)` would otherwise look up."""
    _memo(session)[key] = value
