"""Cases as the CLI shows them: rich tables and the handoff summary."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table

from bot.handlers.summary import handoff_summary
from storage import followups, outbox, repo
from storage.db import SessionFactory, transaction
from storage.models import Case, FollowUp, Handler


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


async def case_table(sessions: SessionFactory, limit: int, tz: ZoneInfo) -> Table:
    table = Table(title="Cases")
    table.add_column("case", no_wrap=True)
    for column in ("status", "step", "channel", "lang", "customer", "received", "ack"):
        table.add_column(column)
    async with transaction(sessions) as session:
        for case in await repo.list_cases(session, limit=limit):
            customer = await repo.customer(session, customer_id=case.customer_id)
            table.add_row(
                case.number,
                case.status,
                str(case.dialogue_state.get("step", "")),
                case.channel,
                case.language,
                (customer.name if customer else None) or "—",
                _when(case.received_at, tz),
                _when(case.acknowledged_at, tz),
            )
    return table


async def case_detail(
    sessions: SessionFactory, number: str, tz: ZoneInfo
) -> list[RenderableType] | None:
    async with transaction(sessions) as session:
        case = await repo.case_by_number(session, number=number)
        if case is None or case.id is None:
            return None
        messages = await repo.messages_of_case(session, case_id=case.id)
        queued = await outbox.rows(session, case_id=case.id)
        after = await followups.of_case(session, case_id=case.id)
        handler = await session.get(Handler, case.handler_id) if case.handler_id else None
        # A handed-off case shows the summary the handler got; others, how it stands now.
        summary = case.summary or await handoff_summary(session, case=case, tz=tz)
    parts: list[RenderableType] = [
        _fields(case, tz, handler.name if handler else None),
        Panel(summary, title="Summary for the handler"),
    ]
    history = Table(title="Messages")
    for column in ("at", "dir", "channel", "text"):
        history.add_column(column)
    for message in messages:
        # The kind tells a handler's relayed reply or unverified mail from the customer's.
        said = message.direction
        if message.kind != "text":
            said = f"{said} ({message.kind})"
        history.add_row(_when(message.created_at, tz), said, message.channel, message.text)
    parts.append(history)
    sends = Table(title="Outbox")
    for column in ("id", "template", "status", "due", "attempts", "last error"):
        sends.add_column(column)
    for row in queued:
        sends.add_row(
            str(row.id),
            row.template,
            row.status,
            _when(row.due_at, tz),
            str(row.attempts),
            row.last_error or "",
        )
    parts.append(sends)
    if after:
        parts.append(_followups(after, tz))
    return parts


def _score(value: int | None) -> str:
    return str(value) if value is not None else "—"


def _followups(steps: list[FollowUp], tz: ZoneInfo) -> Table:
    """The steps after resolution, with the customer's answers."""
    table = Table(title="Follow-ups")
    for column in ("kind", "status", "due", "answered", "answer", "comment"):
        table.add_column(column)
    for step in steps:
        if step.kind == "survey" and step.overall is not None:
            answer = (
                f"overall {step.overall}, listened {_score(step.listened)}, "
                f"informed {_score(step.informed)}, resolved {_score(step.resolved)}"
            )
        else:
            answer = step.outcome or ""
        table.add_row(
            step.kind,
            step.status,
            _when(step.due_at, tz),
            _when(step.answered_at, tz),
            answer,
            step.comment or "",
        )
    return table


def _fields(case: Case, tz: ZoneInfo, handler: str | None = None) -> Table:
    table = Table(title=f"Case {case.number}", show_header=False)
    table.add_column("field")
    table.add_column("value")
    rows = {
        "status": case.status,
        "step": str(case.dialogue_state.get("step", "")),
        "channel": case.channel,
        "language": case.language,
        "intent": case.intent or "—",
        "category": case.category or "—",
        "anger": str(case.anger),
        "received": _when(case.received_at, tz),
        "acknowledged": _when(case.acknowledged_at, tz),
        "handed off": _when(case.handed_off_at, tz),
        "handler": handler or "—",
        "first contact due": _when(case.first_contact_due, tz),
        "resolution due": _when(case.resolution_due, tz),
        "resolved": _when(case.resolved_at, tz),
        "closed": _when(case.closed_at, tz),
    }
    for field, value in rows.items():
        table.add_row(field, value)
    return table
