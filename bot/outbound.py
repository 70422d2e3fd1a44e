"""Queue a message for a customer outside the dialogue's own replies: confirmations,
progress news, execution checks, surveys, closing messages.

Rendered now, sent when due. Non-urgent messages never fall in quiet hours: their due time
is moved to the end of them here, when they are queued, so the dispatcher needs no rule.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.calendar import Calendar
from bot.templates import render_message
from storage import mail, outbox, repo
from storage.models import Case, Handler


class Sender(Protocol):
    """Who is speaking (bot.intake.Organisation fits)."""

    @property
    def name(self) -> str: ...
    @property
    def emergency_phone(self) -> str: ...
    @property
    def tz(self) -> ZoneInfo: ...


def readable_day(moment: datetime, *, tz: ZoneInfo, language: str) -> str:
    """ "dinsdag 25 november" / "Tuesday 25 November": as people write a date."""
    return format_date(moment.astimezone(tz), "EEEE d MMMM", locale=language)


def readable_time(moment: datetime, *, tz: ZoneInfo, language: str) -> str:
    return format_time(moment.astimezone(tz), "HH:mm", locale=language)


def readable_fact(value: str, language: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return format_date(day, "EEEE d MMMM yyyy", locale=language)


def moments(context: dict[str, Any], *, tz: ZoneInfo, language: str) -> dict[str, Any]:
    """Every `<name>_at` datetime in the context also as `<name>_day` and `<name>_time`."""
    shown = dict(context)
    for key, value in context.items():
        if key.endswith("_at") and isinstance(value, datetime):
            stem = key.removesuffix("_at")
            shown[f"{stem}_day"] = readable_day(value, tz=tz, language=language)
            shown[f"{stem}_time"] = readable_time(value, tz=tz, language=language)
            del shown[key]
    return shown


async def queue_for_customer(
    session: AsyncSession,
    *,
    case: Case,
    sender: Sender,
    calendar: Calendar,
    template: str,
    key: str,
    at: datetime,
    now: datetime,
    context: dict[str, Any] | None = None,
    urgent: bool = False,
    channel: str | None = None,
    recipient: str | None = None,
    choices: tuple[str, ...] = (),
) -> int:
    """One customer message on `case`, due at `at` (or when quiet hours end), in the case's
    language, through the case's channel unless `channel` and `recipient` say otherwise;
    returns its outbox id. `key` makes it idempotent per case: a replayed step queues
    nothing twice."""
    assert case.id is not None
    language = case.language
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    full: dict[str, Any] = {
        "organisation": sender.name,
        "case_number": case.number,
        "variant": zlib.crc32(f"{case.number}/{template}".encode()),
        "anger": case.anger,
        "category": case.category,
        "intent": case.intent,
        "language": language,
        "emergency_phone": sender.emergency_phone,
        "handler_name": handler.name if handler else None,
        **moments(context or {}, tz=sender.tz, language=language),
    }
    body = render_message(language, template, **full)
    via = channel or case.channel
    meta: dict[str, Any] = {
        "case": case.number,
        "state": str(case.dialogue_state.get("step", "")),
        "choices": list(choices),
    }
    if via == "email":
        parent, references = (
            await mail.thread_of_case(session, case=case) if case.channel == "email" else (None, [])
        )
        meta |= {
            "subject": render_message(language, "email_subject", **full),
            "sender_name": sender.name,
            "parent_id": parent,
            "references": references,
        }
    return await outbox.enqueue(
        session,
        idempotency_key=f"case:{case.id}:{key}",
        case_id=case.id,
        channel=via,
        recipient=recipient or (await repo.reply_identity(session, case=case)).address,
        template=template,
        body=body,
        meta=meta,
        due_at=calendar.deliver_at(at, urgent=urgent),
        now=now,
    )
