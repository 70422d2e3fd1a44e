"""`klachtbot report --from DATE --to DATE [--format text|html|pdf|csv|json] [--out FILE]`:
the coordinator's report for a period, compared with the period before and a year earlier."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from babel.numbers import format_decimal
from rich.console import Console
from rich.table import Table

from bot.cli.common import settings_of, with_sessions
from bot.cli.output import CsvFlag, JsonFlag, one_format, print_json, say, word
from bot.reports import document
from bot.reports.report import Period
from bot.reports.rows import SCORES
from bot.reports.service import report_record
from bot.runtime.schedule import calendar_for
from common.clock import utc_now
from common.terminal import err, out
from storage.db import SessionFactory


class Format(StrEnum):
    text = "text"
    html = "html"
    pdf = "pdf"
    csv = "csv"
    json = "json"


def report_command(
    ctx: typer.Context,
    start: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD.")
    ],
    end: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (included).")
    ],
    form: Annotated[
        Format | None, typer.Option("--format", help="text (default), html, pdf, csv or json.")
    ] = None,
    target: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (needed for pdf).")
    ] = None,
    json_output: JsonFlag = False,
    csv_output: CsvFlag = False,
) -> None:
    """The report for the cases received in a period.

    Counts per topic, channel and kind over time; hidden complaints; handling time in office
    hours; deadlines met; escalations; execution checks; surveys; repeat complaints;
    patterns that rose above their own baseline; improvement actions.

    --json and --csv are short for --format json and --format csv."""
    one_format(json_output, csv_output)
    alias = Format.json if json_output else Format.csv if csv_output else None
    chosen = form or alias or Format.text
    if alias is not None and form not in (None, alias):
        err.print("klachtbot: choose one of --format, --json and --csv")
        raise typer.Exit(2)
    if end < start:
        err.print("klachtbot: --to is before --from")
        raise typer.Exit(2)
    if chosen is Format.pdf and target is None:
        err.print("klachtbot: a PDF needs --out FILE")
        raise typer.Exit(2)
    settings = settings_of(ctx)
    language = settings.organisation.language
    period = Period(start.date(), end.date())

    async def work(sessions: SessionFactory) -> dict[str, Any]:
        return await report_record(sessions, period, now=utc_now(), calendar=calendar_for(settings))

    data = with_sessions(settings, work)
    if chosen is Format.pdf:
        assert target is not None
        target.write_bytes(document.pdf(document.html(data, language)))
    elif chosen is Format.json and target is None:
        print_json(data)
    elif chosen is Format.text:
        console = out if target is None else Console(file=io_of(target), width=120)
        for table in tables(data, language):
            console.print(table)
    else:
        written = {
            Format.json: lambda: document.json_text(data),
            Format.csv: lambda: document.csv_text(data),
            Format.html: lambda: document.html(data, language),
        }[chosen]()
        if target is None:
            typer.echo(written, nl=False)
        else:
            target.write_text(written, encoding="utf-8")


def io_of(target: Path) -> Any:
    return target.open("w", encoding="utf-8")


def _hours(value: float | None, language: str) -> str:
    if value is None:
        return "—"
    return f"{format_decimal(value, '0.0', locale=language)} {word(language, 'hours')}"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "—"


def _score(value: float | None, language: str) -> str:
    return "—" if value is None else format_decimal(value, "0.0#", locale=language)


def _summary_rows(figures: dict[str, Any], language: str) -> list[tuple[str, str]]:
    averages = figures["survey_averages"]
    return [
        ("received", str(figures["cases"])),
        ("hidden", _share(figures["hidden"], figures["cases"])),
        ("resolved", str(figures["resolved"])),
        ("handling_median", _hours(figures["handling_median_hours"], language)),
        ("handling_p90", _hours(figures["handling_p90_hours"], language)),
        ("first_contact_met", _share(figures["first_contact_met"], figures["first_contact_due"])),
        ("resolution_met", _share(figures["resolution_met"], figures["resolution_due"])),
        ("escalations", str(figures["escalations"])),
        ("checks_no", _share(figures["checks_no"], figures["checks_answered"])),
        *((f"survey_{name}", _score(averages.get(name), language)) for name in SCORES),
        ("survey_rate", _share(figures["surveys_answered"], figures["surveys_sent"])),
        ("repeat_customer_topic", str(figures["repeat_customer_topic"])),
        ("repeat_complex", str(figures["repeat_complex"])),
    ]


def tables(data: dict[str, Any], language: str) -> list[Table]:
    """The figures side by side with the period before (and a year earlier), the counts per
    kind, topic and channel, then the patterns."""
    title = say(language, "report_title", start=data["from"], end=data["to"])
    periods = [data["current"], data["previous"], *([data["year_ago"]] if data["year_ago"] else [])]
    summary = Table(title=title)
    summary.add_column("")
    for key in ("report.this_period", "report.previous_period", "report.year_ago")[: len(periods)]:
        summary.add_column(word(language, key), justify="right")
    columns = [_summary_rows(figures, language) for figures in periods]
    for index, (key, _) in enumerate(columns[0]):
        summary.add_row(word(language, f"report.{key}"), *(column[index][1] for column in columns))
    counts = []
    for name, key in (("intent", "intent."), ("category", "category."), ("channel", "channel.")):
        table = Table(title=word(language, f"report.per_{name}"))
        table.add_column(word(language, f"report.{name}"))
        table.add_column(word(language, "report.this_period"), justify="right")
        table.add_column(word(language, "report.previous_period"), justify="right")
        earlier = data["previous"][f"per_{name}"]
        for value, count in data["current"][f"per_{name}"].items():
            table.add_row(word(language, f"{key}{value}"), str(count), str(earlier.get(value, 0)))
        counts.append(table)
    patterns = Table(title=word(language, "report.patterns"))
    patterns.add_column(word(language, "report.pattern"))
    patterns.add_column(word(language, "report.count"), justify="right")
    patterns.add_column(word(language, "report.baseline"), justify="right")
    for rise in data["rises"]:
        value = rise["value"]
        shown = word(language, f"category.{value}") if rise["dimension"] == "topic" else value
        patterns.add_row(
            f"{word(language, 'report.dimension.' + rise['dimension'])}: {shown}",
            str(rise["count"]),
            format_decimal(rise["baseline"], "0.0#", locale=language),
        )
    for item in data["phrases"]:
        patterns.add_row(f"“{item['phrase']}”", str(item["cases"]), "")
    return [summary, *counts, patterns]


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
