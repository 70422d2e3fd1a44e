"""Cases shown: tables for people at any width down to 80 columns, records for programs.

A case number and a date are never cut: their columns do not wrap and are as wide as their
longest value; the handler, topic and customer columns give way and wrap instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.cli.casefile import CaseFile, CaseLine, Deadline
from bot.cli.output import iso, moment, say, short_moment, word

OVERDUE = "!"
# A moment written out for people: `moment` with the zone and language filled in.
Written = Callable[[datetime | None], str]


def topic(language: str, category: str | None, intent: str | None) -> str:
    """The category in words; for what is not a complaint, the kind of message."""
    if category:
        return word(language, f"category.{category}")
    return word(language, f"intent.{intent}") if intent else "—"


def _table(title: str | None = None) -> Table:
    # No borders, one space between columns, the header underlined: at 80 columns the room
    # goes to the words.
    return Table(
        title=title,
        box=None,
        padding=(0, 1, 0, 0),
        pad_edge=False,
        header_style="bold underline",
    )


def _fixed(table: Table, header: str, values: list[str], **options: Any) -> int:
    """A column that never wraps and is as wide as its widest value; returns that width."""
    width = max([len(header), *(len(value) for value in values)])
    table.add_column(header, no_wrap=True, width=width, **options)
    return width


def _share(room: int, wants: list[int], floors: list[int]) -> list[int]:
    """Split `room` over columns that want `wants` and need at least `floors`: each gets
    its floor, then what is left goes to the columns in the order given, up to what each
    wants."""
    widths = list(floors)
    left = room - sum(floors)
    for index, want in enumerate(wants):
        extra = max(min(want - widths[index], left), 0)
        widths[index] += extra
        left -= extra
    return widths


def case_table(
    lines: list[CaseLine], tz: ZoneInfo, language: str, now: datetime, width: int
) -> Table:
    dues = [short_moment(line.next_due, tz, language, now) for line in lines]
    marked = [
        f"{OVERDUE} {due}" if line.overdue else due for line, due in zip(lines, dues, strict=True)
    ]
    statuses = [word(language, f"status.{line.status}") for line in lines]
    topics = [topic(language, line.category, line.intent) for line in lines]
    handlers = [line.handler or "—" for line in lines]
    customers = [line.customer or "—" for line in lines]
    table = _table(word(language, "cases"))
    fixed = [
        _fixed(table, word(language, "case"), [line.number for line in lines]),
        _fixed(table, word(language, "status"), statuses),
    ]
    # What is left after the case number, status and deadline (and a space between columns)
    # goes to the customer first, then the handler, then the topic.
    deadline = word(language, "deadline")
    fixed.append(max([len(deadline), *map(len, marked)]))
    room = width - sum(fixed) - 5
    headers = [word(language, key) for key in ("customer", "handler", "topic")]
    widest = [
        max([len(header), *map(len, values)])
        for header, values in zip(headers, (customers, handlers, topics), strict=True)
    ]
    customer_width, handler_width, topic_width = _share(
        room,
        wants=[widest[0], min(widest[1], 20), min(widest[2], 12)],
        floors=[max(len(headers[0]), 8), len(headers[1]), min(widest[2], 12)],
    )
    table.add_column(headers[1], width=handler_width, overflow="ellipsis")
    _fixed(table, deadline, marked)
    table.add_column(headers[2], width=topic_width, overflow="ellipsis")
    table.add_column(headers[0], width=customer_width, overflow="ellipsis")
    for line, status, handler, due, about, customer in zip(
        lines, statuses, handlers, marked, topics, customers, strict=True
    ):
        table.add_row(
            line.number,
            status,
            handler,
            Text(due, style="bold red") if line.overdue else due,
            about,
            customer,
        )
    if any(line.overdue for line in lines):
        table.caption = word(language, "overdue_legend")
    elif not lines:
        table.caption = word(language, "none")
    return table


def line_record(line: CaseLine) -> dict[str, Any]:
    return {
        "number": line.number,
        "status": line.status,
        "handler": line.handler,
        "next_due": iso(line.next_due),
        "overdue": line.overdue,
        "intent": line.intent,
        "category": line.category,
        "customer": line.customer,
        "channel": line.channel,
        "received_at": iso(line.received_at),
    }


# -- one case --------------------------------------------------------------------------------


def case_file_parts(
    shown: CaseFile, tz: ZoneInfo, language: str, now: datetime
) -> list[RenderableType]:
    case = shown.case

    def when(at: datetime | None) -> str:
        return moment(at, tz, language)

    fields = _table(f"{word(language, 'case')} {case.number}")
    fields.show_header = False
    fields.add_column("", no_wrap=True)
    fields.add_column("")
    for key, value in (
        ("status", word(language, f"status.{case.status}")),
        ("topic", topic(language, case.category, case.intent)),
        ("customer", shown.customer or "—"),
        ("channel", case.channel),
        ("language", case.language),
        ("handler", shown.handler or "—"),
        ("received", when(case.received_at)),
        ("acknowledged", when(case.acknowledged_at)),
        ("handed_off", when(case.handed_off_at)),
        ("resolved", when(case.resolved_at)),
        ("closed", when(case.closed_at)),
    ):
        fields.add_row(word(language, key), value)
    parts: list[RenderableType] = [fields, Panel(shown.summary, title=word(language, "summary"))]
    if shown.deadlines:
        parts.append(_deadlines(shown.deadlines, language, now, when))
    timeline = _table(word(language, "timeline"))
    moments = [when(entry.at) for entry in shown.timeline]
    _fixed(timeline, word(language, "at"), moments)
    timeline.add_column(word(language, "who"), max_width=16)
    timeline.add_column(word(language, "what"), ratio=2)
    timeline.add_column(word(language, "text"), ratio=3)
    for entry, at in zip(shown.timeline, moments, strict=True):
        due = entry.detail.get("due_at")
        what = say(
            language,
            "event",
            kind=entry.kind,
            detail=entry.detail,
            due=when(datetime.fromisoformat(due)) if isinstance(due, str) else "",
        )
        timeline.add_row(at, word(language, f"who.{entry.who}"), what, entry.text)
    parts.append(timeline)
    if shown.outbox:
        parts.append(_outbox(shown, language, when))
    return parts


def _deadlines(deadlines: list[Deadline], language: str, now: datetime, when: Written) -> Table:
    table = _table(word(language, "deadlines"))
    dues = [when(d.due_at) for d in deadlines]
    marked = [
        f"{OVERDUE} {due}" if d.done_at is None and d.due_at and d.due_at < now else due
        for d, due in zip(deadlines, dues, strict=True)
    ]
    table.add_column(word(language, "what"), ratio=1)
    _fixed(table, word(language, "due"), marked)
    _fixed(table, word(language, "done"), [when(d.done_at) for d in deadlines])
    for deadline, due in zip(deadlines, marked, strict=True):
        what = deadline.what if deadline.agreed else word(language, f"deadline.{deadline.what}")
        late = due.startswith(OVERDUE)
        table.add_row(what, Text(due, style="bold red") if late else due, when(deadline.done_at))
    if any(due.startswith(OVERDUE) for due in marked):
        table.caption = word(language, "overdue_legend")
    return table


def _outbox(shown: CaseFile, language: str, when: Written) -> Table:
    table = _table(word(language, "outbox"))
    table.add_column("id", no_wrap=True)
    table.add_column(word(language, "template"))
    table.add_column(word(language, "status"))
    _fixed(table, word(language, "due"), [when(row.due_at) for row in shown.outbox])
    table.add_column(word(language, "attempts"), justify="right")
    table.add_column(word(language, "last_error"))
    for row in shown.outbox:
        table.add_row(
            str(row.id),
            row.template,
            row.status,
            when(row.due_at),
            str(row.attempts),
            row.last_error or "",
        )
    return table


def timeline_record(shown: CaseFile) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(entry.at),
            "who": entry.who,
            "kind": entry.kind,
            "text": entry.text,
            "detail": entry.detail,
        }
        for entry in shown.timeline
    ]


def case_file_record(shown: CaseFile) -> dict[str, Any]:
    case = shown.case
    return {
        "number": case.number,
        "status": case.status,
        "intent": case.intent,
        "category": case.category,
        "urgent": case.urgent,
        "customer": shown.customer,
        "channel": case.channel,
        "language": case.language,
        "handler": shown.handler,
        "received_at": iso(case.received_at),
        "acknowledged_at": iso(case.acknowledged_at),
        "handed_off_at": iso(case.handed_off_at),
        "resolved_at": iso(case.resolved_at),
        "closed_at": iso(case.closed_at),
        "summary": shown.summary,
        "deadlines": [
            {
                "what": d.what,
                "agreed": d.agreed,
                "due_at": iso(d.due_at),
                "done_at": iso(d.done_at),
            }
            for d in shown.deadlines
        ],
        "timeline": timeline_record(shown),
        "outbox": [
            {
                "id": row.id,
                "template": row.template,
                "status": row.status,
                "due_at": iso(row.due_at),
                "attempts": row.attempts,
                "last_error": row.last_error,
            }
            for row in shown.outbox
        ],
    }
