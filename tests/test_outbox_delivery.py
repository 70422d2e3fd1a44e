"""The outbox and the email channel against a real SMTP server (aiosmtpd on loopback) that can
be down, say "try later" or refuse for good, on a driven clock: an outage of half an hour
loses no reply, a 5xx fails at once and the handler hears of it, and the loop cap holds back
automatic mail to a customer but never a handler's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import col, select

from bot.config.settings import EmailSettings, OutboxSettings, Settings
from bot.handlers.delivery_failures import FailureNotices
from bot.handlers.handler_group import HandlerGroup
from bot.runtime.app import App
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.email_wiring import email_channel
from bot.runtime.telegram_wiring import telegram_channel
from channels.base import EmailDetails, InboundMessage, OutboundMessage
from channels.email.channel import EmailChannel
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import AuditEvent, Case, Customer, Handler, OutboxRow
from tests.mail_lab.lab import HOST, free_ports
from tests.support import SteppedClock
from tests.telegram_fake import FakeBotApi
from tests.telegram_support import new_token, telegram_settings

INTAKE = "klachten@lab.test"
HANDLER = "sanne@organisatie.test"


@dataclass
class SmtpHandler:
    """Accepts and records, unless told otherwise: `mail_reply` answers every MAIL FROM (a
    server that says "try later"), `refuse` answers RCPT TO for one address."""

    mail_reply: str | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    received: list[bytes] = field(default_factory=list)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.mail_reply is not None:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.original_content))
        return "250 2.0.0 OK"

    def delivered(self) -> list[tuple[str, str]]:
        """(To, Message-ID) of each mail received, in order."""
        mails = [message_from_bytes(raw, policy=policy.default) for raw in self.received]
        return [(str(mail["To"]), str(mail["Message-ID"])) for mail in mails]


@dataclass
class SmtpServer:
    """One port; `up()` and `down()` start and stop listening on it (connection refused)."""

    port: int
    handler: SmtpHandler = field(default_factory=SmtpHandler)
    _controller: Controller | None = None

    def up(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.handler, hostname=HOST, port=self.port)
            self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_ports(1)[0])
    server.up()
    yield server
    server.down()


def _email_settings(smtp: SmtpServer) -> EmailSettings:
    # The IMAP side is never started here: these tests send only.
    return EmailSettings(
        address=INTAKE,
        imap_host=HOST,
        imap_port=1,
        imap_security="none",
        smtp_host=HOST,
        smtp_port=smtp.port,
        smtp_security="none",
        smtp_login=False,
    )


@pytest.fixture
async def channel(
    smtp: SmtpServer, sessions: SessionFactory, clock: SteppedClock
) -> AsyncIterator[EmailChannel]:
    channel = email_channel(_email_settings(smtp), sessions=lambda: sessions, clock=clock)
    await channel.start()
    yield channel
    await channel.stop()


def _dispatcher(sessions: SessionFactory, channel: EmailChannel, clock: SteppedClock) -> Dispatcher:
    return Dispatcher(
        sessions=sessions, channels={"email": channel}, settings=OutboxSettings(), clock=clock
    )


async def _enqueue(
    sessions: SessionFactory,
    clock: SteppedClock,
    recipients: list[str],
    template: str = "acknowledge",
) -> list[int]:
    async with transaction(sessions) as session:
        return [
            await outbox.enqueue(
                session,
                idempotency_key=f"{template}:{number}:{recipient}",
                channel="email",
                recipient=recipient,
                template=template,
                body=f"Bericht {number}",
                meta={"subject": "Uw melding", "sender_name": "Woonstichting De Linde"},
                due_at=clock(),
                now=clock(),
            )
            for number, recipient in enumerate(recipients)
        ]


async def _rows(sessions: SessionFactory, ids: list[int] | None = None) -> list[OutboxRow]:
    async with transaction(sessions) as session:
        rows = await outbox.rows(session)
    return [row for row in rows if ids is None or row.id in ids]


async def _drive(
    dispatcher: Dispatcher, sessions: SessionFactory, clock: SteppedClock, *, until: datetime
) -> None:
    """Send what is due, then move the clock to the next due row, until `until`."""
    while True:
        await dispatcher.drain()
        async with transaction(sessions) as session:
            due = await outbox.next_due_at(session, channels=["email"])
        if due is None or due > until:
            clock.now = max(clock.now, until)
            return
        clock.now = max(clock.now, due)


@pytest.mark.parametrize("outage", ["server down", "server says try later"])
async def test_a_30_minute_smtp_outage_loses_no_reply(
    smtp: SmtpServer,
    channel: EmailChannel,
    sessions: SessionFactory,
    clock: SteppedClock,
    outage: str,
) -> None:
    if outage == "server down":
        smtp.down()
    else:
        smtp.handler.mail_reply = "451 4.3.2 System not accepting network messages"
    customers = [f"klant{n}@example.nl" for n in range(20)]
    ids = await _enqueue(sessions, clock, customers)
    dispatcher = _dispatcher(sessions, channel, clock)
    began = clock.now

    await _drive(dispatcher, sessions, clock, until=began + timedelta(minutes=31))
    rows = await _rows(sessions, ids)
    assert {row.status for row in rows} == {"pending"}
    # More tries than the five after which a reply used to be given up.
    assert {row.attempts for row in rows} == {6}
    assert {row.failing_since for row in rows} == {began}
    assert smtp.handler.received == []

    smtp.up()
    smtp.handler.mail_reply = None
    await _drive(dispatcher, sessions, clock, until=began + timedelta(hours=2))
    rows = await _rows(sessions, ids)
    assert {row.status for row in rows} == {"sent"}
    delivered = smtp.handler.delivered()
    # Every reply exactly once, under the Message-ID its row was given before the outage.
    assert sorted(delivered) == sorted((row.recipient, row.external_id) for row in rows)
    assert len({message_id for _, message_id in delivered}) == 20


async def test_a_4xx_keeps_retrying_while_a_5xx_fails_at_once(
    smtp: SmtpServer, channel: EmailChannel, sessions: SessionFactory, clock: SteppedClock
) -> None:
    smtp.handler.refuse = {
        "weg@example.nl": "550 5.1.1 No such user",
        "vol@example.nl": "452 4.2.2 Mailbox full",
    }
    gone, full = await _enqueue(sessions, clock, ["weg@example.nl", "vol@example.nl"])
    dispatcher = _dispatcher(sessions, channel, clock)
    began = clock.now

    await _drive(dispatcher, sessions, clock, until=began + timedelta(hours=47))
    [gone_row] = await _rows(sessions, [gone])
    assert (gone_row.status, gone_row.attempts) == ("failed", 1)
    assert "550 5.1.1" in (gone_row.last_error or "")
    [full_row] = await _rows(sessions, [full])
    assert full_row.status == "pending"
    assert full_row.attempts > 20  # every half hour, the backoff's cap

    await _drive(dispatcher, sessions, clock, until=began + timedelta(hours=49))
    [full_row] = await _rows(sessions, [full])
    assert full_row.status == "failed"  # 48 hours of "try later" is enough
    assert full_row.failing_since == began
    assert smtp.handler.received == []


async def test_staff_mail_is_never_capped_and_a_capped_customer_row_keeps_its_attempts(
    smtp: SmtpServer, channel: EmailChannel, sessions: SessionFactory, clock: SteppedClock
) -> None:
    staff = await _enqueue(sessions, clock, [HANDLER] * 25, template="handler/summary")
    customer = await _enqueue(sessions, clock, ["autoreply@example.nl"] * 12)
    dispatcher = _dispatcher(sessions, channel, clock)

    await dispatcher.drain()
    rows = {row.id: row for row in await _rows(sessions)}
    assert [rows[i].status for i in staff] == ["sent"] * 25  # all at once
    assert [rows[i].status for i in customer] == ["sent"] * 10 + ["pending"] * 2
    waiting = [rows[i] for i in customer[10:]]
    assert {(row.attempts, row.failing_since) for row in waiting} == {(0, None)}
    assert {row.due_at for row in waiting} == {clock.now + timedelta(hours=1)}

    clock.advance(hours=1)
    await dispatcher.drain()
    assert {row.status for row in await _rows(sessions, customer)} == {"sent"}
    recipients = [to for to, _ in smtp.handler.delivered()]
    assert (recipients.count(HANDLER), recipients.count("autoreply@example.nl")) == (25, 12)


async def test_the_cap_read_back_on_start_counts_customer_mail_only(
    smtp: SmtpServer, sessions: SessionFactory, clock: SteppedClock
) -> None:
    first = email_channel(_email_settings(smtp), sessions=lambda: sessions, clock=clock)
    await first.start()
    await _enqueue(sessions, clock, [HANDLER] * 12, template="handler/summary")
    await _enqueue(sessions, clock, ["anna@example.nl"] * 10)
    await _dispatcher(sessions, first, clock).drain()
    await first.stop()

    # A restart reads the last hour back: the handler's 12 do not hold anyone back.
    again = email_channel(_email_settings(smtp), sessions=lambda: sessions, clock=clock)
    await again.start()
    staff = await _enqueue(sessions, clock, [HANDLER], template="handler/escalation")
    capped = await _enqueue(sessions, clock, ["anna@example.nl"], template="question")
    await _dispatcher(sessions, again, clock).drain()
    await again.stop()
    assert [row.status for row in await _rows(sessions, staff + capped)] == ["sent", "pending"]


async def test_a_handlers_own_answer_to_a_capped_customer_goes_out_and_is_not_counted(
    smtp: SmtpServer, channel: EmailChannel, sessions: SessionFactory, clock: SteppedClock
) -> None:
    # A person's words cannot be part of a loop with an auto-responder.
    await _enqueue(sessions, clock, ["anna@example.nl"] * 10)
    answer = await _enqueue(sessions, clock, ["anna@example.nl"], template="handler_reply")
    automatic = await _enqueue(sessions, clock, ["anna@example.nl"], template="question")
    await _dispatcher(sessions, channel, clock).drain()
    assert [row.status for row in await _rows(sessions, answer + automatic)] == [
        "sent",
        "pending",
    ]


# -- the whole bot: emergencies and a customer address that refuses -------------------------


def _bot_settings(database_url: str, smtp: SmtpServer) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "organisation": {"name": "Woonstichting De Linde", "emergency_phone": "0800-1234"},
            "email": _email_settings(smtp).model_dump(),
            "handlers": [{"name": "Sanne de Boer", "email": HANDLER}],
        }
    )


def _complaint(number: int, text: str, clock: SteppedClock) -> InboundMessage:
    return InboundMessage(
        channel="email",
        external_id=f"<melding-{number}@example.nl>",
        sender=f"bewoner{number}@example.nl",
        sender_name=f"Bewoner {number}",
        text=text,
        email=EmailDetails(subject="Gaslucht"),
        received_at=clock(),
    )


@pytest.fixture
async def bot(
    database_url: str, sessions: SessionFactory, smtp: SmtpServer, clock: SteppedClock
) -> AsyncIterator[App]:
    # After `sessions`: on PostgreSQL that empties the tables, the handlers too.
    settings = _bot_settings(database_url, smtp)
    app: App | None = None

    def app_sessions() -> SessionFactory:
        assert app is not None
        return app.sessions

    channel = email_channel(settings.email, sessions=app_sessions, clock=clock)
    app = App(settings, [channel], clock=clock)
    async with app:
        yield app


async def test_25_emergencies_reach_the_handler_at_once(
    bot: App, smtp: SmtpServer, sessions: SessionFactory, clock: SteppedClock
) -> None:
    gas = "Ik ruik een sterke gaslucht in de meterkast, wat moet ik doen?"
    reports = [_complaint(n, gas, clock) for n in range(25)]
    stored = await bot.intake.store_many(reports)
    await bot.intake.process_many(stored)
    await bot.dispatcher.drain()

    recipients = [to for to, _ in smtp.handler.delivered()]
    assert recipients.count(HANDLER) == 25  # every urgent summary, without waiting
    for report in reports:
        assert report.sender in recipients  # and each resident had the instruction
    async with transaction(sessions) as session:
        staff = (
            await session.exec(
                select(OutboxRow).where(col(OutboxRow.template).startswith("handler/"))
            )
        ).all()
    assert [(row.status, row.attempts) for row in staff] == [("sent", 0)] * 25


async def test_a_customer_reply_refused_for_good_is_told_to_the_handler(
    bot: App, smtp: SmtpServer, sessions: SessionFactory, clock: SteppedClock
) -> None:
    report = _complaint(1, "De monteur is al drie keer niet gekomen. Ik ben het zat.", clock)
    smtp.handler.refuse = {report.sender: "550 5.1.1 <bewoner1@example.nl>: no such user"}
    stored = await bot.intake.store_many([report])
    await bot.intake.process_many(stored)
    await bot.dispatcher.drain()

    async with transaction(sessions) as session:
        rows = await outbox.rows(session)
        audit = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "outbound.failed"))
        ).all()
    failed = [row for row in rows if row.status == "failed"]
    assert failed
    assert all(row.recipient == report.sender for row in failed)
    assert all(row.attempts == 1 for row in failed)  # a 5xx: no retry
    assert sorted(event.detail["outbox_id"] for event in audit) == [row.id for row in failed]
    assert {event.case_id for event in audit} == {failed[0].case_id}
    notices = [row for row in rows if row.template == "handler/delivery_failed"]
    assert [(row.recipient, row.status) for row in notices] == [(HANDLER, "sent")] * len(failed)
    mails = [message_from_bytes(raw, policy=policy.default) for raw in smtp.handler.received]
    [notice, *_] = [mail for mail in mails if mail["To"] == HANDLER]
    assert "niet bezorgd" in str(notice["Subject"])
    body = notice.get_body(preferencelist=("plain",))
    assert body is not None
    text = str(body.get_content())
    assert "550 5.1.1" in text
    assert f"klachtbot outbox retry {failed[0].id}" in text


# -- Telegram: the same sorting at its channel boundary --------------------------------------


def _telegram_message(chat: int) -> OutboundMessage:
    return OutboundMessage(
        outbox_id=chat, channel="telegram", recipient=str(chat), text="Dank u.", template="closing"
    )


def _no_storage() -> SessionFactory:
    raise AssertionError("sending needs no storage")


async def test_telegram_errors_are_sorted_into_passing_and_final(clock: SteppedClock) -> None:
    gone, blocked, busy, fine = 101, 102, 103, 104
    api = FakeBotApi(
        refusals={
            gone: (400, "Bad Request: chat not found"),
            blocked: (403, "Forbidden: bot was blocked by the user"),
        }
    )
    await api.__aenter__()
    try:
        settings = telegram_settings("sqlite+aiosqlite://", api.base_url, new_token())
        channel = telegram_channel(settings.telegram, sessions=_no_storage, clock=clock)
        await channel.start()
        results = {
            chat: await channel.send(_telegram_message(chat)) for chat in (gone, blocked, fine)
        }
        api.too_many, api.retry_after = 1, 1  # the channel then holds every send for 1 s
        results[busy] = await channel.send(_telegram_message(busy))
    finally:
        await api.__aexit__(None, None, None)
    try:
        results[0] = await channel.send(_telegram_message(fine))  # the server is gone
    finally:
        await channel.stop()

    final = {chat: (r.ok, r.permanent, r.retry_after) for chat, r in results.items()}
    assert final == {
        gone: (False, True, None),
        blocked: (False, True, None),
        busy: (False, False, 1),
        fine: (True, False, None),
        0: (False, False, None),
    }
    assert results[gone].error == "BadRequest: Chat not found"


# -- who hears of a failed customer message ---------------------------------------------------


async def test_a_failed_telegram_reply_reaches_the_handler_group_in_english(
    sessions: SessionFactory, clock: SteppedClock
) -> None:
    async with transaction(sessions) as session:
        customer = Customer(created_at=clock())
        handler = Handler(name="Sam", email="sam@organisatie.test")
        session.add_all([customer, handler])
        await session.flush()
        assert customer.id is not None
        case = Case(
            number="K-2026-000009",
            customer_id=customer.id,
            channel="telegram",
            received_at=clock(),
            handler_id=handler.id,
        )
        session.add(case)
        await session.flush()
        failed_row = outbox.Claimed(
            id=77,
            case_id=case.id,
            channel="telegram",
            recipient="4242",
            template="acknowledge",
            body="Dank u voor uw bericht.",
            meta={"case": case.number},
            attempts=0,
            due_at=clock(),
            external_id=None,
            failing_since=None,
        )
        group = HandlerGroup(chat_id=-100, user_ids=frozenset({7001}), tz=ZoneInfo("UTC"))
        notices = FailureNotices(language="en", sender_name="De Linde", by_email=False, group=group)
        await notices(session, failed_row, "Forbidden: bot was blocked by the user", clock())
        # A notice about a staff message is not sent on: it would fail the same way.
        await notices(
            session, replace(failed_row, id=78, template="handler/summary"), "down", clock()
        )

    async with transaction(sessions) as session:
        [notice] = await outbox.rows(session)
        [event] = (await session.exec(select(AuditEvent))).all()
    assert (notice.channel, notice.recipient, notice.template) == (
        "telegram",
        "-100",
        "handler/delivery_failed",
    )
    assert notice.body.startswith("Dear Sam,")
    assert "blocked by the user" in notice.body
    assert "klachtbot outbox retry 77" in notice.body
    assert notice.meta["buttons"] == [["Toon zaak", "show:K-2026-000009"]]
    assert (event.case_id, event.action, event.detail["outbox_id"]) == (
        case.id,
        "outbound.failed",
        77,
    )
