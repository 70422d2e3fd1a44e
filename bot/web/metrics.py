"""`/metrics` in Prometheus' text format, and the desk's request latency.

Open like `/healthz` and `/readyz`: a scraper has no login, and the figures name no case,
customer or handler. Serve the desk on a private address (or filter `/metrics` at the
reverse proxy) when counts of traffic are not for everyone (docs/operations.md).

The event counters are counted where the events happen (common/metrics.py); the outbox's
figures are state in the database and are read at each scrape.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.state import DeskState
from storage.db import core, transaction
from storage.models import OutboxRow
from storage.outbox import FAILED, PENDING

REQUEST_SECONDS = Histogram(
    "klachtbot_web_request_seconds",
    "Time the web server took to answer, per route (server time, until the last byte).",
    ["route"],
)


class _Snapshot(Collector):
    """Figures read from the database for one scrape."""

    def __init__(self, figures: list[Metric]) -> None:
        self._figures = figures

    def collect(self) -> Iterator[Metric]:
        yield from self._figures


def routes(state: DeskState) -> list[Route]:
    async def metrics(request: Request) -> Response:
        now = state.clock()
        async with transaction(state.db) as session:
            connection = await core(session)
            pending, oldest_due = (
                await connection.execute(
                    select(func.count(), func.min(OutboxRow.due_at)).where(
                        col(OutboxRow.status) == PENDING, col(OutboxRow.due_at) <= now
                    )
                )
            ).one()
            failed = (
                await connection.execute(
                    select(func.count()).where(col(OutboxRow.status) == FAILED)
                )
            ).scalar_one()
        depth = GaugeMetricFamily(
            "klachtbot_outbox_due_messages", "Outbox messages due and not yet sent."
        )
        depth.add_metric([], pending)
        age = GaugeMetricFamily(
            "klachtbot_outbox_oldest_due_age_seconds",
            "How long the oldest due, unsent outbox message has waited (0: none waits).",
        )
        age.add_metric([], max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0.0)
        failures = GaugeMetricFamily(
            "klachtbot_outbox_failed_messages", "Outbox messages that failed for good."
        )
        failures.add_metric([], failed)
        snapshot = CollectorRegistry(auto_describe=False)
        snapshot.register(_Snapshot([depth, age, failures]))
        body = generate_latest(REGISTRY) + generate_latest(snapshot)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return [Route("/metrics", metrics, methods=["GET"])]


class RequestTimer:
    """Times every HTTP request by the route it matched (its path pattern, so a case number
    does not make a series of its own); live-update streams are left out, they stay open.

    The time until the response starts (the page is rendered by then) also goes out in a
    `Server-Timing` header: the browser's developer tools and bench/web_desk.py read the
    server's own time from it, without the network's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        streaming = False

        async def watched(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                streaming = headers.get(b"content-type", b"").startswith(b"text/event-stream")
                took = (time.perf_counter() - started) * 1000
                timing = (b"server-timing", f"app;dur={took:.1f}".encode())
                message = {**message, "headers": [*message.get("headers", []), timing]}
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            if not streaming:
                route = scope.get("route")
                name = getattr(route, "path", None) or "unmatched"
                REQUEST_SECONDS.labels(name).observe(time.perf_counter() - started)
