"""`klachtbot report --from DATE --to DATE`: the coordinator's figures for a period."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer

from bot import report
from bot.cli.common import settings_of, with_sessions
from bot.cli.output import CsvFlag, JsonFlag, one_format, print_csv, print_json
from bot.clock import utc_now
from bot.terminal import err, out
from storage.db import SessionFactory, transaction


def report_command(
    ctx: typer.Context,
    start: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD.")
    ],
    end: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (included).")
    ],
    json_output: JsonFlag = False,
    csv_output: CsvFlag = False,
) -> None:
    """Figures for the cases received in a period.

    Counts per intent, category and channel; handling times; deadlines met; surveys.

    --json: one object, durations in seconds.

    --csv: one figure per row (per_category.billing, handling_median, …)."""
    one_format(json_output, csv_output)
    if end < start:
        err.print("klachtbot: --to is before --from")
        raise typer.Exit(2)
    settings = settings_of(ctx)
    tz = settings.organisation.tz
    since, until = report.period(start.date(), end.date(), tz)

    async def work(sessions: SessionFactory) -> report.Figures:
        async with transaction(sessions) as session:
            return await report.load(session, start=since, end=until, now=utc_now())

    numbers = with_sessions(settings, work)
    record = {"from": f"{start:%Y-%m-%d}", "to": f"{end:%Y-%m-%d}", **figures_record(numbers)}
    if json_output:
        print_json(record)
    elif csv_output:
        print_csv(
            [{"figure": name, "value": value} for name, value in flat(record)], ("figure", "value")
        )
    else:
        title = f"Report {start:%Y-%m-%d} to {end:%Y-%m-%d}"
        for table in report.tables(numbers, title):
            out.print(table)


def figures_record(numbers: report.Figures) -> dict[str, Any]:
    """The figures as JSON values: durations in seconds."""
    return {
        name: value.total_seconds() if isinstance(value, timedelta) else value
        for name, value in asdict(numbers).items()
    }


def flat(record: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """`{"per_intent": {"complaint": 3}}` as `[("per_intent.complaint", 3)]`."""
    pairs: list[tuple[str, Any]] = []
    for name, value in record.items():
        if isinstance(value, dict):
            pairs += flat(value, f"{prefix}{name}.")
        else:
            pairs.append((f"{prefix}{name}", value))
    return pairs


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
