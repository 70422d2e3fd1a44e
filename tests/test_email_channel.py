"""The email channel end to end: a customer sends a complaint by SMTP, the bot reads it from a
real Dovecot over IMAP, the dialogue runs by email, and the customer's mailbox receives the
threaded replies. Automatic mail is kept but never answered."""

import asyncio
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.config.settings import HandlerSettings, Settings
from bot.reading.workers import Workers
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from channels.base import OutboundMessage
from common.clock import utc_now
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import AuditEvent, Case, MailboxCursor, Message, OutboxRow
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.support import eventually

CUSTOMER = "anna@lab.test"


class RunningBot:
    def __init__(self, settings: Settings) -> None:
        self.app: App | None = None
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> App:
        def sessions() -> SessionFactory:
            assert self.app is not None
            return self.app.sessions

        # Wired as `klachtbot run` wires it: the channel parses in the App's helpers.
        workers = Workers(self._settings.workers.processes)
        channel = email_channel(
            self._settings.email, sessions=sessions, clock=utc_now, offload=workers.run_each
        )
        self.app = App(self._settings, [channel], workers=workers)
        await self.app.__aenter__()
        self._task = asyncio.create_task(self.app.run())
        return self.app

    async def __aexit__(self, *exc: object) -> None:
        assert self.app is not None
        assert self._task is not None
        self.app.request_stop()
        done, _ = await asyncio.wait({self._task}, timeout=30)
        if not done:
            for task in asyncio.all_tasks():  # where the stop hangs, for the report
                task.print_stack()
            self._task.cancel()
            raise TimeoutError("the bot did not stop within 30 s")
        self._task.result()
        await self.app.__aexit__(None, None, None)


def mail(
    text: str, *, subject: str, sender: str = CUSTOMER, reply_to: bytes | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Anna de Vries <{sender}>"
    message["To"] = INTAKE
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="lab.test")
    if reply_to is not None:
        parent = message_from_bytes(reply_to, policy=policy.default)
        message["In-Reply-To"] = parent["Message-ID"]
        message["References"] = parent["Message-ID"]
        del message["Subject"]
        message["Subject"] = f"Re: {parent['Subject']}"
    message.set_content(text, cte="quoted-printable")
    return message


async def send(lab: MailLab, message: EmailMessage) -> None:
    await aiosmtplib.send(message, hostname=lab.smtp_host, port=lab.smtp_port)


def text_of(raw: bytes) -> str:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize("helpers", [0, 1], ids=["without-helpers", "with-a-helper"])
async def test_a_complaint_by_email_runs_the_whole_dialogue_threaded(
    lab: MailLab, database_url: str, sessions: SessionFactory, helpers: int
) -> None:
    first = mail(
        "Goedemiddag,\n\nMijn bestelling 4471234 van 3 november is nog steeds niet geleverd. "
        "Ik heb al twee keer gebeld.\n\nMet vriendelijke groet,\nAnna de Vries",
        subject="Bestelling niet geleverd",
    )
    settings = lab_settings(database_url, lab)
    settings.workers.processes = helpers
    async with RunningBot(settings) as app:
        await send(lab, first)
        replies = await lab.wait_for_mail(CUSTOMER, 2, timeout=30)
        acknowledgement, question = (message_from_bytes(r, policy=policy.default) for r in replies)
        for reply in (acknowledgement, question):
            assert reply["In-Reply-To"] == first["Message-ID"]
            assert reply["Auto-Submitted"] == "auto-replied"
            assert "[K-" in reply["Subject"]
        assert "?" not in text_of(replies[0])  # acknowledge first, no question in it
        assert text_of(replies[1]).count("?") == 1

        await send(lab, mail("Dat het pakket deze week nog komt.", subject="", reply_to=replies[1]))
        replies = await lab.wait_for_mail(CUSTOMER, 3, timeout=30)
        summary = text_of(replies[2])
        assert "4471234" in summary
        assert "Dat het pakket deze week nog komt." in summary

        await send(lab, mail("Ja, dat klopt.", subject="", reply_to=replies[2]))
        replies = await lab.wait_for_mail(CUSTOMER, 5, timeout=30)
        agreement, closing = text_of(replies[3]), text_of(replies[4])
        assert "17:00" in agreement
        assert "?" not in closing
        # With a helper, the mails were read before their turn (and the same came of it).
        assert (app.read_ahead.used > 0) == bool(helpers)

    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case))).all()
        inbound = (await session.exec(select(Message).where(Message.direction == "in"))).all()
    assert len(cases) == 1
    assert cases[0].status == "handed_off"
    assert len(inbound) == 3
    assert all(m.case_id == cases[0].id for m in inbound)


