"""Machine mail is recognised by any one clear signal; a person's mail is left alone."""

from __future__ import annotations

import pytest

from channels.email import parse_mail


def _mail(headers: str, body: str = "Tekst.") -> bytes:
    base = "From: Piet <piet@example.nl>\nTo: klachten@bakkerij.nl\nSubject: Klacht\n"
    return f"{base}{headers}\n{body}\n".encode()


@pytest.mark.parametrize(
    ("headers", "kind", "reason"),
    [
        ("Auto-Submitted: auto-replied\n", "auto_reply", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: auto-generated; owner=x\n", "auto_reply",
         "Auto-Submitted: auto-generated; owner=x"),
        ("X-Auto-Response-Suppress: OOF, DR\n", "auto_reply",
         "x-auto-response-suppress: OOF, DR"),
        ("X-Autoreply: yes\n", "auto_reply", "x-autoreply: yes"),
        ("Precedence: bulk\n", "list", "Precedence: bulk"),
        ("Precedence: junk\n", "list", "Precedence: junk"),
        ("List-Unsubscribe: <mailto:u@x.example>\n", "list", "list-unsubscribe"),
        ("List-Post: <mailto:l@x.example>\n", "list", "list-post"),
        ("Return-Path: <>\n", "auto_reply", "empty Return-Path"),
        ("X-Failed-Recipients: Weg@Example.nl\n", "bounce", "X-Failed-Recipients"),
        ("Auto-Submitted: no\n", "human", None),
        ("Return-Path: <piet@example.nl>\nPrecedence: first-class\n", "human", None),
    ],
)
def test_header_signals(headers: str, kind: str, reason: str | None) -> None:
    mail = parse_mail(_mail(headers))
    assert (mail.kind, mail.kind_reason) == (kind, reason)


@pytest.mark.parametrize(
    "subject",
    [
        "Afwezigheidsmelding",
        "Automatisch antwoord: Uw klacht [K-2026-000123]",
        "Out of Office: Your complaint",
        "Out of the office",
        "Automatic reply: Re: Your complaint",
        "Auto-Reply: thanks",
        "RE: Afwezigheidsmelding",
    ],
)
def test_out_of_office_subjects(subject: str) -> None:
    raw = f"From: p@example.nl\nSubject: {subject}\n\nWeg.\n".encode()
    assert parse_mail(raw).kind == "auto_reply"


@pytest.mark.parametrize(
    "subject",
    ["Bezorger zei dat ik afwezig was", "Klacht over automatisch antwoord van jullie"],
)
def test_subjects_that_only_mention_absence_are_human(subject: str) -> None:
    raw = f"From: p@example.nl\nSubject: {subject}\n\nTekst.\n".encode()
    assert parse_mail(raw).kind == "human"


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("MAILER-DAEMON@mx.example.nl", "bounce"),
        ("postmaster@example.nl", "bounce"),
        ("noreply@example.nl", "auto_reply"),
        ("no_reply@example.nl", "auto_reply"),
        ("do-not-reply@example.nl", "auto_reply"),
        ("noreply+abc@example.nl", "auto_reply"),
        ("noreen@example.nl", "human"),
    ],
)
def test_machine_senders(sender: str, kind: str) -> None:
    raw = f"From: {sender}\nSubject: Bericht\n\nTekst.\n".encode()
    assert parse_mail(raw).kind == kind


def _report(status: str, report_type: str = "delivery-status") -> bytes:
    return (
        "From: mailer@mx.example.nl\nSubject: Status\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type={report_type}; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nUitleg.\n"
        f"--b\nContent-Type: message/{report_type}\n\n"
        "Reporting-MTA: dns; mx.example.nl\n\n"
        f"Final-Recipient: rfc822;klant@example.nl\nAction: {status}\nStatus: 4.4.7\n\n"
        "--b--\n"
    ).encode()


def test_delayed_delivery_is_not_a_bounce() -> None:
    mail = parse_mail(_report("delayed"))
    assert (mail.kind, mail.kind_reason, mail.bounced_recipient) == (
        "auto_reply",
        "delivery status: delayed",
        None,
    )


def test_failed_delivery_report() -> None:
    mail = parse_mail(_report("failed"))
    assert (mail.kind, mail.bounced_recipient) == ("bounce", "klant@example.nl")


def test_read_receipt() -> None:
    mail = parse_mail(_report("displayed", report_type="disposition-notification"))
    assert (mail.kind, mail.kind_reason) == ("auto_reply", "read receipt")
