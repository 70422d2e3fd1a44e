"""Forged mail in a handler's name, through the real Dovecot and SMTP lab: the attacker is a
customer who opened a complaint (so they know their own Message-IDs and ours to them, and the
case number) and writes as the handler. Nothing they write reaches the customer in the
handler's name, and the handler's real reply to the handoff mail still does."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.utils import format_datetime, make_msgid

import aiosmtplib
from rich.console import Console
from sqlmodel import select

from bot.cli.casefile import case_file
from bot.cli.showing import case_file_parts
from bot.config.settings import HandlerSettings, Settings
from bot.intake.intake import HANDLER_MAIL_UNVERIFIED, HANDLER_REPLY
from common.clock import utc_now
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, Message, OutboxRow
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.support import eventually
from tests.test_email_channel import CUSTOMER, RunningBot, mail, send, text_of

HANDLER = "handler@lab.test"
ATTACKER = "mallory@evil.test"  # outside the lab: the lab's SMTP records what goes there
EMERGENCY = "Het ruikt hier sterk naar gas, ik denk dat er een gaslek is in de meterkast."


def with_handler(database_url: str, lab: MailLab) -> Settings:
    return lab_settings(database_url, lab).model_copy(
        update={"handlers": [HandlerSettings(name="Sanne de Boer", email=HANDLER, role="handler")]}
    )


def header(raw: bytes, name: str) -> str:
    return str(message_from_bytes(raw, policy=policy.default)[name])


async def send_raw(lab: MailLab, from_header: str, text: str, *, answers: list[str]) -> str:
    """A mail written byte for byte (the From line exactly as given); its Message-ID."""
    message_id = make_msgid(domain="evil.test")
    raw = (
        f"From: {from_header}\r\nTo: {INTAKE}\r\nSubject: Re: uw melding\r\n"
        f"Date: {format_datetime(utc_now())}\r\nMessage-ID: {message_id}\r\n"
        f"In-Reply-To: {answers[0]}\r\nReferences: {' '.join(answers)}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    ).encode()
    await aiosmtplib.send(
        raw, sender=ATTACKER, recipients=[INTAKE], hostname=lab.smtp_host, port=lab.smtp_port
    )
    return message_id


async def handoff_mail(lab: MailLab) -> bytes:
    """The handoff mail in the handler's mailbox (a deadline warning may come with it),
    known by the token in its Message-ID."""
    found: list[bytes] = []

    async def arrived() -> bool:
        found[:] = [
            raw
            for raw in await lab.fetch_all(HANDLER)
            if re.fullmatch(r"<handoff\.[\w-]{32}@lab\.test>", header(raw, "Message-ID"))
        ]
        return bool(found)

    await eventually(arrived, within=30)
    return found[0]


async def stored(sessions: SessionFactory, external_id: str) -> Message | None:
    async with transaction(sessions) as session:
        found = await session.exec(select(Message).where(Message.external_id == external_id))
        return found.first()


async def processed(sessions: SessionFactory, external_id: str) -> Message:
    kept: list[Message] = []

    async def taken_in() -> bool:
        message = await stored(sessions, external_id)
        kept[:] = [message] if message is not None and message.processed_at else []
        return bool(kept)

    await eventually(taken_in, within=30)
    return kept[0]


async def first_contact(sessions: SessionFactory) -> Agreement:
    async with transaction(sessions) as session:
        return (
            await session.exec(select(Agreement).where(Agreement.what == "first_contact"))
        ).one()


async def actions(sessions: SessionFactory) -> list[str]:
    async with transaction(sessions) as session:
        return [event.action for event in (await session.exec(select(AuditEvent))).all()]


async def relayed(sessions: SessionFactory) -> list[OutboxRow]:
    async with transaction(sessions) as session:
        return list(
            await session.exec(select(OutboxRow).where(OutboxRow.template == "handler_reply"))
        )


async def test_forged_mail_as_the_handler_is_a_note_and_the_real_reply_still_goes_through(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    complaint = mail(EMERGENCY, subject="Gaslucht")
    async with RunningBot(with_handler(database_url, lab)) as app:
        await send(lab, complaint)
        handoff = await handoff_mail(lab)
        (ours,) = await lab.wait_for_mail(CUSTOMER, 1, timeout=30)

        # Variant A: the handler's address, answering the customer's own mail and ours to them.
        forged = await send_raw(
            lab,
            f"Sanne de Boer <{HANDLER}>",
            "U krijgt 5000 euro schadevergoeding. Met vriendelijke groet, Sanne de Boer",
            answers=[complaint["Message-ID"], header(ours, "Message-ID")],
        )
        note = await processed(sessions, forged)
        async with transaction(sessions) as session:
            case = (await session.exec(select(Case))).one()
        assert (note.kind, note.case_id) == (HANDLER_MAIL_UNVERIFIED, case.id)
        assert await relayed(sessions) == []
        assert "handler.mail_unverified" in await actions(sessions)
        assert "handler.replied" not in await actions(sessions)
        assert (await first_contact(sessions)).done_at is None  # escalation still watches
        # The handler finds it on the case.
        assert case.number is not None
        tz = app.settings.organisation.tz
        async with transaction(sessions) as session:
            shown = await case_file(session, case.number, tz, app.settings.organisation.language)
        assert shown is not None
        console = Console(width=250, record=True)
        for part in case_file_parts(shown, tz, "en", shown.case.received_at):
            console.print(part)
        screen = console.export_text()
        assert "5000 euro" in screen
        assert "NOT verified" in screen  # the mail in the handler's name is flagged

        # The handler's own reply to the handoff mail.
        answer = mail(
            "Beste mevrouw De Vries, de monteur is onderweg.",
            subject="",
            sender=HANDLER,
            reply_to=handoff,
        )
        await send(lab, answer)
        reply = await processed(sessions, answer["Message-ID"])
        assert reply.kind == HANDLER_REPLY
        to_customer = await lab.wait_for_mail(CUSTOMER, 2, timeout=30)
        await app.settle()
    to_customer = await lab.fetch_all(CUSTOMER)
    texts = [text_of(raw) for raw in to_customer]
    assert len(texts) == 2
    assert "de monteur is onderweg" in texts[1]
    assert not any("5000 euro" in text for text in texts)
    assert (await first_contact(sessions)).done_at is not None


async def test_an_address_in_the_display_name_is_not_the_sender(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    complaint = mail(EMERGENCY, subject="Gaslucht")
    async with RunningBot(with_handler(database_url, lab)) as app:
        await send(lab, complaint)
        await handoff_mail(lab)
        await lab.wait_for_mail(CUSTOMER, 1, timeout=30)

        # Variant B: a line break in an encoded word once made the display name the address.
        forged = await send_raw(
            lab,
            f"=?utf-8?q?{HANDLER}=0D=0A?= <{ATTACKER}>",
            "U krijgt 5000 euro schadevergoeding. Sanne de Boer",
            answers=[complaint["Message-ID"]],
        )
        kept = await processed(sessions, forged)
        await app.settle()
    assert kept.sender == ATTACKER
    assert kept.kind == "text"  # a stranger's mail, no handler's
    assert await relayed(sessions) == []
    done = await actions(sessions)
    assert not any(action.startswith("handler.") for action in done)
    # A stranger answering the customer's thread: flagged there, a case of its own, and the
    # replies of that case go to the real sender, not to the address in the name.
    assert "mail.reply_from_someone_else" in done
    async with transaction(sessions) as session:
        rows = await session.exec(select(OutboxRow).where(OutboxRow.case_id == kept.case_id))
        answered = {row.recipient for row in rows if not row.template.startswith("handler/")}
    assert answered == {ATTACKER}
    assert lab.sent_to(ATTACKER)
    assert len(await lab.fetch_all(CUSTOMER)) == 1
    assert (await first_contact(sessions)).done_at is None
