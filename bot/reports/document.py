"""The report as a record (JSON), as rows (CSV), as an HTML page and as a PDF for A4.

The record is the one shape every format is made from: the desk, the monthly mail and the
command all show the same figures. Durations are office hours.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from markupsafe import Markup

from bot.reports import charts
from bot.reports.report import Figures, Report
from common.templates import labels, render

CSV_COLUMNS = ("figure", "value")


def _figures(numbers: Figures | None) -> dict[str, Any] | None:
    return None if numbers is None else asdict(numbers)


def record(report: Report, improvements: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Plain JSON values: dates as YYYY-MM-DD, hours as numbers."""
    return {
        "from": report.period.start.isoformat(),
        "to": report.period.end.isoformat(),
        "previous_from": report.previous_period.start.isoformat(),
        "previous_to": report.previous_period.end.isoformat(),
        "bucket": report.bucket,
        "current": _figures(report.current),
        "previous": _figures(report.previous),
        "year_ago": _figures(report.year_ago),
        "series": report.series,
        "rises": [asdict(rise) for rise in report.rises],
        "phrases": [{"phrase": phrase, "cases": cases} for phrase, cases in report.phrases],
        "improvements": improvements or [],
    }


def flat(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """`{"current": {"per_intent": {"complaint": 3}}}` as `[("current.per_intent.complaint",
    3)]`; list items by their index."""
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = list(value.items())
    elif isinstance(value, list):
        items = [(str(index), item) for index, item in enumerate(value)]
    else:
        return [(prefix.rstrip("."), value)]
    pairs: list[tuple[str, Any]] = []
    for name, item in items:
        pairs += flat(item, f"{prefix}{name}.")
    return pairs


def json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def cell(value: Any) -> str:
    """A CSV cell: empty for none, numbers as Python writes them."""
    return "" if value is None else str(value)


def csv_text(data: dict[str, Any]) -> str:
    """One figure per row; a spreadsheet sorts and filters them by name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for name, value in flat(data):
        writer.writerow((name, cell(value)))
    return buffer.getvalue()


def value_labels(language: str) -> dict[str, str]:
    """Topics, kinds and channels in the reader's language (the command's words)."""
    return labels(f"cli/{language}/words.txt.j2")


def html(data: dict[str, Any], language: str) -> str:
    """A page readable on screen and at A4; charts inline as SVG, no script."""
    words = value_labels(language)
    named = {
        name: {
            value.split(".", 1)[1]: text
            for value, text in words.items()
            if value.startswith(f"{name}.")
        }
        for name in ("intent", "category", "channel")
    }
    other = render(f"reports/{language}/other.txt.j2")
    drawn = {
        name: Markup(charts.stacked_series(data["series"][name], named[name], other, name))
        if data["series"].get(name)
        else None
        for name in ("category", "channel", "intent")
    }
    return render(f"reports/{language}/report.html.j2", report=data, names=named, charts=drawn)


def pdf(page: str) -> bytes:
    """The HTML page as an A4 PDF (WeasyPrint: the page's own CSS sets the size)."""
    from weasyprint import HTML  # imported here: a second to load, only for a PDF

    result = HTML(string=page).write_pdf()
    assert result is not None
    return bytes(result)
