"""The daily digest on the driven clock: once a day from its hour, each mail kept without a
case listed once, and a WARNING (once a day) when no handler has an address to get it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select
from structlog.testing import capture_logs

from bot.runtime.app import App
from channels.base import EmailDetails, InboundMessage
from storage.db import transaction
from storage.models import AuditEvent, Message, OutboxRow
from tests.followups.support import settings_for
from tests.support import SteppedClock

HANDLER = "sanne@example.nl"
EMAIL = {
    "address": "klachten@example.nl",
    "imap_host": "imap.example.nl",
    "smtp_host": "smtp.example.nl",
}


def away_notice(clock: SteppedClock, number: int) -> InboundMessage:
    return InboundMessage(
        channel="email",
        external_id=f"<away-{number}@outside.test>",
        sender=f"collega{number}@outside.test",
        text=f"Ik ben afwezig tot maandag ({number}).",
        received_at=clock(),
        email=EmailDetails(subject="Afwezig", automated="auto_reply"),
    )


async def keep(app: App, message: InboundMessage) -> int:
    stored = await app.intake.store(message)
    assert stored is not None
    await app.intake.process(stored)
    return stored


async def digests(app: App) -> list[OutboxRow]:
    async with transaction(app.sessions) as session:
        result = await session.exec(
            select(OutboxRow).where(OutboxRow.template == "digest").order_by(col(OutboxRow.id))
        )
        return list(result.all())


@pytest.mark.usefixtures("engine")  # an empty database
async def test_once_a_day_from_its_hour_each_mail_listed_once(database_url: str) -> None:
    # 06:00 in Amsterdam: before the digest's hour (08:00).
    clock = SteppedClock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))
    settings = settings_for(
        database_url,
        email=EMAIL,
        handlers=[{"name": "Sanne", "email": HANDLER}],
        organisation={"language": "en"},
    )
    async with App(settings, [], clock=clock) as app:
        first = await keep(app, away_notice(clock, 1))
        await app.followups_due()
        assert await digests(app) == []

        clock.advance(hours=2, minutes=30)  # 08:30
        await app.followups_due()
        (today,) = await digests(app)
        assert (today.recipient, today.case_id) == (HANDLER, None)
        assert today.meta["subject"] == "Daily overview: 1 unanswered email"
        assert "collega1@outside.test" in today.body
        assert "Ik ben afwezig tot maandag (1)." in today.body

        second = await keep(app, away_notice(clock, 2))
        clock.advance(hours=3)
        await app.followups_due()
        assert len(await digests(app)) == 1  # today's went; this one waits for tomorrow

        clock.advance(days=1)
        await app.followups_due()
        tomorrow = (await digests(app))[-1]
        assert "collega2@outside.test" in tomorrow.body
        assert "collega1@outside.test" not in tomorrow.body
        async with transaction(app.sessions) as session:
            listed = [await session.get(Message, i) for i in (first, second)]
        assert all(m is not None and m.digested_at is not None for m in listed)


@pytest.mark.usefixtures("engine")
async def test_nobody_to_receive_it_is_a_warning_once_a_day(database_url: str) -> None:
    clock = SteppedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    settings = settings_for(database_url, email=EMAIL, handlers=[{"name": "Sanne"}])
    async with App(settings, [], clock=clock) as app:
        waiting = await keep(app, away_notice(clock, 1))
        with capture_logs() as logs:
            await app.followups_due()
            clock.advance(minutes=5)
            await app.followups_due()
        async with transaction(app.sessions) as session:
            events = (
                await session.exec(
                    select(AuditEvent).where(AuditEvent.action == "digest.undelivered")
                )
            ).all()
            message = await session.get(Message, waiting)
        assert await digests(app) == []
    assert [log["log_level"] for log in logs if log["event"] == "digest.no_recipient"] == [
        "warning"
    ]
    assert [event.detail for event in events] == [{"waiting": 1}]
    assert message is not None
    assert message.digested_at is None  # still waiting for someone to get it
