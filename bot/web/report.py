"""The coordinator's report on the desk (`/report?from=…&to=…`): the same page
`klachtbot report --format html` writes, shown inside the desk, with the period's PDF, CSV
and JSON to download."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import re
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.reports import document
from bot.reports.report import Period
from bot.reports.service import report_record
from bot.web.headers import policy_with_styles
from bot.web.pages import coordinator_only
from bot.web.sessions import Visitor
from bot.web.state import DeskState

DOWNLOADS = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def period_asked(request: Request, today: date) -> Period | None:
    """The period in the query string; without one, last month. None: not two dates in order."""
    start, end = request.query_params.get("from"), request.query_params.get("to")
    if not start and not end:
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    try:
        period = Period(date.fromisoformat(start or ""), date.fromisoformat(end or ""))
    except ValueError:
        return None
    return period if period.start <= period.end else None


def body_of(page: str) -> Markup:
    """The report page's body, to show inside the desk's own page: its <head> carries a
    print style sheet inline (report.css styles it here instead). The page is the report's
    own template, rendered with everything escaped."""
    return Markup(page.partition("<body>")[2].rpartition("</body>")[0])


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def style_hashes(body: str) -> list[str]:
    """CSP hash sources for every inline style in the report's body: matplotlib writes each
    chart's colours and fonts as style attributes, and a <style> element of its own. The
    body is the server's own rendering, customer text escaped: no style comes from outside."""
    styles = {html.unescape(value) for value in _STYLE_ATTRIBUTE.findall(body)}
    styles |= set(_STYLE_ELEMENT.findall(body))
    return sorted(
        "sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        for style in styles
    )


def routes(state: DeskState) -> list[Route]:
    async def record(period: Period) -> dict[str, Any]:
        return await report_record(
            state.db, period, now=state.clock(), calendar=state.followups.calendar
        )

    def today() -> date:
        return state.clock().astimezone(state.tz).date()

    async def report_page(request: Request, visitor: Visitor) -> Response:
        period = period_asked(request, today())
        if period is None:
            return state.render(
                "report", visitor=visitor, away=False, period=None, report=None, status_code=400
            )
        body = body_of(document.html(await record(period), state.language_of(visitor)))
        response = state.render("report", visitor=visitor, away=False, period=period, report=body)
        response.headers["Content-Security-Policy"] = policy_with_styles(style_hashes(body))
        return response

    async def download(request: Request, visitor: Visitor) -> Response:
        period = period_asked(request, today())
        kind = request.path_params["kind"]
        if period is None or kind not in DOWNLOADS:
            return Response(status_code=404)
        data = await record(period)
        content: str | bytes
        if kind == "pdf":
            page = document.html(data, state.language_of(visitor))
            # WeasyPrint takes a second or more: not on the event loop.
            content = await asyncio.to_thread(document.pdf, page)
        else:
            content = document.csv_text(data) if kind == "csv" else document.json_text(data)
        name = f"report-{period.start.isoformat()}-{period.end.isoformat()}.{kind}"
        return Response(
            content,
            media_type=DOWNLOADS[kind],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "private, no-store",
            },
        )

    return [
        Route("/report", coordinator_only(state, report_page), methods=["GET"]),
        Route("/report/download.{kind:str}", coordinator_only(state, download), methods=["GET"]),
    ]
