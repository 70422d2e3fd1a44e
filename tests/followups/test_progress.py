"""Before the promised moment the handler is warned; after it, unmet, the customer gets a
new moment and handler, substitute and coordinator hear of it. Exactly once each."""

from datetime import UTC, datetime

from prometheus_client import REGISTRY
from sqlmodel import select

from bot.config.settings import Settings
from bot.followups import aftercare
from bot.runtime.app import App
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case
from tests.followups.support import COMPLAINT, settings_for, tell
from tests.support import RecordingChannel, SteppedClock

HANDLERS = [
    {"name": "Sanne de Boer", "email": "sanne@example.nl", "role": "handler"},
    {"name": "Piet Jansen", "email": "piet@example.nl", "role": "substitute"},
    {"name": "Carla Smit", "email": "carla@example.nl", "role": "coordinator"},
]
MAIL = {"address": "klachten@example.nl", "imap_host": "localhost", "smtp_host": "localhost"}
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
# Promised: Wednesday 25 November before 17:00 in Amsterdam (16:00 UTC).
PROMISED = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def settings(database_url: str) -> Settings:
    return settings_for(database_url, handlers=HANDLERS, email=MAIL)


async def audit(sessions: SessionFactory, action: str) -> list[AuditEvent]:
    async with transaction(sessions) as session:
        return list(
            (await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all()
        )


async def mails(sessions: SessionFactory) -> list[tuple[str, str]]:
    """The mails to handlers. The coordinator's monthly report is left out: the app's own timer
    queues it at a moment of its choosing, which is not what these tests are about."""
    async with transaction(sessions) as session:
        return [
            (row.template, row.recipient)
            for row in await outbox.rows(session)
            if row.channel == "email" and row.template.startswith("handler/")
        ]


async def test_warning_then_missed_deadline_with_a_new_moment_and_escalation(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    counted = {"what": "first_contact"}
    missed_before = REGISTRY.get_sample_value("klachtbot_deadlines_missed_total", counted) or 0
    async with App(settings(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, (*COMPLAINT, "no thanks"))
        handoff_mails = await mails(sessions)

        clock.now = datetime(2026, 11, 25, 11, 59, tzinfo=UTC)  # more than 4 hours before
        await app.followups_due()
        assert await audit(sessions, "deadline.warning") == []

        clock.now = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
        await app.followups_due()
        await app.followups_due()
        new = (await mails(sessions))[len(handoff_mails) :]
        assert new == [("handler/deadline_warning", "sanne@example.nl")]
        assert len(await audit(sessions, "deadline.warning")) == 1

        clock.now = datetime(2026, 11, 25, 16, 1, tzinfo=UTC)
        await app.followups_due()
        await app.followups_due()
        await app.dispatcher.drain()
    missed = [m for m in channel.sent if m.template == "deadline_missed"]
    assert len(missed) == 1
    missed_now = REGISTRY.get_sample_value("klachtbot_deadlines_missed_total", counted)
    assert missed_now == missed_before + 1  # for /metrics
    # A new moment by the same policy: one business day on, Thursday before 17:00.
    assert "before 17:00 on Thursday 26 November" in missed[0].text
    escalations = (await mails(sessions))[len(handoff_mails) + 1 :]
    assert sorted(escalations) == [
        ("handler/escalation", "carla@example.nl"),
        ("handler/escalation", "piet@example.nl"),
        ("handler/escalation", "sanne@example.nl"),
    ]
    (event,) = await audit(sessions, "deadline.missed")
    assert event.detail["escalated_to"] == ["Sanne de Boer", "Carla Smit", "Piet Jansen"]
    async with transaction(sessions) as session:
        agreement = (
            await session.exec(select(Agreement).where(Agreement.what == "first_contact"))
        ).one()
        case = (await session.exec(select(Case))).one()
    assert agreement.due_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert case.first_contact_due == agreement.due_at


async def test_recorded_contact_stops_warnings_and_escalation(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, (*COMPLAINT, "no thanks"))
        async with transaction(sessions) as session:
            case = (await session.exec(select(Case))).one()
            await aftercare.note(
                session, case=case, actor="Sanne", text="Gebeld", contact=True, now=clock()
            )
        for moment in (datetime(2026, 11, 25, 12, 30, tzinfo=UTC), PROMISED, PROMISED):
            clock.now = moment
            await app.followups_due()
        await app.dispatcher.drain()
    assert await audit(sessions, "deadline.warning") == []
    assert await audit(sessions, "deadline.missed") == []
    assert "deadline_missed" not in [m.template for m in channel.sent]


async def test_a_restart_after_the_miss_sends_nothing_twice(
    database_url: str, sessions: SessionFactory
) -> None:
    clock = SteppedClock(START)
    first = RecordingChannel()
    async with App(settings(database_url), [first], clock=clock) as app:
        await tell(app, first, clock, (*COMPLAINT, "no thanks"))
    sent = []
    for _ in range(2):
        clock.now = datetime(2026, 11, 25, 16, 5, tzinfo=UTC)
        again = RecordingChannel()
        async with App(settings(database_url), [again], clock=clock) as app:
            await app.run(stop_when_intake_ends=True)
            await app.followups_due()
            await app.dispatcher.drain()
        sent += [m.template for m in again.sent]
    assert sent == ["deadline_missed"]
    assert len(await audit(sessions, "deadline.missed")) == 1


async def test_a_missed_resolution_target_gets_a_new_one_and_is_escalated(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, (*COMPLAINT, "no thanks"))
        async with transaction(sessions) as session:
            case = (await session.exec(select(Case))).one()
            await aftercare.note(
                session, case=case, actor="Sanne", text="Gebeld", contact=True, now=clock()
            )
        target = case.resolution_due
        assert target == datetime(2026, 12, 8, 16, 0, tzinfo=UTC)  # 10 business days
        clock.now = datetime(2026, 12, 8, 16, 1, tzinfo=UTC)
        await app.followups_due()
        await app.dispatcher.drain()
    (missed,) = [m for m in channel.sent if m.template == "deadline_missed"]
    assert "taking longer" in missed.text
    # Ten business days from Tuesday 8 December 17:01: Tuesday 22 December.
    assert "before 17:00 on Tuesday 22 December" in missed.text
    (event,) = await audit(sessions, "deadline.missed")
    assert event.detail["what"] == "resolution"
    async with transaction(sessions) as session:
        stored = (await session.exec(select(Case))).one()
    assert stored.resolution_due == target  # the report measures against the first target
