"""`klachtbot outbox list|retry`: messages that wait or failed to be sent, and sending them
again once the cause is fixed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from bot.clock import utc_now
from bot.terminal import err, json_inert, out
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import OutboxRow

outbox_app = typer.Typer(no_args_is_help=True, help="Messages waiting to be sent, or failed.")



@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only messages that failed.")] = False,
    pending: Annotated[
        bool, typer.Option("--pending", help="Only messages still waiting to be sent.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON array.")] = False,
) -> None:
    """Messages not sent (yet): failed and waiting ones, oldest first, with their last error."""
    from bot.cli import _settings, _with_sessions

    settings = _settings(ctx)
    statuses: list[str] = []
    if failed or not pending:
        statuses.append(outbox.FAILED)
    if pending or not failed:
        statuses += [outbox.PENDING, outbox.SENDING]

    async def work(sessions: SessionFactory) -> list[OutboxRow]:
        async with transaction(sessions) as session:
            return await outbox.rows(session, statuses=statuses)

    rows = [_fields(row) for row in _with_sessions(settings, work)]
    if json_output:
        # json escapes control characters; ASCII output keeps C1 codes out as well.
        typer.echo(json_inert(json.dumps(rows, indent=2)))
        return
    out.print(_table(rows, settings.organisation.tz))


@outbox_app.command("retry")
def outbox_retry(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(metavar="ID", show_default=False)] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Every message that failed.")] = False,
) -> None:
    """Send messages again now (by id, or every failed one), with a fresh retry period."""
    from bot.cli import _settings, _with_sessions

    if bool(ids) == failed:
        err.print("klachtbot: give message ids or --failed")
        raise typer.Exit(2)
    settings = _settings(ctx)

    async def work(sessions: SessionFactory) -> list[int]:
        async with transaction(sessions) as session:
            return await outbox.retry(session, now=utc_now(), ids=ids or None)

    taken = _with_sessions(settings, work)
    listed = ", ".join(map(str, taken)) or "none"
    out.print(f"queued again: {listed}")
    left = sorted(set(ids or ()) - set(taken))
    if left:
        err.print(
            f"klachtbot: not queued again (no such message, or it was sent, cancelled or is "
            f"being sent): {', '.join(map(str, left))}",
        )
        raise typer.Exit(1)


def _fields(row: OutboxRow) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": row.id,
        "status": row.status,
        "channel": row.channel,
        "case": row.meta.get("case"),
        "recipient": row.recipient,
        "template": row.template,
        "attempts": row.attempts,
        "due_at": moment(row.due_at),
        "failing_since": moment(row.failing_since),
        "last_error": row.last_error,
    }


def _table(rows: list[dict[str, Any]], tz: ZoneInfo) -> Table:
    table = Table(title="Outbox")
    for column in ("id", "status", "channel", "case", "recipient", "template", "tries"):
        table.add_column(column, no_wrap=True)
    for column in ("due", "failing since", "last error"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["status"],
            row["channel"],
            row["case"] or "—",
            row["recipient"],
            row["template"],
            str(row["attempts"]),
            _local(row["due_at"], tz),
            _local(row["failing_since"], tz),
            row["last_error"] or "—",
        )
    return table


def _local(moment: str | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "—"
    return datetime.fromisoformat(moment).astimezone(tz).strftime("%Y-%m-%d %H:%M")

