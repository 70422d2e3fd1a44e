"""Every mail is stored or quarantined, and a person's mail opens a case however automatic it
sounds, end to end against the mail lab (issue 13, findings 7 and 8):

- no usable From: quarantined with the reason; only a Reply-To: stored under that address;
- a Message-ID reused by someone else, or with other words, is a message of its own, while
  the same mail delivered twice is stored once;
- 50,000 References are stored and processed (PostgreSQL binds at most 32,767 parameters);
- complaints that sound automatic open cases; a real delivery report and a real
  out-of-office do not, and an out-of-office read in the same block as the mail it answers
  joins that mail's case;
- what is kept without a case reaches a handler in the daily digest.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import make_msgid

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.config.settings import HandlerSettings, Settings
from bot.runtime.app import App
from channels.base import EmailDetails, InboundMessage
from channels.email.channel import NO_SENDER
from storage.db import SessionFactory, transaction
from storage.models import Case, Message, OutboxRow, QuarantinedMail
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.support import eventually
from tests.test_email_channel import CUSTOMER, RunningBot, mail, send, text_of
from tests.test_email_threading import WITHIN, audit, bounce_for, inbound, processed

HANDLER = "handler@lab.test"


def raw_mail(headers: str, body: str, *, message_id: str | None = None) -> tuple[bytes, str]:
    ident = message_id or make_msgid(domain="outside.test")
    raw = f"{headers}To: {INTAKE}\r\nMessage-ID: {ident}\r\n\r\n{body}\r\n"
    return raw.replace("\r\n", "\n").replace("\n", "\r\n").encode(), ident


async def all_processed(sessions: SessionFactory, external_id: str, count: int) -> list[Message]:
    """The `count` stored inbound mails with this Message-ID, once all are taken in."""
    found: list[Message] = []

    async def taken() -> bool:
        found[:] = [m for m in await inbound(sessions, external_id) if m.processed_at]
        return len(found) >= count

    await eventually(taken, within=WITHIN)
    return sorted(found, key=lambda m: m.id or 0)


async def quarantined(sessions: SessionFactory, count: int) -> list[QuarantinedMail]:
    found: list[QuarantinedMail] = []

    async def kept() -> bool:
        async with transaction(sessions) as session:
            found[:] = (
                await session.exec(select(QuarantinedMail).order_by(col(QuarantinedMail.id)))
            ).all()
        return len(found) >= count

    await eventually(kept, within=WITHIN)
    return found


async def test_a_mail_without_a_usable_from_is_quarantined_with_the_reason(
    lab: MailLab,
    database_url: str,
    sessions: SessionFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nobody, nobody_id = raw_mail(
        "From: Anna de Vries\r\nSubject: Lekkage\r\n", "Het lekt al weken door het plafond."
    )
    only_reply_to, reply_to_id = raw_mail(
        f"Reply-To: Anna de Vries <{CUSTOMER}>\r\nSubject: Schimmel\r\n",
        "Er zit schimmel in de badkamer.",
    )
    async with RunningBot(lab_settings(database_url, lab)):
        lab.deliver(nobody, to=INTAKE)
        lab.deliver(only_reply_to, to=INTAKE)
        stored = await processed(sessions, reply_to_id)
        (kept,) = await quarantined(sessions, 1)
        (acknowledgement, *_) = await lab.wait_for_mail(CUSTOMER, 1, timeout=WITHIN)

    assert kept.error == NO_SENDER
    assert await inbound(sessions, nobody_id) == []
    # Stored under the only address the mail gives, and answered there.
    assert stored.sender == CUSTOMER
    assert stored.case_id is not None
    assert message_from_bytes(acknowledgement, policy=policy.default)["In-Reply-To"] == (
        reply_to_id
    )
    # The operator finds it with the existing command, reason and all.
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)
    runner = CliRunner(env={"COLUMNS": "250"})
    listed = await asyncio.to_thread(runner.invoke, cli, ["mail", "quarantine", "list"])
    assert listed.exit_code == 0, listed.output
    assert "no sender address" in listed.output


async def test_a_reused_message_id_is_a_message_of_its_own_and_a_duplicate_is_not(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    ident = make_msgid(domain="lab.test")
    annas = mail("De verwarming doet het al een week niet.", subject="Verwarming")
    annas.replace_header("Message-ID", ident)
    # Someone else's mail that reuses Anna's Message-ID (a careless mailer, or on purpose).
    henks = mail("Bij ons valt de lift steeds uit.", subject="Lift", sender="henk@outside.test")
    henks.replace_header("Message-ID", ident)
    # Anna again, with other words under the same id (a mailer that reuses ids).
    annas_again = mail("En nu is ook het warme water weg.", subject="Water")
    annas_again.replace_header("Message-ID", ident)

    async with RunningBot(lab_settings(database_url, lab)) as app:
        await send(lab, annas)
        await all_processed(sessions, ident, 1)
        await send(lab, henks)
        await all_processed(sessions, ident, 2)
        await send(lab, annas_again)
        # The same mail delivered twice more (a second route, a re-read mailbox).
        lab.deliver(bytes(annas), to=INTAKE)
        lab.deliver(bytes(henks), to=INTAKE)
        marker, marker_id = raw_mail(f"From: {CUSTOMER}\r\nSubject: Nog iets\r\n", "Tot slot.")
        lab.deliver(marker, to=INTAKE)
        await processed(sessions, marker_id)  # read in order: everything before it is in
        await app.settle()
        stored = await all_processed(sessions, ident, 3)

    assert [(m.sender, m.subject) for m in stored] == [
        (CUSTOMER, "Verwarming"),
        ("henk@outside.test", "Lift"),
        (CUSTOMER, "Water"),
    ]
    assert len(await inbound(sessions, ident)) == 3  # the duplicates were not stored
    anna_first, henk, anna_second = stored
    assert henk.case_id not in (None, anna_first.case_id)
    assert anna_second.case_id == anna_first.case_id  # her own open case
    assert lab.sent_to("henk@outside.test")  # Henk is answered
    assert len({m.content_hash for m in stored}) == 3


async def test_a_mail_with_50000_references_is_stored_and_processed(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    references = "\r\n ".join(f"<ref-{i}@outside.test>" for i in range(50_000))
    long_thread, ident = raw_mail(
        f"From: Piet <piet@outside.test>\r\nSubject: Nog steeds geen antwoord\r\n"
        f"In-Reply-To: <ref-49999@outside.test>\r\nReferences: {references}\r\n",
        "Ik wacht al maanden op een reactie over mijn kapotte kozijn.",
    )
    async with RunningBot(lab_settings(database_url, lab)) as app:
        lab.deliver(long_thread, to=INTAKE)
        stored = await processed(sessions, ident)
        await app.settle()
    assert stored.case_id is not None
    assert "kozijn" in stored.text
    assert len(stored.thread) == 50
    assert lab.sent_to("piet@outside.test")  # answered as any complaint


COMPLAINTS = {
    "bezorgd@outside.test": ("Subject: Niet bezorgd: pakket 12345\r\n", "Mijn pakket kwam nooit."),
    "antwoord@outside.test": (
        "Subject: Automatisch antwoord klopt niet\r\n",
        "Uw automatische antwoord zegt dat u morgen komt, maar niemand komt ooit.",
    ),
    "lijst@outside.test": (
        "Subject: Overlast\r\nList-Id: Bewoners <bewoners.outside.test>\r\n"
        "List-Unsubscribe: <mailto:uit@outside.test>\r\n",
        "De buren draaien elke nacht harde muziek.",
    ),
    "outlook@outside.test": (
        "Subject: Factuur\r\nX-Auto-Response-Suppress: All\r\n",
        "Mijn factuur is twee keer afgeschreven.",
    ),
}


async def test_complaints_that_sound_automatic_open_cases_and_machine_mail_does_not(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    sent: dict[str, str] = {}
    for sender, (headers, body) in COMPLAINTS.items():
        raw, sent[sender] = raw_mail(f"From: {sender}\r\n{headers}", body)
        lab.deliver(raw, to=INTAKE)
    # A contact form relays the customer's words from a no-reply address.
    form, form_id = raw_mail(
        "From: Website <noreply@outside.test>\r\nReply-To: Marieke <marieke@outside.test>\r\n"
        "Subject: Contactformulier\r\n",
        "Naam: Marieke\r\nBericht: de monteur heeft de voordeur beschadigd.",
    )
    lab.deliver(form, to=INTAKE)
    # A real out-of-office (RFC 3834) and a real delivery report, answering nothing of ours.
    away, away_id = raw_mail(
        "From: Jan <jan@outside.test>\r\nSubject: Afwezig\r\nAuto-Submitted: auto-replied\r\n",
        "Ik ben tot maandag afwezig.",
    )
    lab.deliver(away, to=INTAKE)
    dsn, dsn_id = bounce_for("weg@outside.test", make_msgid(domain="elsewhere.test"))
    lab.deliver(dsn, to=INTAKE, mail_from="")

    async with RunningBot(lab_settings(database_url, lab)) as app:
        taken = {sender: await processed(sessions, ident) for sender, ident in sent.items()}
        relayed = await processed(sessions, form_id)
        machine = [await processed(sessions, ident) for ident in (away_id, dsn_id)]
        await app.settle()

    for sender, message in taken.items():
        assert (message.automated, message.case_id is not None) == (None, True), sender
        assert lab.sent_to(sender), sender
    assert relayed.sender == "marieke@outside.test"
    assert relayed.case_id is not None
    assert lab.sent_to("marieke@outside.test")
    assert lab.sent_to("noreply@outside.test") == []
    assert [(m.automated, m.case_id) for m in machine] == [("auto_reply", None), ("bounce", None)]
    assert lab.sent_to("jan@outside.test") == []
    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case))).all()
    assert len(cases) == len(COMPLAINTS) + 1


async def test_an_out_of_office_read_with_the_mail_it_answers_joins_that_case(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    complaint, complaint_id = raw_mail(
        "From: Piet <piet@outside.test>\r\nCc: jan@outside.test\r\nSubject: Dak\r\n",
        "Het dak lekt boven de slaapkamer.",
    )
    # Piet's colleague in Cc is away: the out-of-office answers Piet's mail to us too.
    away, away_id = raw_mail(
        "From: Jan <jan@outside.test>\r\nSubject: Afwezig: Dak\r\n"
        f"Auto-Submitted: auto-replied\r\nIn-Reply-To: {complaint_id}\r\n",
        "Ik ben tot maandag afwezig.",
    )
    # Both wait in the mailbox before the bot starts: they are read in one block.
    lab.deliver(complaint, to=INTAKE)
    lab.deliver(away, to=INTAKE)
    async with RunningBot(lab_settings(database_url, lab)) as app:
        piets = await processed(sessions, complaint_id)
        jans = await processed(sessions, away_id)
        await app.settle()
    assert piets.case_id is not None
    assert (jans.automated, jans.case_id) == ("auto_reply", piets.case_id)
    assert lab.sent_to("jan@outside.test") == []
    assert [event.case_id for event in await audit(sessions, "mail.auto_reply")] == [
        piets.case_id
    ]


async def test_mail_kept_without_a_case_reaches_a_handler_in_the_daily_digest(
    lab: MailLab, database_url: str, sessions: SessionFactory
) -> None:
    settings = lab_settings(database_url, lab).model_copy(
        update={"handlers": [HandlerSettings(name="Sanne de Boer", email=HANDLER)]}
    )
    settings.followups.digest_hour = 0  # due at any hour of the test's day
    away, away_id = raw_mail(
        "From: Jan <jan@outside.test>\r\nSubject: Afwezig tot maandag\r\n"
        "Auto-Submitted: auto-replied\r\n",
        "Ik ben tot maandag afwezig. Voor spoed: bel de receptie.",
    )
    news, news_id = raw_mail(
        "From: Nieuws <nieuws@outside.test>\r\nSubject: Nieuwsbrief november\r\n"
        "Precedence: bulk\r\n",
        "Het laatste nieuws.",
    )
    async with RunningBot(settings) as app:
        lab.deliver(away, to=INTAKE)
        lab.deliver(news, to=INTAKE)
        kept = [await processed(sessions, ident) for ident in (away_id, news_id)]
        await app.followups_due()
        app.dispatcher.wake()
        (digest,) = await lab.wait_for_mail(HANDLER, 1, timeout=WITHIN)
        later, later_id = raw_mail(
            "From: Els <els@outside.test>\r\nSubject: Vakantie\r\nAuto-Submitted: auto-replied\r\n",
            "Met vakantie.",
        )
        lab.deliver(later, to=INTAKE)
        waiting = await processed(sessions, later_id)
        await app.followups_due()  # today's digest went: the next one is tomorrow's
        await app.settle()

    parsed = message_from_bytes(digest, policy=policy.default)
    assert "2 onbeantwoorde e-mails" in str(parsed["Subject"])
    text = text_of(digest)
    assert "Beste Sanne de Boer" in text
    for expected in ("jan@outside.test", "Afwezig tot maandag", "Voor spoed: bel de receptie",
                     "nieuws@outside.test", "Nieuwsbrief november"):
        assert expected in text
    assert all(message.case_id is None for message in kept)
    assert len(await lab.fetch_all(HANDLER)) == 1
    async with transaction(sessions) as session:
        marked = [await session.get(Message, message.id) for message in (*kept, waiting)]
        rows = (await session.exec(select(OutboxRow).where(OutboxRow.template == "digest"))).all()
    assert [m.digested_at is not None for m in marked if m is not None] == [True, True, False]
    assert [(row.recipient, row.status) for row in rows] == [(HANDLER, "sent")]
    assert len(await audit(sessions, "digest.sent")) == 1


async def test_a_stored_mail_with_50000_thread_ids_is_processed(database_url: str) -> None:
    """Mail stored before threads were cut (it failed on every restart on PostgreSQL): the
    lookup binds only the newest ids, and still finds the case they answer."""
    settings = Settings.model_validate({"database": {"url": database_url}})
    now = datetime.now(UTC)

    def message(external_id: str, text: str, thread: tuple[str, ...] = ()) -> InboundMessage:
        return InboundMessage(
            channel="email",
            external_id=external_id,
            sender="piet@outside.test",
            text=text,
            received_at=now,
            thread=thread,
            email=EmailDetails(subject="Kozijn"),
        )

    async with App(settings, []) as app:
        first = await app.intake.store(message("<first@outside.test>", "Mijn kozijn rot weg."))
        assert first is not None
        await app.intake.process(first)
        thread = (*(f"<ref-{i}@outside.test>" for i in range(50_000)), "<first@outside.test>")
        later = await app.intake.store(message("<later@outside.test>", "Nog iets.", thread))
        assert later is not None
        await app.intake.process(later)
        async with transaction(app.sessions) as session:
            before = await session.get(Message, first)
            after = await session.get(Message, later)
    assert before is not None
    assert after is not None
    assert after.processed_at is not None
    assert after.case_id == before.case_id
    assert after.case_id is not None
