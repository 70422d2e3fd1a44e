"""Handlers in a Telegram group: each handoff arrives there with "Oppakken" and "Toon zaak";
/zaken lists open cases with their deadlines, /zaak K-… shows one; a reply to a case message
goes to the customer. Only the configured handler accounts may act; anyone else is refused
and the attempt is kept in the audit trail.

Everything said in the group is an outbox row on the Telegram channel addressed to the
group; an edit of a message already sent is a row with `meta["edit"]`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.chat_commands import parse
from bot.handlers.summary import handoff_summary, local
from common.logs import log
from common.templates import render
from storage import mail, outbox, repo
from storage.models import Case, Handler, Message, OutboxRow

CLAIM, SHOW = "claim:", "show:"
# Messages from the handler group are stored with kinds "handler:text|command|choice".
KIND_PREFIX = "handler:"
# A handler's reply to a case reaches the customer through this.
Relay = Callable[[AsyncSession, Case, str, Message, datetime], Awaitable[None]]


@dataclass(frozen=True)
class HandlerGroup:
    chat_id: int
    user_ids: frozenset[int]
    tz: ZoneInfo
    # The organisation's language: the summaries posted here are written in it.
    language: str = "nl"

    @property
    def address(self) -> str:
        return str(self.chat_id)


def buttons(case: Case, *, claimed: bool) -> list[list[str]]:
    """[label, callback data] pairs; a claimed case keeps only "Toon zaak"."""
    show = [render("handler/button_show.txt.j2"), f"{SHOW}{case.number}"]
    if claimed:
        return [show]
    return [[render("handler/button_claim.txt.j2"), f"{CLAIM}{case.number}"], show]


async def post_handoff(
    session: AsyncSession, group: HandlerGroup, case: Case, summary: str, now: datetime
) -> None:
    await _say(
        session,
        group,
        key=f"case:{case.id}:handoff-group:{now.isoformat()}",
        template="handler/summary",
        body=summary,
        case=case,
        now=now,
        extra={"buttons": buttons(case, claimed=False)},
    )


async def apply(
    session: AsyncSession,
    group: HandlerGroup,
    message: Message,
    now: datetime,
    relay: Relay,
) -> None:
    """One thing someone did in the handler group (stored as `message`)."""
    message.processed_at = now
    user_id = int(message.sender)
    if user_id not in group.user_ids:
        await _refuse(session, group, message, user_id, now)
        return
    handler = (
        await session.exec(select(Handler).where(Handler.telegram_user_id == user_id))
    ).first()
    name = handler.name if handler else f"telegram:{user_id}"
    text = message.text.strip()
    kind = message.kind.removeprefix(KIND_PREFIX)
    if kind == "choice" and text.startswith(CLAIM):
        await _claim(session, group, text.removeprefix(CLAIM), handler, name, now)
    elif kind == "choice" and text.startswith(SHOW):
        await _show(session, group, text.removeprefix(SHOW), message, now)
    elif kind == "command":
        command = parse(text)
        if command.name == "zaken":
            await _list(session, group, message, now)
        elif command.name == "zaak":
            await _show(session, group, command.argument.upper(), message, now)
    elif message.thread:
        case = await mail.case_by_thread(session, message_ids=message.thread)
        if case is not None and message.text.strip():
            message.case_id = case.id
            await relay(session, case, name, message, now)


async def _refuse(
    session: AsyncSession, group: HandlerGroup, message: Message, user_id: int, now: datetime
) -> None:
    await repo.record_audit(
        session,
        case_id=None,
        actor=f"telegram:{user_id}",
        action="handler.refused",
        now=now,
        detail={"message_id": message.id, "text": message.text[:200]},
    )
    log.warning("handler_group.refused", user_id=user_id)
    await _say(
        session,
        group,
        key=f"refused:{message.id}",
        template="handler/refused",
        body=render("handler/refused.txt.j2"),
        case=None,
        now=now,
    )


async def _claim(
    session: AsyncSession,
    group: HandlerGroup,
    number: str,
    handler: Handler | None,
    name: str,
    now: datetime,
) -> None:
    case = await repo.case_by_number(session, number=number)
    if case is None:
        return
    if handler is not None:
        case.handler_id = handler.id
    session.add(case)
    await repo.record_audit(session, case_id=case.id, actor=name, action="handler.claimed", now=now)
    # The handoff message in the group now says who has it.
    posted = (
        await session.exec(
            select(OutboxRow)
            .where(
                OutboxRow.case_id == case.id,
                OutboxRow.template == "handler/summary",
                OutboxRow.recipient == group.address,
                col(OutboxRow.external_id).is_not(None),
            )
            .order_by(col(OutboxRow.id).desc())
        )
    ).first()
    if posted is None:
        return
    await _say(
        session,
        group,
        key=f"claimed:{case.id}:{now.isoformat()}",
        template="handler/claimed",
        body=await handoff_summary(session, case=case, tz=group.tz, language=group.language)
        + "\n\n"
        + render("handler/claimed.txt.j2", handler_name=name),
        case=case,
        now=now,
        extra={"edit": posted.external_id, "buttons": buttons(case, claimed=True)},
    )


async def _show(
    session: AsyncSession, group: HandlerGroup, number: str, message: Message, now: datetime
) -> None:
    case = await repo.case_by_number(session, number=number) if number else None
    if case is None:
        body = render("handler/unknown_case.txt.j2", case_number=number)
    else:
        body = await handoff_summary(session, case=case, tz=group.tz, language=group.language)
    await _say(
        session,
        group,
        key=f"show:{message.id}",
        template="handler/case",
        body=body,
        case=case,
        now=now,
    )


async def _list(
    session: AsyncSession, group: HandlerGroup, message: Message, now: datetime
) -> None:
    open_cases = (
        await session.exec(
            select(Case)
            .where(col(Case.status).not_in(repo.CLOSED_STATUSES))
            .order_by(
                col(Case.first_contact_due).is_(None), col(Case.first_contact_due), col(Case.id)
            )
        )
    ).all()
    handlers = {h.id: h.name for h in (await session.exec(select(Handler))).all()}
    rows = [
        {
            "number": case.number,
            "status": case.status,
            "category": case.category,
            "due": local(case.first_contact_due, group.tz),
            "handler": handlers.get(case.handler_id) if case.handler_id else None,
        }
        for case in open_cases
    ]
    await _say(
        session,
        group,
        key=f"list:{message.id}",
        template="handler/case_list",
        body=render("handler/case_list.txt.j2", cases=rows),
        case=None,
        now=now,
    )


async def _say(
    session: AsyncSession,
    group: HandlerGroup,
    *,
    key: str,
    template: str,
    body: str,
    case: Case | None,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    await outbox.enqueue(
        session,
        idempotency_key=key,
        case_id=case.id if case else None,
        channel="telegram",
        recipient=group.address,
        template=template,
        body=body,
        meta={"case": case.number if case else None, **(extra or {})},
        due_at=now,
        now=now,
    )
