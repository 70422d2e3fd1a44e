"""The report as the command, the desk and the monthly mail ask for it: one call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.policy.calendar import Calendar
from bot.reports import document, improvements
from bot.reports.report import Period, bounds, build
from storage.db import SessionFactory, transaction


async def report_record(
    sessions: SessionFactory, period: Period, *, now: datetime, calendar: Calendar
) -> dict[str, Any]:
    """The report for `period` as plain data (`bot.reports.document.record`); render it
    with `document.html`, `document.pdf`, `document.csv_text` or `document.json_text`."""
    async with transaction(sessions) as session:
        return await record_of(session, period, now=now, calendar=calendar)


async def record_of(
    session: AsyncSession, period: Period, *, now: datetime, calendar: Calendar
) -> dict[str, Any]:
    report = await build(session, period, now=now, calendar=calendar)
    start, end = bounds(period, calendar.tz)
    actions = await improvements.in_report(session, start=start, end=end, now=now)
    return document.record(report, actions)
