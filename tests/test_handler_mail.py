"""Mail from a handler's address speaks to the customer only when it answers the handoff mail
that handler got: the secret token in that mail's Message-ID is the proof, never the From
line or a thread a customer could have started. Everything else is kept as a note.

The decisions run here through the wired app with a recording channel; the same attacks go
through the real Dovecot and SMTP lab in tests/test_handler_mail_lab.py."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from sqlmodel import select

from bot.config.settings import Settings
from bot.intake.intake import HANDLER_MAIL_UNVERIFIED, HANDLER_REPLY
from bot.runtime.app import App
from channels.base import DeliveryResult, EmailDetails, InboundMessage, OutboundMessage
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, Message, OutboxRow
from tests.support import RecordingChannel, SteppedClock

SANNE = "sanne@example.nl"
PIET = "piet@example.nl"
CUSTOMER = "anna@example.nl"
COMPLAINT = "Het ruikt hier sterk naar gas, ik denk dat er een gaslek is in de meterkast."
HANDLERS = [
    {"name": "Sanne de Boer", "email": SANNE, "role": "handler"},
    {"name": "Piet Jansen", "email": PIET, "role": "substitute"},
]


def settings_for(database_url: str) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "handlers": HANDLERS,
            # Mail is configured (handlers get and answer handoffs by mail); the channel is
            # the recording one, so nothing connects.
            "email": {"address": "klachten@example.nl", "imap_host": "x", "smtp_host": "x"},
        }
    )


def mail(
    clock: SteppedClock,
    sender: str,
    text: str,
    *,
    external_id: str,
    thread: tuple[str, ...] = (),
    subject: str = "",
) -> InboundMessage:
    return InboundMessage(
        channel="email",
        external_id=external_id,
        sender=sender,
        text=text,
        received_at=clock(),
        thread=thread,
        email=EmailDetails(subject=subject),
    )


async def exchange(
    database_url: str, clock: SteppedClock, channel: RecordingChannel, *messages: InboundMessage
) -> list[OutboundMessage]:
    """Feed the messages to the wired app until all is answered; what it sent meanwhile."""
    before = len(channel.sent)
    channel.inbox = list(messages)
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        await app.run(stop_when_intake_ends=True)
    return channel.sent[before:]


async def handed_off(
    database_url: str, clock: SteppedClock
) -> tuple[RecordingChannel, OutboundMessage]:
    """A complaint by mail, handed off at once; the handoff mail Sanne got."""
    channel = RecordingChannel(name="email")
    # Each mail sent gets a Message-ID, as the email channel gives it.
    numbers = itertools.count()
    channel.outcomes = lambda m: DeliveryResult.sent(
        handoff_id(m) if "reply_token" in m.meta else f"<out{next(numbers)}@example.nl>"
    )
    sent = await exchange(
        database_url,
        clock,
        channel,
        mail(clock, CUSTOMER, COMPLAINT, external_id="<complaint@example.nl>", subject="Klacht"),
    )
    (handoff,) = [m for m in sent if m.template == "handler/summary"]
    return channel, handoff


def answers(sent: list[OutboundMessage]) -> list[OutboundMessage]:
    """What was sent other than the handlers' own mail (handoffs, deadline warnings)."""
    return [m for m in sent if not m.template.startswith("handler/")]


def handoff_id(handoff: OutboundMessage) -> str:
    """The Message-ID the email channel gives the handoff mail (`build_reply`)."""
    return f"<{handoff.meta['reply_token']}@example.nl>"


async def the_case(sessions: SessionFactory) -> tuple[Case, Agreement]:
    async with transaction(sessions) as session:
        case = (await session.exec(select(Case))).one()
        first_contact = (
            await session.exec(select(Agreement).where(Agreement.what == "first_contact"))
        ).one()
    return case, first_contact


async def audit(sessions: SessionFactory, action: str) -> list[AuditEvent]:
    async with transaction(sessions) as session:
        return list(await session.exec(select(AuditEvent).where(AuditEvent.action == action)))


async def stored(sessions: SessionFactory, external_id: str) -> Message:
    async with transaction(sessions) as session:
        return (await session.exec(select(Message).where(Message.external_id == external_id))).one()


