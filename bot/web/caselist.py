"""The case list at a glance: which cases, filtered and searched, with what each row shows.

One query picks the page of cases; three more fetch, for those cases only, their customers,
next deadlines and last messages, so the page costs the same whatever the table holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import core

PAGE = 100
CASE_NUMBER = re.compile(r"[Kk]-\d{4}-\d{6}")
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
    channel: str
    status: str
    handler: str | None
    deadline: str | None
    signal: str | None  # OVERDUE, DUE_TODAY or None
    anger: int
    explicit: bool | None
    last_message: str | None


_case = SQLModel.metadata.tables["cases"].c
_agreement = SQLModel.metadata.tables["agreements"].c
_customer = SQLModel.metadata.tables["customers"].c
_identity = SQLModel.metadata.tables["channel_identities"].c
_message = SQLModel.metadata.tables["messages"].c
_handler = SQLModel.metadata.tables["handlers"].c


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: Filters, *, handler_id: int, now: datetime) -> list[ColumnElement[bool]]:
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
        found.append(_matching(filters.search))
    return found


def _matching(search: str) -> ColumnElement[bool]:
    """A case number finds that case; other text is looked for in the case number, the
    customer's name, addresses and display names, and every message of the case."""
    if CASE_NUMBER.fullmatch(search):
        return _case.number == search.upper()
    pattern = _like(search)

    def like(column: Any) -> ColumnElement[bool]:
        matched: ColumnElement[bool] = column.ilike(pattern, escape="\\")
        return matched

    return or_(
        like(_case.number),
        _case.customer_id.in_(select(_customer.id).where(like(_customer.name))),
        _case.customer_id.in_(
            select(_identity.customer_id).where(
                or_(like(_identity.address), like(_identity.display_name))
            )
        ),
        _case.id.in_(select(_message.case_id).where(like(_message.text))),
    )


async def case_rows(
    session: AsyncSession, filters: Filters, *, handler_id: int, now: datetime, tz: ZoneInfo
) -> list[Row]:
    db = await core(session)
    cases = (
        await db.execute(
            select(SQLModel.metadata.tables["cases"])
            .where(and_(true(), *_conditions(filters, handler_id=handler_id, now=now)))
            .order_by(_case.id.desc())
            .limit(PAGE)
        )
    ).all()
    if not cases:
        return []
    ids = [case.id for case in cases]
    customer_ids = {case.customer_id for case in cases}
    names: dict[int, str | None] = {
        row.id: row.name
        for row in await db.execute(
            select(_customer.id, _customer.name).where(_customer.id.in_(customer_ids))
        )
    }
    addresses: dict[int, str] = {}
    for row in await db.execute(
        select(_identity.customer_id, _identity.display_name, _identity.address)
        .where(_identity.customer_id.in_(customer_ids))
        .order_by(_identity.id)
    ):
        addresses.setdefault(row.customer_id, row.display_name or row.address)
    due: dict[int, datetime] = {
        row.case_id: row.due
        for row in await db.execute(
            select(_agreement.case_id, func.min(_agreement.due_at).label("due"))
            .where(_agreement.case_id.in_(ids), _agreement.done_at.is_(None))
            .group_by(_agreement.case_id)
        )
    }
    newest = (
        select(func.max(_message.id)).where(_message.case_id.in_(ids)).group_by(_message.case_id)
    )
    last: dict[int, str] = {
        row.case_id: row.text
        for row in await db.execute(
            select(_message.case_id, _message.text).where(_message.id.in_(newest))
        )
    }
    handlers: dict[int, str] = {
        row.id: row.name for row in await db.execute(select(_handler.id, _handler.name))
    }
    return [
        Row(
            number=case.number or "",
            customer=names.get(case.customer_id) or addresses.get(case.customer_id, ""),
            topic=case.category,
            intent=case.intent,
            channel=case.channel,
            status=case.status,
            handler=handlers.get(case.handler_id) if case.handler_id else None,
            deadline=_local(due.get(case.id), tz),
            signal=deadline_signal(due.get(case.id), now, tz),
            anger=case.anger,
            explicit=case.explicit,
            last_message=_gist(last.get(case.id)),
        )
        for case in cases
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
    """The values the status, topic and channel filters offer: those the cases have."""

    db = await core(session)

    async def distinct(column: Any) -> list[str]:
        values = (await db.execute(select(column).distinct())).scalars()
        return sorted(str(value) for value in values if value)

    return {
        "status": await distinct(_case.status),
        "topic": await distinct(_case.category),
        "channel": await distinct(_case.channel),
    }
