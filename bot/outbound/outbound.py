"""Queue a message for a customer: the dialogue's replies, confirmations, progress news,
execution checks, surveys, closing messages, all through `queue_reply`.

Rendered now, sent when due. Non-urgent messages never fall in quiet hours: their due time
is moved to the end of them here, when they are queued, so the dispatcher needs no rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from bot.policy.calendar import Calendar
from channels.registry import traits_of
from common.logs import log
from common.templates import render, render_message, variant
from common.written import readable_fact
from storage import mail, outbox, repo
from storage.models import Case, Handler


class Sender(Protocol):
    """Who is speaking (bot.intake.intake.Organisation fits)."""

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


def choices_meta(choices: Sequence[str], language: str) -> dict[str, Any]:
    """The answers a channel may offer as buttons, labelled in the customer's language (a
    rating's number is its own label)."""
    return {
        "choices": list(choices),
        "choice_labels": {
            choice: choice if choice.isdigit() else render(f"choices/{language}/{choice}.txt.j2")
            for choice in choices
        },
    }


def email_meta(
    *,
    language: str,
    context: dict[str, Any],
    sender_name: str,
    thread: tuple[str | None, list[str]],
) -> dict[str, Any]:
    """What a mail needs beyond its text: subject, sender name, and the mail it answers."""
    parent, references = thread
    return {
        "subject": render_message(language, "email_subject", **context),
        "sender_name": sender_name,
        "parent_id": parent,
        "references": references,
    }


async def queue_reply(
    session: AsyncSession,
    *,
    case: Case,
    sender: Sender,
    template: str,
    key: str,
    now: datetime,
    context: dict[str, Any] | None = None,
    at: datetime | None = None,
    calendar: Calendar | None = None,
    urgent: bool = False,
    state: DialogueState | None = None,
    handler: Handler | None = None,
    channel: str | None = None,
    recipient: str | None = None,
    choices: Sequence[str] = (),
) -> int | None:
    """One customer message on `case`, in the case's language, through the case's channel
    unless `channel` and `recipient` say otherwise; returns its outbox id, or None when the
    customer paused us (Telegram /stop). `key` makes it idempotent per case: a replayed step
    queues nothing twice.

    Due at `at` (default `now`); with a `calendar`, a non-urgent message waits for the end of
    quiet hours. The dialogue's own answers pass its `state` (newer than the case row in the
    middle of a step) and the `handler` it would name; otherwise both come from the case."""
    assert case.id is not None
    language = state.language if state else case.language
    if handler is None and case.handler_id is not None:
        handler = await session.get(Handler, case.handler_id)
    full: dict[str, Any] = {
        "organisation": sender.name,
        "case_number": case.number,
        "variant": variant(case.id, template),
        "anger": state.anger if state else case.anger,
        "category": state.category if state else case.category,
        "intent": state.intent if state else case.intent,
        "language": language,
        "emergency_phone": sender.emergency_phone,
        "handler_name": handler.name if handler else None,
        **moments(context or {}, tz=sender.tz, language=language),
    }
    if "facts" in full:
        full["facts"] = [
            {**fact, "value": readable_fact(fact["value"], language, fact["slot"])}
            for fact in full["facts"]
        ]
    via = channel or case.channel
    identity = await repo.reply_identity(session, case=case)
    if via == case.channel and identity.paused:
        # The customer asked us to stop writing until they write again.
        log.info("outbound.withheld_paused", case=case.number, template=template)
        return None
    body = render_message(language, template, **full)
    meta: dict[str, Any] = {
        "case": case.number,
        "state": state.step if state else str(case.dialogue_state.get("step", "")),
        **choices_meta(choices, language),
    }
    if traits_of(via).threads:
        # A reply in the case's own thread; a first message there (a confirmation by mail
        # to a chat's customer) starts one.
        thread = (
            await mail.thread_of_case(session, case=case) if via == case.channel else (None, [])
        )
        meta |= email_meta(language=language, context=full, sender_name=sender.name, thread=thread)
    due = at or now
    outbox_id = await outbox.enqueue(
        session,
        idempotency_key=f"case:{case.id}:{key}",
        case_id=case.id,
        channel=via,
        recipient=recipient or identity.address,
        template=template,
        body=body,
        meta=meta,
        due_at=calendar.deliver_at(due, urgent=urgent) if calendar else due,
        now=now,
    )
    log.info("outbound.queued", case=case.number, outbox_id=outbox_id, template=template)
    return outbox_id
