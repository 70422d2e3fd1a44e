"""The case list at a glance: which cases, filtered and searched, with what each row shows.

One statement: it picks the page of cases, then looks up, for those cases only, their
customers, next deadlines and last messages, so the page costs about the same whatever the
table holds. One statement rather than one per kind of fact: every statement is a round trip
to the database (and, on SQLite, to its thread), which on a busy machine costs more than the
lookups themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select, text, true
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.models  # noqa: F401  (registers the tables read below)
from storage.db import core
from storage.search import POSTGRES_PREFER_INDEXES, indexed_message_ids, prefers_indexes

PAGE = 100
CASE_NUMBER = re.compile(r"[Kk]-\d{4}-\d{6}")
# What a piece of a case number can hold: other text is not looked for among the numbers.
NUMBER_PART = re.compile(r"[Kk0-9-]+")
CLOSED = ("resolved", "closed")
ALL = "all"
# Deadline signals, as the templates name them.
OVERDUE, DUE_TODAY = "overdue", "today"


@dataclass(frozen=True)
class Filters:
    mine: bool = False
    unassigned: bool = False
    overdue: bool = False
    status: str = ""  # "": everything not yet resolved; "all": everything
    topic: str = ""
    channel: str = ""
    search: str = ""

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        def flag(name: str) -> bool:
            return query.get(name) in ("1", "on")

        return cls(
            mine=flag("mine"),
            unassigned=flag("unassigned"),
            overdue=flag("overdue"),
            status=query.get("status", "").strip()[:40],
            topic=query.get("topic", "").strip()[:40],
            channel=query.get("channel", "").strip()[:40],
            search=query.get("q", "").strip()[:200],
        )


@dataclass(frozen=True)
class Row:
    number: str
    customer: str
    topic: str | None
    intent: str | None
    # Handed off as an emergency (also a complaint that reported a danger).
    urgent: bool
    channel: str
    status: str
    handler: str | None
    deadline: str | None
    signal: str | None  # OVERDUE, DUE_TODAY or None
    anger: int
    explicit: bool | None
    last_message: str | None


_cases = SQLModel.metadata.tables["cases"]
_customers = SQLModel.metadata.tables["customers"]
_handlers = SQLModel.metadata.tables["handlers"]
_case = _cases.c
_customer = _customers.c
_handler = _handlers.c
_agreement = SQLModel.metadata.tables["agreements"].c
_identity = SQLModel.metadata.tables["channel_identities"].c
_message = SQLModel.metadata.tables["messages"].c


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(
    filters: Filters, *, handler_id: int, now: datetime, dialect: str
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.status == "":
        found.append(_case.status.not_in(CLOSED))
    elif filters.status != ALL:
        found.append(_case.status == filters.status)
    if filters.mine:
        found.append(_case.handler_id == handler_id)
    if filters.unassigned:
        found.append(_case.handler_id.is_(None))
    if filters.overdue:
        # The next deadline has passed when any open one has. Subqueries that do not refer
        # to the case are run once, not once per case.
        found.append(
            _case.id.in_(
                select(_agreement.case_id).where(
                    _agreement.done_at.is_(None), _agreement.due_at < now
                )
            )
        )
    if filters.topic:
        found.append(_case.category == filters.topic)
    if filters.channel:
        found.append(_case.channel == filters.channel)
    if filters.search:
        found.append(_matching(filters.search, dialect))
    return found


def _matching(search: str, dialect: str) -> ColumnElement[bool]:
    """A case number finds that case; other text is looked for in the customer's name,
    addresses and display names, every message of the case (through the search index,
    storage/search.py), and in case numbers when it could be part of one."""
    if CASE_NUMBER.fullmatch(search):
        return _case.number == search.upper()
    pattern = _like(search)

    def like(column: Any) -> ColumnElement[bool]:
        matched: ColumnElement[bool] = column.ilike(pattern, escape="\\")
        return matched

    indexed = indexed_message_ids(dialect, search)
    return or_(
        like(_case.number) if NUMBER_PART.fullmatch(search) else false(),
        _case.customer_id.in_(select(_customer.id).where(like(_customer.name))),
        _case.customer_id.in_(
            select(_identity.customer_id).where(
                or_(like(_identity.address), like(_identity.display_name))
            )
        ),
        _case.id.in_(
            select(_message.case_id).where(
                _message.id.in_(indexed) if indexed is not None else like(_message.text)
            )
        ),
    )


async def case_rows(
    session: AsyncSession, filters: Filters, *, handler_id: int, now: datetime, tz: ZoneInfo
) -> list[Row]:
    db = await core(session)
    if filters.search and prefers_indexes(db.dialect.name, filters.search):
        await db.execute(text(POSTGRES_PREFER_INDEXES))
    page = (
        select(_case.id)
        .where(
            and_(
                true(),
                *_conditions(filters, handler_id=handler_id, now=now, dialect=db.dialect.name),
            )
        )
        .order_by(_case.id.desc())
        .limit(PAGE)
        .subquery("page")
    )
    # What a row shows beyond the case's own columns: looked up for the page's cases alone
    # (the page is picked first, so no database computes these for every matching case).
    address = (
        select(func.coalesce(func.nullif(_identity.display_name, ""), _identity.address))
        .where(_identity.customer_id == _case.customer_id)
        .order_by(_identity.id)
        .limit(1)
        .scalar_subquery()
    )
    due = (
        select(func.min(_agreement.due_at))
        .where(_agreement.case_id == _case.id, _agreement.done_at.is_(None))
        .scalar_subquery()
    )
    last = (
        select(_message.text)
        .where(_message.case_id == _case.id)
        .order_by(_message.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = await db.execute(
        select(
            _case.number,
            _case.category,
            _case.intent,
            _case.urgent,
            _case.channel,
            _case.status,
            _case.anger,
            _case.explicit,
            _customer.name.label("customer_name"),
            address.label("address"),
            _handler.name.label("handler"),
            due.label("due"),
            last.label("last_message"),
        )
        .select_from(
            page.join(_cases, _case.id == page.c.id)
            .join(_customers, _customer.id == _case.customer_id)
            .outerjoin(_handlers, _handler.id == _case.handler_id)
        )
        .order_by(_case.id.desc())
    )
    return [
        Row(
            number=row.number or "",
            customer=row.customer_name or row.address or "",
            topic=row.category,
            intent=row.intent,
            urgent=row.urgent,
            channel=row.channel,
            status=row.status,
            handler=row.handler,
            deadline=_local(row.due, tz),
            signal=deadline_signal(row.due, now, tz),
            anger=row.anger,
            explicit=row.explicit,
            last_message=_gist(row.last_message),
        )
        for row in rows
    ]


def deadline_signal(due: datetime | None, now: datetime, tz: ZoneInfo) -> str | None:
    if due is None:
        return None
    if due < now:
        return OVERDUE
    if due.astimezone(tz).date() == now.astimezone(tz).date():
        return DUE_TODAY
    return None


def _local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


def _gist(text: str | None, limit: int = 120) -> str | None:
    if text is None:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def choices(session: AsyncSession) -> dict[str, list[str]]:
    """The values the status, topic and channel filters offer: those the cases have (one
    pass over the cases for all three)."""
    combinations = (
        await (await core(session)).execute(
            select(_case.status, _case.category, _case.channel).distinct()
        )
    ).all()

    def values(position: int) -> list[str]:
        return sorted({str(found[position]) for found in combinations if found[position]})

    return {"status": values(0), "topic": values(1), "channel": values(2)}
