"""`klachtbot outbox list|retry`: messages that wait or failed to be sent, and sending them
again once the cause is fixed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from bot.cli.common import settings_of, with_sessions
from bot.cli.output import moment, word
from common.clock import utc_now
from common.terminal import err, json_inert, out
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

    settings = settings_of(ctx)
    statuses: list[str] = []
    if failed or not pending:
        statuses.append(outbox.FAILED)
    if pending or not failed:
        statuses += [outbox.PENDING, outbox.SENDING]

    async def work(sessions: SessionFactory) -> list[OutboxRow]:
        async with transaction(sessions) as session:
            return await outbox.rows(session, statuses=statuses)

    rows = [_fields(row) for row in with_sessions(settings, work)]
    if json_output:
        # json escapes control characters; ASCII output keeps C1 codes out as well.
        typer.echo(json_inert(json.dumps(rows, indent=2)))
        return
    out.print(_table(rows, settings.organisation.tz, settings.organisation.language))


@outbox_app.command("retry")
def outbox_retry(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(metavar="ID", show_default=False)] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Every message that failed.")] = False,
) -> None:
    """Send messages again now (by id, or every failed one), with a fresh retry period."""

    if bool(ids) == failed:
        err.print("klachtbot: give message ids or --failed")
        raise typer.Exit(2)
    settings = settings_of(ctx)

    async def work(sessions: SessionFactory) -> list[int]:
        async with transaction(sessions) as session:
            return await outbox.retry(session, now=utc_now(), ids=ids or None)

    taken = with_sessions(settings, work)
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


def _table(rows: list[dict[str, Any]], tz: ZoneInfo, language: str) -> Table:
    table = Table(title=word(language, "outbox"))
    for key in ("id", "status", "channel", "case", "recipient", "template", "attempts"):
        table.add_column(word(language, key), no_wrap=True)
    for key in ("due", "failing_since", "last_error"):
        table.add_column(word(language, key))
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["status"],
            row["channel"],
            row["case"] or "—",
            row["recipient"],
            row["template"],
            str(row["attempts"]),
            _local(row["due_at"], tz, language),
            _local(row["failing_since"], tz, language),
            row["last_error"] or "—",
        )
    return table


def _local(at: str | None, tz: ZoneInfo, language: str) -> str:
    return moment(datetime.fromisoformat(at) if at else None, tz, language)


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
