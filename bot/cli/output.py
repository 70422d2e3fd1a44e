"""How commands speak: to people in the organisation's language, with dates as people
write them and the zone shown; to programs as JSON or CSV.

Every word comes from `templates/cli/<language>/`; text from outside (customers' names and
words) is printed through `bot.terminal`, which keeps it inert.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from babel.dates import format_date, format_time

from common.templates import labels, render
from common.terminal import err, inert, json_inert

JsonFlag = Annotated[
    bool, typer.Option("--json", help="For programs: JSON, dates in ISO 8601 (UTC).")
]
CsvFlag = Annotated[
    bool, typer.Option("--csv", help="For spreadsheets: CSV with a header row, dates in ISO 8601.")
]


def say(language: str, name: str, /, **context: Any) -> str:
    """A sentence from `templates/cli/<language>/<name>.txt.j2`."""
    return render(f"cli/{language}/{name}.txt.j2", **context)


@cache
def words(language: str) -> Mapping[str, str]:
    """The labels of `templates/cli/<language>/words.txt.j2`: one `key: text` per line."""
    return labels(f"cli/{language}/words.txt.j2")


def word(language: str, key: str) -> str:
    """The label for `key` ("status.open"); a value no template names is shown as stored
    ("status.new" shows "new")."""
    return words(language).get(key, key.split(".", 1)[-1])


def moment(at: datetime | None, tz: ZoneInfo, language: str) -> str:
    """'vr 4 dec 2026 18:30 CET' / 'Fri 4 Dec 2026 18:30 CET'; '—' for none."""
    return _written(at, tz, language, "EEE d MMM yyyy")


def short_moment(at: datetime | None, tz: ZoneInfo, language: str, now: datetime) -> str:
    """For lists: '4 dec 18:30 CET', with the year only when it is not this year."""
    this_year = at is not None and at.astimezone(tz).year == now.astimezone(tz).year
    return _written(at, tz, language, "d MMM" if this_year else "d MMM yyyy")


def _written(at: datetime | None, tz: ZoneInfo, language: str, day: str) -> str:
    if at is None:
        return "—"
    local = at.astimezone(tz)
    written = format_date(local, day, locale=language)
    return f"{written} {format_time(local, 'HH:mm', locale=language)} {local.tzname()}"


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def one_format(json_output: bool, csv_output: bool) -> None:
    if json_output and csv_output:
        err.print("klachtbot: give --json or --csv, not both")
        raise typer.Exit(2)


def print_json(data: Any) -> None:
    # json escapes C0 controls; json_inert writes the rest a terminal acts on as \u escapes.
    typer.echo(json_inert(json.dumps(data, indent=2, ensure_ascii=False)))


def print_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        # CSV has no escapes: sequences a terminal would act on are removed from the cells.
        writer.writerow({key: inert(v) if isinstance(v, str) else v for key, v in row.items()})
    typer.echo(buffer.getvalue(), nl=False)
