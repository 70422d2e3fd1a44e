"""`klachtbot report --from DATE --to DATE`: the coordinator's figures for a period."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from babel.numbers import format_decimal
from rich.table import Table

from bot.cli.common import settings_of, with_sessions
from bot.cli.output import CsvFlag, JsonFlag, one_format, print_csv, print_json, say, word
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
        language = settings.organisation.language
        title = say(language, "report_title", start=start.date(), end=end.date())
        for table in tables(numbers, title, language):
            out.print(table)


def _duration(value: timedelta | None, language: str) -> str:
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return f"{format_decimal(hours, '0.0', locale=language)} {word(language, 'hours')}"
    return f"{format_decimal(hours / 24, '0.0', locale=language)} {word(language, 'days')}"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "—"


def tables(numbers: report.Figures, title: str, language: str) -> list[Table]:
    """The figures, then the counts per intent, category and channel."""
    counts = []
    for name, values, key in (
        ("intent", numbers.per_intent, "intent."),
        ("category", numbers.per_category, "category."),
        ("channel", numbers.per_channel, "channel."),
    ):
        table = Table(title=word(language, f"report.per_{name}"))
        table.add_column(word(language, f"report.{name}"))
        table.add_column(word(language, "report.count"), justify="right")
        for value, count in values.items():
            table.add_row(word(language, f"{key}{value}"), str(count))
        counts.append(table)
    summary = Table(title=title, show_header=False)
    summary.add_column("")
    summary.add_column("", justify="right")
    averages = numbers.survey_averages
    for key, value in (
        ("received", str(numbers.cases)),
        ("resolved", str(numbers.resolved)),
        ("handling_median", _duration(numbers.handling_median, language)),
        ("handling_p90", _duration(numbers.handling_p90, language)),
        ("first_contact_met", _share(numbers.first_contact_met, numbers.first_contact_due)),
        ("resolution_met", _share(numbers.resolution_met, numbers.resolution_due)),
        *(
            (
                f"survey_{name}",
                "—"
                if (average := averages.get(name)) is None
                else format_decimal(average, "0.0#", locale=language),
            )
            for name in report.SCORES
        ),
        ("survey_rate", _share(numbers.surveys_answered, numbers.surveys_sent)),
    ):
        summary.add_row(word(language, f"report.{key}"), value)
    return [summary, *counts]


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
