"""`klachtbot report --from DATE --to DATE`: the coordinator's figures for a period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from bot.reports import report
from common.clock import utc_now
from common.terminal import err, out
from storage.db import SessionFactory, transaction


def report_command(
    ctx: typer.Context,
    start: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD.")
    ],
    end: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (included).")
    ],
) -> None:
    """Counts per intent, category and channel; handling times; deadlines met; survey scores
    and response rate; for cases received in the period."""
    # Imported here, not at the top: bot.cli imports this module to register it.
    from bot.cli import _settings, _with_sessions

    if end < start:
        err.print("klachtbot: --to is before --from")
        raise typer.Exit(2)
    settings = _settings(ctx)
    tz = settings.organisation.tz
    since, until = report.period(start.date(), end.date(), tz)

    async def work(sessions: SessionFactory) -> report.Figures:
        async with transaction(sessions) as session:
            return await report.load(session, start=since, end=until, now=utc_now())

    numbers = _with_sessions(settings, work)
    title = f"Report {start:%Y-%m-%d} to {end:%Y-%m-%d}"
    for table in report.tables(numbers, title):
        out.print(table)
