"""`/metrics`: open like /healthz, Prometheus' text format, event counters counted where the
events happen and the outbox's figures read from the database at each scrape."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from common.clock import utc_now
from storage import outbox
from storage.db import transaction
from storage.models import OutboxRow
from tests.support import eventually
from tests.web.support import RunningDesk


def sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from a scrape; 0 when the series has not appeared yet."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


async def scrape(desk: RunningDesk) -> str:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        answer = await client.get("/metrics")  # no login: a scraper has none
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return answer.text


async def test_inbound_outbound_and_dialogue_steps_are_counted(desk: RunningDesk) -> None:
    before = await scrape(desk)
    await desk.customer_writes("De verwarming doet het al een week niet.", sender="gert")
    async with transaction(desk.app.sessions) as session:
        await outbox.enqueue(
            session,
            idempotency_key="now",
            channel="console",
            recipient="gert",
            template="t",
            body="Wij bellen u morgen.",
            due_at=utc_now(),
            now=utc_now(),
        )
    desk.app.dispatcher.wake()
    await eventually(lambda: _sent(desk), within=10)
    after = await scrape(desk)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("klachtbot_inbound_messages_total", channel="console") == 1
    assert grew("klachtbot_dialogue_steps_total") >= 1
    assert grew("klachtbot_outbound_messages_total", channel="console") >= 1
    assert grew("klachtbot_inbound_messages_total", channel="email") == 0


async def _sent(desk: RunningDesk) -> bool:
    return any(m.text == "Wij bellen u morgen." for m in desk.customers.sent)


async def test_the_outbox_figures_come_from_the_database(desk: RunningDesk) -> None:
    quiet = await scrape(desk)
    assert sample(quiet, "klachtbot_outbox_due_messages") == 0
    assert sample(quiet, "klachtbot_outbox_oldest_due_age_seconds") == 0
    assert sample(quiet, "klachtbot_outbox_failed_messages") == 0
    now = utc_now()
    async with transaction(desk.app.sessions) as session:
        for key, hours in (("stuck", 2), ("later", -1), ("broken", 1)):
            await outbox.enqueue(
                session,
                idempotency_key=key,
                channel="nowhere",  # no channel sends these: they stay as they are
                recipient="x",
                template="t",
                body="b",
                due_at=now - timedelta(hours=hours),
                now=now,
            )
    async with transaction(desk.app.sessions) as session:
        broken = (
            await session.exec(select(OutboxRow).where(OutboxRow.idempotency_key == "broken"))
        ).one()
        broken.status = outbox.FAILED
        session.add(broken)
    busy = await scrape(desk)
    assert sample(busy, "klachtbot_outbox_due_messages") == 1  # "later" is not due yet
    assert 2 * 3600 <= sample(busy, "klachtbot_outbox_oldest_due_age_seconds") < 2 * 3600 + 60
    assert sample(busy, "klachtbot_outbox_failed_messages") == 1


async def test_request_latency_is_measured_per_route(desk: RunningDesk) -> None:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        before = await scrape(desk)
        health = await client.get("/healthz")
        await client.get("/cases/K-2026-1")  # a login page, timed under its pattern
        after = await scrape(desk)
    name = "klachtbot_web_request_seconds_count"
    assert sample(after, name, route="/healthz") - sample(before, name, route="/healthz") == 1
    assert sample(after, name, route="/cases/{number:str}") >= 1
    assert not any("K-2026-1" in line for line in after.splitlines())
    # The server's own time, as the response tells it (bench/web_desk.py reads it).
    timing = re.fullmatch(r"app;dur=(\d+\.\d)", health.headers["server-timing"])
    assert timing is not None, health.headers["server-timing"]
    assert 0 <= float(timing[1]) < 60_000
