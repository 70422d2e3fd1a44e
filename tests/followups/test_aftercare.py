"""After resolution, on a driven clock: execution check, survey, reminder, closing; a
reopened case cancels what was planned; a restart sends everything exactly once."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.outbound.outbound import queue_reply
from bot.runtime.app import App
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, ChannelIdentity, FollowUp, OutboxRow
from tests.followups.support import COMPLAINT, settings_for, tell
from tests.support import RecordingChannel, SteppedClock

AMS = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
# Wednesday 25 November, 21:30 in Amsterdam: inside quiet hours.
RESOLVED = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
# Three days later is Saturday 21:30, quiet: the check waits until Sunday 08:00.
CHECK_AT = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
# Fourteen days later is Wednesday 9 December 21:30: the survey waits until 08:00.
SURVEY_AT = datetime(2026, 12, 10, 7, 0, tzinfo=UTC)


async def the_case(sessions: SessionFactory) -> Case:
    async with transaction(sessions) as session:
        return (await session.exec(select(Case))).one()


async def resolve(app: App, sessions: SessionFactory, clock: SteppedClock) -> None:
    clock.now = RESOLVED
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        await app.followups.resolve(
            session, case=case, actor="Sanne", text="Nieuwe factuur gestuurd", now=clock()
        )


async def rows(sessions: SessionFactory) -> dict[str, list[OutboxRow]]:
    async with transaction(sessions) as session:
        found: dict[str, list[OutboxRow]] = {}
        for row in await outbox.rows(session):
            found.setdefault(row.template, []).append(row)
        return found


async def test_check_then_survey_then_closing(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
        await resolve(app, sessions, clock)
        planned = await rows(sessions)
        assert planned["execution_check"][0].due_at == CHECK_AT
        assert planned["survey"][0].due_at == SURVEY_AT
        assert planned["survey"][0].due_at.astimezone(AMS).hour == 8

        clock.now = CHECK_AT
        assert await app.dispatcher.drain() == 1
        assert channel.sent[-1].template == "execution_check"
        assert channel.sent[-1].meta["choices"] == ["yes", "no"]
        await tell(app, channel, clock, ("yes",), prefix="check")
        assert channel.sent[-1].template == "execution_check_reply"  # the thank-you
        assert (await the_case(sessions)).status == "resolved"

        clock.now = SURVEY_AT
        await app.dispatcher.drain()
        assert channel.sent[-1].template == "survey"
        assert channel.sent[-1].meta["choices"] == ["1", "2", "3", "4", "5"]
        await tell(
            app,
            channel,
            clock,
            ("4", "a 5 for that", "hmm", "3", "4", "Quick and friendly, thank you."),
            prefix="survey",
        )
    asked = [m.template for m in channel.sent[-7:]]
    # listened, informed, informed again ("hmm" has no score), resolved, comment; closing.
    assert asked == ["survey", *["survey_question"] * 5, "followup_closing"], asked
    case = await the_case(sessions)
    assert case.status == "closed"
    assert case.closed_at == SURVEY_AT
    async with transaction(sessions) as session:
        survey = (await session.exec(select(FollowUp).where(FollowUp.kind == "survey"))).one()
    assert (survey.overall, survey.listened, survey.informed, survey.resolved) == (4, 5, 3, 4)
    assert survey.comment == "Quick and friendly, thank you."
    assert [r.status for r in (await rows(sessions))["survey_reminder"]] == ["cancelled"]


async def test_no_at_the_check_reopens_the_case_and_cancels_its_survey(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
        await resolve(app, sessions, clock)
        clock.now = CHECK_AT
        await app.dispatcher.drain()
        await tell(
            app, channel, clock, ("No, the corrected invoice never arrived.",), prefix="check"
        )
        assert channel.sent[-1].template == "execution_check_reply"
        assert "open again" in channel.sent[-1].text
        clock.now = SURVEY_AT
        assert await app.dispatcher.drain() == 0
    case = await the_case(sessions)
    assert case.status == "handed_off"
    assert case.resolved_at is None
    planned = await rows(sessions)
    assert [r.status for r in planned["survey"]] == ["cancelled"]
    assert [r.status for r in planned["survey_reminder"]] == ["cancelled"]
    async with transaction(sessions) as session:
        reopened = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "case.reopened"))
        ).one()
    assert reopened.actor == "customer"
    async with transaction(sessions) as session:
        watched = (
            await session.exec(
                select(Agreement).where(
                    Agreement.what == "resolution", col(Agreement.done_at).is_(None)
                )
            )
        ).all()
    # A new resolution target from the moment of reopening, watched like the first one.
    assert [a.due_at for a in watched] == [case.resolution_due]
    assert case.resolution_due is not None
    assert case.resolution_due > CHECK_AT
    assert reopened.detail["text"] == "the corrected invoice never arrived"


async def test_an_unanswered_survey_gets_one_reminder_then_the_case_closes(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
        await resolve(app, sessions, clock)
        clock.now = SURVEY_AT
        await app.dispatcher.drain()
        clock.now = datetime(2026, 12, 15, 7, 0, tzinfo=UTC)  # five days on, 08:00
        await app.followups_due()
        assert await app.dispatcher.drain() == 1
        assert channel.sent[-1].template == "survey_reminder"
        assert (await the_case(sessions)).status == "resolved"
        clock.now = datetime(2026, 12, 20, 7, 0, tzinfo=UTC)
        await app.followups_due()
        await app.dispatcher.drain()
    assert [m.template for m in channel.sent[-4:]] == [
        "execution_check",
        "survey",
        "survey_reminder",
        "followup_closing",
    ]
    case = await the_case(sessions)
    assert case.status == "closed"
    async with transaction(sessions) as session:
        statuses = {f.kind: f.status for f in (await session.exec(select(FollowUp))).all()}
    assert statuses == {"execution_check": "expired", "survey": "expired", "close": "done"}


async def test_a_restart_in_between_sends_everything_exactly_once(
    database_url: str, sessions: SessionFactory
) -> None:
    clock = SteppedClock(START)
    first = RecordingChannel()
    async with App(settings_for(database_url), [first], clock=clock) as app:
        await tell(app, first, clock, COMPLAINT)
        await resolve(app, sessions, clock)
    sent: list[str] = [m.template for m in first.sent]
    for moment in (CHECK_AT, CHECK_AT, SURVEY_AT, datetime(2026, 12, 20, 7, 0, tzinfo=UTC)):
        clock.now = moment
        again = RecordingChannel()
        async with App(settings_for(database_url), [again], clock=clock) as app:
            await app.run(stop_when_intake_ends=True)
            await app.followups_due()
            await app.dispatcher.drain()
        sent += [m.template for m in again.sent]
    after = sent[sent.index("confirmation") + 1 :]
    assert after == ["execution_check", "survey", "survey_reminder", "followup_closing"]
    assert all(
        r.status in ("sent", "cancelled") for rs in (await rows(sessions)).values() for r in rs
    )


async def test_a_survey_finished_late_at_night_is_thanked_at_once(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
        await resolve(app, sessions, clock)
        clock.now = SURVEY_AT
        await app.dispatcher.drain()
        clock.now = datetime(2026, 12, 10, 22, 0, tzinfo=UTC)  # 23:00 in Amsterdam
        await tell(app, channel, clock, ("5", "5", "4", "5", "no"), prefix="late")
    assert channel.sent[-1].template == "followup_closing"
    assert (await the_case(sessions)).status == "closed"


async def test_buttons_speak_the_customers_language_and_a_paused_customer_gets_nothing(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(START)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
        await resolve(app, sessions, clock)
        planned = await rows(sessions)
        check = planned["execution_check"][0]
        assert check.meta["choice_labels"] == {"yes": "Yes", "no": "No"}
        survey = planned["survey"][0]
        assert survey.meta["choice_labels"] == {str(n): str(n) for n in range(1, 6)}

        async with transaction(sessions) as session:
            case = (await session.exec(select(Case))).one()
            identity = (
                await session.exec(
                    select(ChannelIdentity).where(ChannelIdentity.customer_id == case.customer_id)
                )
            ).one()
            identity.paused = True  # what Telegram's /stop does
            session.add(identity)
            queued = await queue_reply(
                session,
                case=case,
                sender=app.followups.sender,
                calendar=app.followups.calendar,
                template="survey_reminder",
                key="while-paused",
                at=clock(),
                now=clock(),
                context={"survey_at": clock()},
            )
    assert queued is None
    async with transaction(sessions) as session:
        keys = {row.idempotency_key for row in await outbox.rows(session)}
    assert not any(key.endswith(":while-paused") for key in keys)
