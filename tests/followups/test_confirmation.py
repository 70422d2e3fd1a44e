"""The written confirmation: the same day right after the agreement, or when quiet hours
end; in the chat, or by email when the customer agreed to that and email runs."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.runtime.app import App
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import Case
from tests.followups.support import COMPLAINT, settings_for, tell
from tests.support import RecordingChannel, SteppedClock


async def test_confirmation_follows_the_agreement_in_the_chat(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
    templates = [m.template for m in channel.sent]
    assert templates[-3:] == ["agreement", "closing", "confirmation"], templates
    confirmation = channel.sent[-1]
    assert confirmation.recipient == "anna"
    assert "My invoice 2026-118 charges me 240 euro instead of 120 euro." in confirmation.text
    assert confirmation.case_number is not None
    assert confirmation.case_number in confirmation.text
    # Tuesday 11:00 in Amsterdam: a person by Wednesday 17:00, resolved by 8 December.
    assert "before 17:00 on Wednesday 25 November" in confirmation.text
    assert "Tuesday 8 December" in confirmation.text


async def test_an_agreement_late_at_night_is_confirmed_at_eight(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(datetime(2026, 11, 24, 21, 30, tzinfo=UTC))  # 22:30 in Amsterdam
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
        assert [m.template for m in channel.sent][-1] == "closing"
        clock.now = datetime(2026, 11, 25, 6, 59, tzinfo=UTC)
        await app.dispatcher.drain()
        assert [m.template for m in channel.sent][-1] == "closing"
        clock.now = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 08:00 in Amsterdam
        assert await app.dispatcher.drain() == 1
    assert [m.template for m in channel.sent][-1] == "confirmation"


async def test_a_customer_who_agreed_to_email_gets_the_confirmation_by_email(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    clock = SteppedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    # Email is configured, but no email channel runs here: the row waits, and shows where.
    mail = {"address": "klachten@example.nl", "imap_host": "localhost", "smtp_host": "localhost"}
    async with App(settings_for(database_url, email=mail), [channel], clock=clock) as app:
        await tell(app, channel, clock, (*COMPLAINT, "yes please, anna@example.nl"))
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        rows = await outbox.rows(session, case_id=case.id)
    mailed = [row for row in rows if row.template == "confirmation"]
    assert [(row.channel, row.recipient, row.status) for row in mailed] == [
        ("email", "anna@example.nl", "pending")
    ]
    assert mailed[0].meta["subject"]
    assert mailed[0].due_at - clock() < timedelta(seconds=1)
    assert "reply to this message" in mailed[0].body


async def test_friday_evening_before_whit_monday_is_promised_for_tuesday(
    database_url: str, sessions: SessionFactory, channel: RecordingChannel
) -> None:
    # Friday 14 May 2027, 18:00 in Amsterdam; Monday 17 May is Whit Monday.
    clock = SteppedClock(datetime(2027, 5, 14, 16, 0, tzinfo=UTC))
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await tell(app, channel, clock, COMPLAINT)
    agreement = next(m for m in channel.sent if m.template == "agreement")
    # Which phrasing (and so the capital of "before") depends on the case's variant.
    assert "before 17:00 on tuesday 18 may" in agreement.text.lower()
    assert "before 17:00 on Tuesday 18 May" in channel.sent[-1].text  # the confirmation
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
    assert case.first_contact_due == datetime(2027, 5, 18, 15, 0, tzinfo=UTC)
