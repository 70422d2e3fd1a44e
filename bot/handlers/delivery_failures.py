"""A message for a customer that failed for good is not left to the log: the case gets an
audit event, and its handler a notice through the outbox (by email and in the handler
group, whichever is configured), in the organisation's language.

Handed to the dispatcher as its `on_failed` hook; it runs in the transaction that marks the
row failed, so the notice is queued exactly when the failure is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.handler_group import HandlerGroup, buttons
from channels.base import STAFF_TEMPLATES
from common.templates import render
from storage import handlers, outbox, repo
from storage.models import Case, Handler

TEMPLATE = "delivery_failed"


@dataclass(frozen=True)
class FailureNotices:
    language: str
    sender_name: str
    by_email: bool  # an email channel runs, so a handler with an address can be mailed
    group: HandlerGroup | None

    async def __call__(
        self, session: AsyncSession, row: outbox.Claimed, error: str, now: datetime
    ) -> None:
        # A notice about a failed notice would most likely fail the same way.
        if row.case_id is None or row.template.startswith(STAFF_TEMPLATES):
            return
        case = await session.get(Case, row.case_id)
        if case is None:
            return
        await repo.record_audit(
            session,
            case_id=case.id,
            actor="bot",
            action="outbound.failed",
            now=now,
            detail={
                "outbox_id": row.id,
                "channel": row.channel,
                "template": row.template,
                "error": error,
            },
        )
        handler = (
            await session.get(Handler, case.handler_id)
            if case.handler_id
            else await handlers.assignee(session)
        )
        context = {
            "case": case,
            "handler_name": handler.name if handler else None,
            "channel": row.channel,
            "error": error,
            "text": row.body,
            "outbox_id": row.id,
        }
        body = render(f"handler/{self.language}/{TEMPLATE}.txt.j2", **context)
        key = f"outbox:{row.id}:failed:{now.isoformat()}"
        if self.by_email and handler is not None and handler.email:
            subject = render(f"handler/{self.language}/{TEMPLATE}_subject.txt.j2", **context)
            await outbox.enqueue(
                session,
                idempotency_key=f"{key}:email",
                case_id=case.id,
                channel="email",
                recipient=handler.email,
                template=f"{STAFF_TEMPLATES}{TEMPLATE}",
                body=body,
                meta={"case": case.number, "subject": subject, "sender_name": self.sender_name},
                due_at=now,
                now=now,
            )
        if self.group is not None:
            await outbox.enqueue(
                session,
                idempotency_key=f"{key}:group",
                case_id=case.id,
                channel="telegram",
                recipient=self.group.address,
                template=f"{STAFF_TEMPLATES}{TEMPLATE}",
                body=body,
                meta={"case": case.number, "buttons": buttons(case, claimed=True)},
                due_at=now,
                now=now,
            )
