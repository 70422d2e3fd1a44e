"""The monthly (and quarterly) report, mailed to the coordinators as a PDF.

On the first working day of a month, from opening time, the previous month's report goes to
every handler with role "coordinator" and an email address; in January, April, July and
October the previous quarter's too when `[reports] quarterly` is on. Run from the
follow-up tick, once a minute: an audit event per period (`report.planned`, its key in the
detail) is written in the same transaction as the outbox rows, so the PDF is built once per
period and a restart plans nothing twice; the outbox's own key per period and recipient
makes the send once.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.policy.calendar import Calendar
from bot.reports import document
from bot.reports.report import Period
from bot.reports.service import record_of
from common.logs import log
from common.templates import render
from storage import outbox, repo
from storage.models import AuditEvent, Handler

PLANNED = "report.planned"
COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Schedule:
    """`[reports]` and what the mail needs of the organisation."""

    monthly: bool = True
    quarterly: bool = False
    language: str = "nl"
    sender_name: str = ""


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def first_working_moment(month: date, calendar: Calendar) -> datetime:
    """Opening time on the first working day of `month`."""
    midnight = datetime.combine(month, time(0), tzinfo=calendar.tz)
    return calendar.next_open(midnight)


def due_periods(now: datetime, calendar: Calendar, schedule: Schedule) -> list[tuple[str, Period]]:
    """The reports due at `now`: (kind, period) for the month (and quarter) just ended, once
    this month's first working day has begun."""
    this_month = _month_start(now.astimezone(calendar.tz).date())
    if now < first_working_moment(this_month, calendar):
        return []
    last_day = this_month - timedelta(days=1)
    due = []
    if schedule.monthly:
        due.append(("month", Period(_month_start(last_day), last_day)))
    if schedule.quarterly and this_month.month in (1, 4, 7, 10):
        due.append(("quarter", Period(_month_start(this_month, back=3), last_day)))
    return due


def key_of(kind: str, period: Period) -> str:
    return f"report:{kind}:{period.start.isoformat()}:{period.end.isoformat()}"


async def _planned(session: AsyncSession, keys: list[str]) -> set[str]:
    details = await session.exec(select(AuditEvent.detail).where(col(AuditEvent.action) == PLANNED))
    return {str(detail.get("key")) for detail in details} & set(keys)


async def _coordinators(session: AsyncSession) -> list[Handler]:
    found = await session.exec(
        select(Handler).where(col(Handler.role) == COORDINATOR).order_by(col(Handler.id))
    )
    return [person for person in found if person.email]


def _files(data: dict[str, Any], language: str) -> bytes:
    return document.pdf(document.html(data, language))


async def send_when_due(
    session: AsyncSession, *, now: datetime, calendar: Calendar, schedule: Schedule
) -> int:
    """Queue the reports that are due and not yet planned; returns how many mails."""
    due = due_periods(now, calendar, schedule)
    done = await _planned(session, [key_of(kind, period) for kind, period in due])
    queued = 0
    for kind, period in due:
        key = key_of(kind, period)
        if key in done:
            continue
        people = await _coordinators(session)
        detail: dict[str, Any] = {"key": key, "recipients": len(people)}
        if people:
            data = await record_of(session, period, now=now, calendar=calendar)
            # WeasyPrint and matplotlib take a second or two: off the event loop.
            pdf = await asyncio.to_thread(_files, data, schedule.language)
            context = {"kind": kind, "report": data, "sender_name": schedule.sender_name}
            folder = f"reports/{schedule.language}"
            name = f"{render(f'{folder}/file_name.txt.j2', **context)}.pdf"
            for person in people:
                assert person.email is not None
                await outbox.enqueue(
                    session,
                    idempotency_key=f"{key}:{person.id}",
                    channel="email",
                    recipient=person.email,
                    template="report",
                    body=render(f"{folder}/mail.txt.j2", handler_name=person.name, **context),
                    meta={
                        "subject": render(f"{folder}/mail_subject.txt.j2", **context),
                        "sender_name": schedule.sender_name,
                        "attachments": [
                            {
                                "filename": name,
                                "content_type": "application/pdf",
                                "data": base64.b64encode(pdf).decode("ascii"),
                            }
                        ],
                    },
                    due_at=now,
                    now=now,
                )
                queued += 1
            log.info("report.queued", period=key, recipients=len(people), pdf_bytes=len(pdf))
        else:
            log.warning("report.no_recipient", period=key, setting="handlers.role=coordinator")
        await repo.record_audit(
            session, case_id=None, actor="bot", action=PLANNED, now=now, detail=detail
        )
    return queued
