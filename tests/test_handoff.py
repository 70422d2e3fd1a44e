"""A whole intake through the wired app: the case reaches the right person with a summary."""

from zoneinfo import ZoneInfo

from prometheus_client import REGISTRY
from sqlmodel import col, select

from bot.cli.casefile import case_file
from bot.config.settings import Settings
from bot.handlers.summary import handoff_summary
from bot.runtime.app import App
from channels.base import CustomerPaused, InboundEvent, InboundMessage
from storage import handlers, repo
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, ChannelIdentity, Handler
from tests.support import RecordingChannel, SteppedClock

HANDLERS = [
    {"name": "Sanne de Boer", "email": "sanne@example.nl", "role": "handler"},
    {"name": "Piet Jansen", "email": "piet@example.nl", "role": "substitute"},
]


def settings_for(database_url: str) -> Settings:
    return Settings.model_validate({"database": {"url": database_url}, "handlers": HANDLERS})


def intake(clock: SteppedClock, customer: str, run: str = "first") -> list[InboundEvent]:
    lines = [
        "Het beleid over huisdieren vind ik oneerlijk.",
        None,  # the customer pauses
        "Dat de regel wordt aangepast.",
        "Anna de Vries",
        "06-12345678",
        "Ja, dat klopt.",
    ]
    return [
        CustomerPaused(channel="test", sender=customer, at=clock())
        if line is None
        else InboundMessage(
            channel="test",
            external_id=f"{customer}-{run}-{number}",
            sender=customer,
            text=line,
            received_at=clock(),
        )
        for number, line in enumerate(lines)
    ]


async def run(database_url: str, clock: SteppedClock, customer: str) -> RecordingChannel:
    channel = RecordingChannel()
    channel.inbox = intake(clock, customer)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    return channel


async def test_handed_off_to_the_handler_with_summary_and_agreement(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    handoffs = REGISTRY.get_sample_value("klachtbot_handoffs_total") or 0
    channel = await run(database_url, clock, "anna")
    assert REGISTRY.get_sample_value("klachtbot_handoffs_total") == handoffs + 1  # /metrics
    assert [m.template for m in channel.sent] == [
        "acknowledge",
        "question",
        "question",
        "question",
        "summary",
        "agreement",
        "closing",
        "confirmation",  # in the chat: email is not set up, so none is offered
    ]
    assert "Sanne de Boer" in channel.sent[5].text
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        handler = await session.get(Handler, case.handler_id)
        agreement = (
            await session.exec(select(Agreement).where(Agreement.what == "first_contact"))
        ).one()
        actions = [e.action for e in (await session.exec(select(AuditEvent))).all()]
    assert handler is not None
    assert handler.name == "Sanne de Boer"
    assert case.status == "handed_off"
    assert case.handed_off_at == clock()
    assert case.first_contact_due == agreement.due_at
    assert (agreement.what, agreement.who) == ("first_contact", "Sanne de Boer")
    assert case.summary is not None
    for expected in (
        case.number or "",
        "Wat de klant wil: Dat de regel wordt aangepast.",
        "Behandelaar: Sanne de Boer",
        "Stand: bij een behandelaar",
        # The customer gave a phone number when asked how to reach them.
        "Toegezegd: Sanne de Boer belt de klant op 06-12345678, uiterlijk ",
        "Bevestiging per e-mail: niet gevraagd",  # email is not set up: none offered
        '"Het beleid over huisdieren vind ik oneerlijk."',
    ):
        assert expected in case.summary
    assert actions == ["case.created", "case.handed_off"]


async def test_cases_show_gives_the_summary_as_the_case_is_now(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    await run(database_url, clock, "anna")
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        piet = await handlers.handler_by_name(session, name="Piet Jansen")
        assert piet is not None
        case.handler_id, case.status = piet.id, "closed"
        session.add(case)
    async with transaction(sessions) as session:
        shown = await case_file(session, case.number or "", ZoneInfo("UTC"), "en")
    assert shown is not None
    summary = shown.summary
    assert "Handler: Piet Jansen" in summary
    assert "Status: closed" in summary
    assert "Sanne" not in summary


async def test_the_substitute_gets_new_cases_while_the_handler_is_away(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    await run(database_url, clock, "anna")
    async with transaction(sessions) as session:
        assert await handlers.set_away(session, name="sanne de boer", away=True) is not None
    await run(database_url, clock, "bram")
    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case).order_by(col(Case.id)))).all()
        assigned = [await session.get(Handler, case.handler_id) for case in cases]
    assert [handler.name if handler else None for handler in assigned] == [
        "Sanne de Boer",
        "Piet Jansen",
    ]


async def test_a_repeat_complaint_on_the_same_topic_is_flagged_for_the_handler(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    await run(database_url, clock, "anna")
    async with transaction(sessions) as session:
        first = (await session.exec(select(Case))).one()
        first.status = "closed"
        session.add(first)
    clock.advance(days=30)
    channel = RecordingChannel()
    channel.inbox = intake(clock, "anna", run="second")
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    async with transaction(sessions) as session:
        second = (await session.exec(select(Case).where(Case.id != first.id))).one()
    assert second.summary is not None
    assert f"{first.number}" in second.summary
    assert "HERHAALDE KLACHT" in second.summary


async def test_the_summary_names_an_address_added_in_the_same_transaction(
    sessions: SessionFactory, clock: SteppedClock
) -> None:
    async with transaction(sessions) as session:
        (identity,) = (
            await repo.add_identities(
                session, channel="telegram", people=[("4242", "Bram", "nl")], now=clock()
            )
        ).values()
        case = await repo.create_case(
            session,
            customer_id=identity.customer_id,
            channel="telegram",
            language="nl",
            now=clock(),
        )
        # As the confirmation does when the customer gives an address: added, not flushed.
        session.add(
            ChannelIdentity(
                customer_id=identity.customer_id,
                channel="email",
                address="bram@example.nl",
                created_at=clock(),
            )
        )
        summary = await handoff_summary(
            session, case=case, tz=ZoneInfo("Europe/Amsterdam"), language="nl"
        )
    assert "Bekend via: Telegram 4242, e-mail bram@example.nl" in summary
    assert "E-mail: bram@example.nl" in summary  # the registration fact, from the channel
