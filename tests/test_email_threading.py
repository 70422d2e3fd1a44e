"""Where each incoming mail lands, end to end against the mail lab: replies join the case
they answer (by thread or by case number), someone else's reply starts a case of its own,
and the mail nobody should answer (duplicates, bounces, broken MIME, our own mail) is kept
or quarantined without a word sent."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from sqlmodel import col, select

from channels.email.channel import OWN_MAIL
from storage.db import SessionFactory, transaction
from storage.models import (
    AuditEvent,
    Case,
    Message,
    OutboxRow,
    QuarantinedMail,
    RawPayload,
)
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE, lab_settings
from tests.support import eventually
from tests.test_email_channel import (
    CUSTOMER,
    RunningBot,
    mail,
    send,
)

CORPUS = Path(__file__).parent / "email" / "corpus"
NEIGHBOUR = "handler@lab.test"  # a second lab mailbox; no handlers are configured here
WITHIN = 30.0


def from_(message: EmailMessage, name: str, address: str) -> EmailMessage:
    del message["From"]
    message["From"] = f"{name} <{address}>"
    return message


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default)["Message-ID"])


async def inbound(sessions: SessionFactory, external_id: str) -> list[Message]:
    async with transaction(sessions) as session:
        result = await session.exec(
            select(Message).where(Message.direction == "in", Message.external_id == external_id)
        )
        return list(result.all())


async def processed(sessions: SessionFactory, external_id: str) -> Message:
    """The stored inbound mail with this Message-ID, once the intake has taken it in."""
    found: list[Message] = []

    async def taken() -> bool:
        found[:] = [m for m in await inbound(sessions, external_id) if m.processed_at]
        return bool(found)

    await eventually(taken, within=WITHIN)
    return found[0]


async def case_of(sessions: SessionFactory, message: Message) -> Case:
    assert message.case_id is not None
    async with transaction(sessions) as session:
        case = await session.get(Case, message.case_id)
    assert case is not None
    return case


async def audit(sessions: SessionFactory, action: str) -> list[AuditEvent]:
    async with transaction(sessions) as session:
        result = await session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        )
        return list(result.all())


async def test_replies_join_the_case_they_answer_and_someone_elses_reply_starts_its_own(
    lab: MailLab,
    database_url: str,
    sessions: SessionFactory,
) -> None:
    complaint = mail(
        "Goedemiddag,\n\nDe lift in ons gebouw aan de Lindelaan 12 staat al drie weken stil. "
        "Mijn moeder van 84 kan niet meer naar buiten.\n\nAnna de Vries",
        subject="Lift kapot",
    )
    async with RunningBot(lab_settings(database_url, lab)):
        await send(lab, complaint)
        ack_anna = (await lab.wait_for_mail(CUSTOMER, 1, timeout=WITHIN))[0]
        first = await processed(sessions, str(complaint["Message-ID"]))
        case_a = await case_of(sessions, first)
        assert case_a.number is not None

        # 3. Someone else answers in Anna's thread: a case of their own, a flag on Anna's.
        neighbour = from_(
            mail(
                "Ik woon naast mevrouw De Vries en bij ons lekt het dak al maanden.",
                subject="",
                sender=NEIGHBOUR,
                reply_to=ack_anna,
            ),
            "Henk Jansen",
            NEIGHBOUR,
        )
        del neighbour["Subject"]
        neighbour["Subject"] = "Ook bij ons"  # no case number: the thread alone must tell
        await send(lab, neighbour)
        ack_henk = (await lab.wait_for_mail(NEIGHBOUR, 1, timeout=WITHIN))[0]
        henks = await processed(sessions, str(neighbour["Message-ID"]))
        case_b = await case_of(sessions, henks)
        assert case_b.id != case_a.id
        assert case_b.customer_id != case_a.customer_id
        henk_answered = message_from_bytes(ack_henk, policy=policy.default)["In-Reply-To"]
        assert henk_answered == neighbour["Message-ID"]
        flagged = await audit(sessions, "mail.reply_from_someone_else")
        assert [(e.case_id, e.detail["message_id"]) for e in flagged] == [(case_a.id, henks.id)]

        # Anna answers in Henk's thread, which gives her a second open case; from here on
        # "the customer's open case" is not case A, so joining A below is the threading's work.
        crossed = mail(
            "Ik zag dit bericht bij de buurman, is dit voor mij?",
            subject="",
            reply_to=ack_henk,
        )
        await send(lab, crossed)
        annas_second = await processed(sessions, str(crossed["Message-ID"]))
        case_c = await case_of(sessions, annas_second)
        assert case_c.id not in (case_a.id, case_b.id)
        assert case_c.customer_id == case_a.customer_id

        # 1. A reply to the acknowledgement with a subject of its own joins case A.
        changed = mail("De monteur is nog steeds niet geweest.", subject="", reply_to=ack_anna)
        del changed["Subject"]
        changed["Subject"] = "iets heel anders"
        await send(lab, changed)
        assert (await processed(sessions, str(changed["Message-ID"]))).case_id == case_a.id

        # 2. A new mail, no thread headers, with only the case number in the subject.
        by_number = mail(
            "Nog een aanvulling: de huismeester weet ervan.",
            subject=f"Aanvulling [{case_a.number}]",
        )
        assert by_number["In-Reply-To"] is None
        assert by_number["References"] is None
        await send(lab, by_number)
        assert (await processed(sessions, str(by_number["Message-ID"]))).case_id == case_a.id

    async with transaction(sessions) as session:
        cases = (await session.exec(select(Case).order_by(col(Case.id)))).all()
    assert [case.id for case in cases] == [case_a.id, case_b.id, case_c.id]
    assert len(await audit(sessions, "mail.reply_from_someone_else")) == 2  # Henk's, Anna's


# -- mail that must not start or steer a conversation ---------------------------------------


def latin1_complaint(sender: str) -> tuple[bytes, str]:
    """The corpus mail (8-bit Latin-1, no charset declared) from a customer the lab knows."""
    raw = (CORPUS / "latin1_undeclared.eml").read_bytes()
    ident = make_msgid(domain="outside.test")
    raw = raw.replace(b"<gerrit@example.nl>", f"<{sender}>".encode())
    raw = raw.replace(b"klachten@bakkerijdevries.nl", INTAKE.encode())
    raw = raw.replace(b"<latin1-1@example.nl>", ident.encode())
    raw = raw.replace(b"\nGerrit\n", "\nMet financiële groet,\nGerrit\n".encode("latin-1"))
    return raw, ident


def html_only_complaint(sender: str) -> tuple[bytes, str]:
    raw = (CORPUS / "html_only.eml").read_bytes()
    ident = make_msgid(domain="outside.test")
    raw = raw.replace(b"marieke.jansen@example.nl", sender.encode())
    raw = raw.replace(b"klachten@bakkerijdevries.nl", INTAKE.encode())
    raw = raw.replace(b"<html-only-1@example.nl>", ident.encode())
    return raw, ident


def bounce_for(address: str, returned_id: str) -> tuple[bytes, str]:
    """A Postfix-style delivery failure for `address`, as the corpus has it, returning the
    mail with Message-ID `returned_id`."""
    raw = (CORPUS / "bounce.eml").read_bytes()
    ident = make_msgid(domain="mx.outside.test")
    raw = raw.replace(b"mx.bakkerijdevries.nl", b"mx.outside.test")
    raw = raw.replace(b"klachten@bakkerijdevries.nl", INTAKE.encode())
    raw = raw.replace(b"<20261124091402.ABC@mx.outside.test>", ident.encode())
    raw = raw.replace(b"Onbekend@Example.nl", address.upper().encode())
    raw = raw.replace(b"onbekend@example.nl", address.encode())
    raw = raw.replace(b"<ack-000125@klachten.bakkerijdevries.nl>", returned_id.encode())
    assert address.upper().encode() in raw
    assert returned_id.encode() in raw
    return raw, ident


def nested_too_deeply(depth: int = 2_000) -> tuple[bytes, str]:
    """Multiparts nested past the parser's recursion limit: the one deliverable kind of
    mail `parse_mail` gives up on (empty mail cannot be delivered)."""
    ident = make_msgid(domain="outside.test")
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    head = (
        f"From: Diep <diep@outside.test>\r\nTo: {INTAKE}\r\nSubject: Diep\r\n"
        f"Message-ID: {ident}\r\nMIME-Version: 1.0\r\n"
    ).encode()
    return head + opening + b"Content-Type: text/plain\r\n\r\nhoi\r\n" + closing, ident


async def test_duplicates_bounces_broken_and_own_mail_are_kept_or_quarantined_without_a_reply(
    lab: MailLab,
    database_url: str,
    sessions: SessionFactory,
) -> None:
    complaint = mail("Mijn huurverhoging klopt niet, ik betaal nu 80 euro meer.", subject="Huur")
    duplicate = from_(
        mail("Mijn schutting is omgewaaid en niemand komt.", subject="Schutting"),
        "Piet Bakker",
        "piet@outside.test",
    )
    own = from_(
        mail("Bedankt voor uw bericht.", subject="Uw klacht", sender=INTAKE),
        "Klachtenservice",
        "Klachten@Lab.Test",
    )
    forged_bounce, forged_id = bounce_for(CUSTOMER, make_msgid(domain="lab.test"))
    broken, broken_id = nested_too_deeply()
    latin1, latin1_id = latin1_complaint("gerrit@outside.test")
    html, html_id = html_only_complaint("marieke@outside.test")

    async with RunningBot(lab_settings(database_url, lab)) as app:
        await send(lab, complaint)
        annas = await processed(sessions, str(complaint["Message-ID"]))
        await app.settle()
        replies_to_anna = await lab.fetch_all(CUSTOMER)
        assert replies_to_anna
        # A real delivery report for the acknowledgement we sent Anna, from the null sender.
        bounce, bounce_id = bounce_for(CUSTOMER, message_id(replies_to_anna[0]))

        # Straight into the intake mailbox over LMTP, in this order (IMAP UID order); the
        # acknowledgement Anna got comes back as it was sent, as a forwarding loop would.
        for raw in (bytes(duplicate), bytes(duplicate), forged_bounce, replies_to_anna[0]):
            lab.deliver(raw, to=INTAKE)
        lab.deliver(bounce, to=INTAKE, mail_from="")
        for raw in (bytes(own), broken, latin1):
            lab.deliver(raw, to=INTAKE)
        lab.deliver(html, to=INTAKE)
        last = await processed(sessions, html_id)  # read in order: everything before it is in
        await app.settle()
        kept_latin1 = await processed(sessions, latin1_id)

    # 4. The same mail delivered twice is stored once.
    assert len(await inbound(sessions, str(duplicate["Message-ID"]))) == 1

    # 5. A delivery report for the mail we sent Anna joins her case and is answered by
    # nobody; one for a Message-ID we never sent counts for no case.
    (bounced,) = await inbound(sessions, bounce_id)
    assert (bounced.automated, bounced.case_id) == ("bounce", annas.case_id)
    assert bounced.processed_at is not None
    (forged,) = await inbound(sessions, forged_id)
    assert (forged.automated, forged.case_id) == ("bounce", None)
    assert len(await lab.fetch_all(CUSTOMER)) == len(replies_to_anna)
    assert lab.sent_to("MAILER-DAEMON@mx.outside.test") == []
    async with transaction(sessions) as session:
        to_daemon = (
            await session.exec(
                select(OutboxRow).where(col(OutboxRow.recipient).ilike("mailer-daemon@%"))
            )
        ).all()
        quarantined = (
            await session.exec(select(QuarantinedMail).order_by(col(QuarantinedMail.id)))
        ).all()
        payloads = {q.id: (await session.get(RawPayload, q.raw_id)) for q in quarantined}
        own_stored = (
            await session.exec(select(Message).where(Message.sender == INTAKE.lower()))
        ).all()
        to_ourselves = (
            await session.exec(select(OutboxRow).where(OutboxRow.recipient == INTAKE))
        ).all()
    assert to_daemon == []
    bounces = await audit(sessions, "mail.bounce")
    assert [(event.case_id, event.detail.get("recipient")) for event in bounces] == [
        (None, None),
        (annas.case_id, CUSTOMER),
    ]

    # 6. Our own mail coming back, and the mail the parser gives up on, are quarantined with
    # their reasons; the next one is read.
    assert [kept.error for kept in quarantined] == [OWN_MAIL, OWN_MAIL, "nested too deeply"]
    assert all(kept.source.startswith("imap:") for kept in quarantined)
    payload = payloads[quarantined[-1].id]
    assert payload is not None
    assert broken_id.encode() in payload.data
    assert await inbound(sessions, broken_id) == []
    assert kept_latin1.case_id is not None
    assert lab.sent_to("gerrit@outside.test")  # answered as usual

    # 7. Undeclared Latin-1 reads as the customer wrote it.
    assert "crème brûlée" in kept_latin1.text
    assert "één-persoons" in kept_latin1.text
    assert "financiële" in kept_latin1.text
    assert kept_latin1.subject == "Klacht over de crème brûlée"

    # 8. HTML-only mail is stored as text.
    assert "volkorenbrood" in last.text
    assert "Bon: 4711" in last.text
    for markup in ("<", ">", "&nbsp;", "&euro;", "alert(", "color: red", "tracking comment"):
        assert markup not in last.text
    assert "€ 3,95 & geen korting" in last.text

    # 9. Our own mail is neither stored as a message nor answered.
    assert await inbound(sessions, str(own["Message-ID"])) == []
    assert await inbound(sessions, message_id(replies_to_anna[0])) == []
    assert own_stored == []
    assert to_ourselves == []
