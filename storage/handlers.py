"""Repository functions for the organisation's complaint handlers.

Who handles complaints is configuration (`[[handlers]]` in klachtbot.toml); whether someone
is away is state, set from the CLI and kept in the database. Each function takes an open
session and keyword-only arguments; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Handler

HANDLER = "handler"
SUBSTITUTE = "substitute"
COORDINATOR = "coordinator"
# No longer configured; the row stays because cases still point at it.
FORMER = "former"
CONFIGURED_ROLES = (HANDLER, SUBSTITUTE, COORDINATOR)


class HandlerConfig(Protocol):
    """What sync needs of one configured handler (bot.config.settings.HandlerSettings fits).

    A protocol keeps storage independent of the bot's settings module.
    """

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def telegram_user_id(self) -> int: ...
    @property
    def role(self) -> str: ...


async def sync_handlers(session: AsyncSession, *, configured: Sequence[HandlerConfig]) -> None:
    """Make the table match the configuration; the `away` flag is left as it is."""
    by_name = {handler.name: handler for handler in await _all(session)}
    for entry in configured:
        handler = by_name.get(entry.name) or Handler(name=entry.name)
        _apply(handler, entry)
        session.add(handler)
        by_name[entry.name] = handler
    wanted = {entry.name for entry in configured}
    for name, handler in by_name.items():
        if name not in wanted:
            handler.role = FORMER
    await session.flush()
    _link_substitute(by_name, configured)
    await session.flush()


def _apply(handler: Handler, entry: HandlerConfig) -> None:
    handler.role = entry.role
    # The settings use "" and 0 for "not given"; the database says so with NULL.
    handler.email = entry.email or None
    handler.telegram_user_id = entry.telegram_user_id or None


def _link_substitute(by_name: dict[str, Handler], configured: Sequence[HandlerConfig]) -> None:
    first = next((entry.name for entry in configured if entry.role == SUBSTITUTE), None)
    substitute_id = by_name[first].id if first is not None else None
    for handler in by_name.values():
        # Only handlers stand in need of a substitute; a stale link elsewhere would
        # misroute cases if that person became a handler again.
        handler.substitute_id = substitute_id if handler.role == HANDLER else None


async def _all(session: AsyncSession) -> list[Handler]:
    result = await session.exec(select(Handler).order_by(col(Handler.id)))
    return list(result.all())


async def list_handlers(session: AsyncSession) -> list[Handler]:
    """Configured handlers first, then former ones; each group by name."""
    # Sorted here, not in SQL: collations differ between SQLite and PostgreSQL, and the
    # table holds a handful of rows.
    return sorted(
        await _all(session),
        key=lambda handler: (handler.role == FORMER, handler.name.casefold(), handler.name),
    )


async def handler_by_name(session: AsyncSession, *, name: str) -> Handler | None:
    """The handler called `name`, ignoring case; an exact match wins over a case-folded one."""
    # Compared in Python: SQLite's lower() only folds ASCII, so "Émile" would not match.
    wanted = name.strip()
    matches = [h for h in await _all(session) if h.name.casefold() == wanted.casefold()]
    exact = [h for h in matches if h.name == wanted]
    return next(iter(exact or matches), None)


async def set_away(session: AsyncSession, *, name: str, away: bool) -> Handler | None:
    """Mark a handler away or back; None when nobody has that name."""
    handler = await handler_by_name(session, name=name)
    if handler is None:
        return None
    handler.away = away
    session.add(handler)
    await session.flush()
    return handler


async def assignee(session: AsyncSession) -> Handler | None:
    """Who gets a new case: the first available handler, else a substitute, else a
    coordinator; None when everyone is away or nobody is configured.

    "First" is the order in which handlers were first configured (row id), which does
    not change when someone else is added or removed.
    """
    # Nothing a dialogue step changes decides this: no need to flush its changes first.
    with session.no_autoflush:
        result = await session.exec(
            select(Handler).where(col(Handler.role).in_(CONFIGURED_ROLES)).order_by(col(Handler.id))
        )
    return pick_assignee(list(result.all()))


def pick_assignee(people: Sequence[Handler]) -> Handler | None:
    """The routing rule on its own, for rows already loaded in id order (no former ones)."""
    present = [person for person in people if not person.away]

    def first(role: str) -> Handler | None:
        return next((person for person in present if person.role == role), None)

    return (
        first(HANDLER)
        or _own_substitute(people, present)
        or first(SUBSTITUTE)
        or first(COORDINATOR)
    )


def _own_substitute(people: Sequence[Handler], present: Sequence[Handler]) -> Handler | None:
    """The first handler's linked substitute, if present: it goes before any other one."""
    lead = next((person for person in people if person.role == HANDLER), None)
    if lead is None or lead.substitute_id is None:
        return None
    return next((person for person in present if person.id == lead.substitute_id), None)


async def handlers_by_email(session: AsyncSession) -> dict[str, Handler]:
    """Configured handlers by address, case-folded (addresses ignore case)."""
    return {
        h.email.strip().casefold(): h for h in await _all(session) if h.role != FORMER and h.email
    }