async def test_out_of_office_is_kept_but_never_answered_and_a_restart_reads_nothing_twice(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab)
    first = mail("Mijn factuur 2026-0042 is veel te hoog.", subject="Factuur")
    async with RunningBot(settings):
        await send(lab, first)
        replies = await lab.wait_for_mail(CUSTOMER, 2, timeout=30)
        away = mail(
            "Ik ben tot maandag afwezig.", subject="Automatisch antwoord", reply_to=replies[1]
        )
        away["Auto-Submitted"] = "auto-replied"
        await send(lab, away)
        kept: list[Message] = []

        async def stored() -> bool:
            async with transaction(sessions) as session:
                kept[:] = (
                    await session.exec(select(Message).where(col(Message.automated).is_not(None)))
                ).all()
            # Stored first, then taken in by the intake like any mail: wait for both.
            return bool(kept) and kept[0].processed_at is not None

        await eventually(stored, within=30)
    assert kept[0].automated == "auto_reply"
    assert kept[0].processed_at is not None
    async with RunningBot(settings) as app:
        await app.settle()
    assert len(await lab.fetch_all(CUSTOMER)) == 2  # nothing answered the out-of-office
    async with transaction(sessions) as session:
        inbound = (await session.exec(select(Message).where(Message.direction == "in"))).all()
        cursor = (await session.exec(select(MailboxCursor))).one()
    assert len(inbound) == 2  # the restart read nothing twice
    assert cursor.last_uid > 0  # the lab's UIDs keep counting across tests


async def test_the_handler_gets_the_summary_by_mail_and_answers_the_customer_through_it(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab).model_copy(
        update={
            "handlers": [
                HandlerSettings(name="Sanne de Boer", email="handler@lab.test", role="handler")
            ]
        }
    )
    complaint = mail(
        "Ik ben het niet eens met de eindafrekening en stap naar de geschillencommissie.",
        subject="Eindafrekening",
    )
    async with RunningBot(settings):
        await send(lab, complaint)
        (handoff,) = await lab.wait_for_mail("handler@lab.test", 1, timeout=30)
        summary = text_of(handoff)
        assert "Sanne de Boer" in summary
        assert "geschillencommissie" in summary
        assert "K-2026-" in str(message_from_bytes(handoff, policy=policy.default)["Subject"])

        answer = mail(
            "Beste mevrouw De Vries, ik bel u morgen om 10:00 om dit samen door te nemen.",
            subject="",
            sender="handler@lab.test",
            reply_to=handoff,
        )
        await send(lab, answer)
        replies = await lab.wait_for_mail(CUSTOMER, 2, timeout=30)
        forwarded = text_of(replies[1])
        assert "ik bel u morgen om 10:00" in forwarded
        assert "Sanne de Boer" in forwarded
        assert (
            message_from_bytes(replies[1], policy=policy.default)["In-Reply-To"]
            == (complaint["Message-ID"])
        )
    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case))).all()
        replied = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "handler.replied"))
        ).all()
    assert len(cases) == 1  # the handler's mail did not start a case of its own
    assert [event.actor for event in replied] == ["Sanne de Boer"]


async def test_a_mail_over_the_size_limit_is_kept_and_answered_politely(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab)
    settings.email.max_message_bytes = 50_000
    # A complaint, so the notice about the attachments comes with an acknowledgement and a
    # question (three mails).
    big = mail(
        "Hierbij de foto's van de schimmel in de badkamer. Ik heb het al drie keer gemeld en er "
        "gebeurt niets.",
        subject="Schimmel",
    )
    big.add_attachment(
        b"\x89PNG" + bytes(200_000), maintype="image", subtype="png", filename="a.png"
    )
    async with RunningBot(settings):
        await send(lab, big)
        replies = await lab.wait_for_mail(CUSTOMER, 3, timeout=30)
    texts = [text_of(raw) for raw in replies]
    assert any("bijlagen zijn niet meegekomen" in text for text in texts)
    async with transaction(sessions) as session:
        stored = (await session.exec(select(Message).where(Message.direction == "in"))).one()
    assert stored.oversized
    assert "schimmel" in stored.text
    assert stored.raw_id is not None  # the whole mail is kept, attachments included


async def test_the_limit_on_automatic_mail_per_address_survives_a_restart(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab)
    settings.email.max_auto_mails_per_hour = 2
    now = utc_now()
    async with transaction(sessions) as session:
        for number in range(2):  # what the bot sent before it restarted
            await outbox.enqueue(
                session,
                idempotency_key=f"before-restart-{number}",
                channel="email",
                recipient=CUSTOMER,
                template="acknowledge",
                body="Dank u wel.",
                due_at=now,
                now=now,
            )
        await session.exec(
            update(OutboxRow).values(status=outbox.SENT, sent_at=now - timedelta(minutes=20))
        )
    channel = email_channel(settings.email, sessions=lambda: sessions, clock=utc_now)
    await channel.start()
    try:

        def reply(to: str) -> OutboundMessage:
            return OutboundMessage(
                outbox_id=99, channel="email", recipient=to, text="Dank u.", template="t"
            )

        refused = await channel.send(reply(CUSTOMER))
        other = await channel.send(reply("someone-else@outside.test"))
    finally:
        await channel.stop()

    assert not refused.ok
    assert refused.retry_after is not None
    assert 39 * 60 < refused.retry_after <= 40 * 60  # when the older mail leaves the hour
    assert other.ok, other.error
    assert [sent.rcpt_tos for sent in lab.outside] == [("someone-else@outside.test",)]