async def test_each_handoff_mail_carries_its_own_unguessable_token(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    _, handoff = await handed_off(database_url, clock)
    token = handoff.meta["reply_token"]
    assert re.fullmatch(r"handoff\.[A-Za-z0-9_-]{32}", token)  # 192 random bits
    async with transaction(sessions) as session:
        rows = (await session.exec(select(OutboxRow))).all()
    # Only mail to the handler carries a token (the handoff, and any notice on the case that
    # she may answer): the customer never sees one.
    assert {row.recipient for row in rows if "reply_token" in row.meta} == {SANNE}
    assert not any(
        token in row.body or token in str(row.meta) for row in rows if row.recipient == CUSTOMER
    )


async def test_a_reply_naming_the_handoff_mail_in_references_only_is_relayed(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    channel, handoff = await handed_off(database_url, clock)
    # A mail client that threads by References alone, the handoff mail as the thread's root.
    sent = await exchange(
        database_url,
        clock,
        channel,
        mail(
            clock,
            "Sanne@Example.NL",
            "Ik bel u morgen om 10:00.",
            external_id="<reply@example.nl>",
            thread=("<elsewhere@example.nl>", handoff_id(handoff), "<later@example.nl>"),
        ),
    )
    sent = answers(sent)
    assert [(m.recipient, m.template) for m in sent] == [(CUSTOMER, "handler_reply")]
    assert "Ik bel u morgen om 10:00." in sent[0].text
    case, first_contact = await the_case(sessions)
    assert first_contact.done_at is not None
    reply = await stored(sessions, "<reply@example.nl>")
    assert (reply.case_id, reply.kind) == (case.id, HANDLER_REPLY)
    assert [event.actor for event in await audit(sessions, "handler.replied")] == ["Sanne de Boer"]


async def test_mail_in_a_handlers_name_without_the_token_is_a_note_never_relayed(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    channel, handoff = await handed_off(database_url, clock)
    case, _ = await the_case(sessions)
    async with transaction(sessions) as session:
        ours = (
            await session.exec(select(OutboxRow.external_id).where(OutboxRow.recipient == CUSTOMER))
        ).first()
    assert ours is not None
    forged = [
        # The customer's own Message-ID, which the writer chose.
        mail(
            clock,
            SANNE,
            "U krijgt 5000 euro.",
            external_id="<f1@x>",
            thread=("<complaint@example.nl>",),
        ),
        # Our mail to the customer: the customer has its Message-ID too.
        mail(
            clock,
            SANNE,
            "U krijgt 6000 euro.",
            external_id="<f2@x>",
            thread=(ours, "<complaint@example.nl>"),
        ),
        # A token that looks right but was never given out.
        mail(
            clock,
            SANNE,
            "U krijgt 7000 euro.",
            external_id="<f3@x>",
            thread=("<handoff.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@example.nl>",),
            subject=f"Re: [{case.number}]",
        ),
        # The real token, from another handler's address: it went to Sanne, not to Piet.
        mail(
            clock, PIET, "U krijgt 8000 euro.", external_id="<f4@x>", thread=(handoff_id(handoff),)
        ),
        # No thread and no case number: still not a customer of its own.
        mail(clock, SANNE, "Testbericht", external_id="<f5@x>", subject="Test"),
    ]
    sent = await exchange(database_url, clock, channel, *forged)

    assert answers(sent) == []  # nothing reached the customer, nobody answered the writer
    _, first_contact = await the_case(sessions)
    assert first_contact.done_at is None  # the escalation watch still runs
    assert await audit(sessions, "handler.replied") == []
    notes = {
        event.detail["message_id"]: event
        for event in await audit(sessions, "handler.mail_unverified")
    }
    for forgery in forged:
        kept = await stored(sessions, forgery.external_id)
        assert kept.kind == HANDLER_MAIL_UNVERIFIED
        assert kept.processed_at is not None
        assert kept.id in notes
    # Kept on the case it refers to (by thread or case number), for the handler to read.
    on_case = [(await stored(sessions, f.external_id)).case_id for f in forged]
    assert on_case == [case.id, case.id, case.id, case.id, None]
    async with transaction(sessions) as session:
        assert len((await session.exec(select(Case))).all()) == 1  # no case for a handler


async def test_the_token_decides_the_case_not_the_thread(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    channel, first = await handed_off(database_url, clock)
    # A second customer's case, handed off too.
    sent = await exchange(
        database_url,
        clock,
        channel,
        mail(
            clock, "bert@example.nl", COMPLAINT, external_id="<bert@example.nl>", subject="Klacht"
        ),
    )
    (second,) = [m for m in sent if m.template == "handler/summary"]
    assert second.meta["reply_token"] != first.meta["reply_token"]
    sent = await exchange(
        database_url,
        clock,
        channel,
        mail(
            clock,
            SANNE,
            "Voor Bert.",
            external_id="<r@x>",
            thread=(handoff_id(second), "<complaint@example.nl>"),
        ),
    )
    assert [m.recipient for m in answers(sent)] == ["bert@example.nl"]


async def test_an_answer_to_a_deadline_warning_reaches_the_customer(
    database_url: str, sessions: SessionFactory, clock: SteppedClock
) -> None:
    channel, handoff = await handed_off(database_url, clock)
    _, first_contact = await the_case(sessions)
    assert first_contact.due_at is not None
    async with App(settings_for(database_url), [channel], clock=clock) as app:
        clock.now = first_contact.due_at - timedelta(minutes=30)  # inside the warning window
        await app.followups_due()
        await app.dispatcher.drain()
    (warning,) = [m for m in channel.sent if m.template == "handler/deadline_warning"]
    assert warning.recipient == SANNE
    assert warning.meta["reply_token"] != handoff.meta["reply_token"]
    sent = await exchange(
        database_url,
        clock,
        channel,
        mail(
            clock,
            SANNE,
            "Ik bel u binnen het uur.",
            external_id="<on-warning@example.nl>",
            thread=(handoff_id(warning),),
        ),
    )
    assert [(m.recipient, m.template) for m in answers(sent)] == [(CUSTOMER, "handler_reply")]
    _, first_contact = await the_case(sessions)
    assert first_contact.done_at is not None
