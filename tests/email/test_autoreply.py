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
        ("Precedence: bulk\n", "list", "Precedence: bulk"),
        ("Precedence: junk\n", "list", "Precedence: junk"),
        ("Precedence: list\n", "list", "Precedence: list"),
        ("Precedence: auto_reply\n", "auto_reply", "Precedence: auto_reply"),
        ("Return-Path: <>\n", "auto_reply", "empty Return-Path"),
        ("Auto-Submitted: no\n", "human", None),
        ("Return-Path: <piet@example.nl>\nPrecedence: first-class\n", "human", None),
        # Marks that people's own mail carries too: a request not to be auto-answered
        # (Outlook sets it), a mailing list or forum that relays a member's complaint.
        ("X-Auto-Response-Suppress: OOF, DR\n", "human", None),
        ("X-Auto-Response-Suppress: All\n", "human", None),
        ("List-Unsubscribe: <mailto:u@x.example>\n", "human", None),
        ("List-Id: Bewoners <bewoners.x.example>\nList-Post: <mailto:l@x.example>\n",
         "human", None),
        ("X-Failed-Recipients: Weg@Example.nl\n", "human", None),
    ],
)
def test_header_signals(headers: str, kind: str, reason: str | None) -> None:
    mail = parse_mail(_mail(headers))
    assert (mail.kind, mail.kind_reason) == (kind, reason)


@pytest.mark.parametrize(
    "subject",
    [
        # Complaints whose words sound like a machine's: only structure decides.
        "Niet bezorgd: pakket 12345",
        "Automatisch antwoord klopt niet, ik wil een mens spreken",
        "Afwezigheidsmelding van uw monteur is onzin",
        "Undeliverable: my order never came",
        "Out of office again? Nobody answers",
        "Returned mail: the parcel came back to you, not to me",
        "Bezorger zei dat ik afwezig was",
    ],
)
def test_subjects_never_decide(subject: str) -> None:
    raw = f"From: p@example.nl\nSubject: {subject}\n\nTekst.\n".encode()
    assert parse_mail(raw).kind == "human"


@pytest.mark.parametrize(
    ("sender", "kind"),
    [
        ("MAILER-DAEMON@mx.example.nl", "auto_reply"),
        ("postmaster@example.nl", "auto_reply"),
        # A contact form relays the customer's words from a no-reply address.
        ("noreply@example.nl", "human"),
        ("no_reply@example.nl", "human"),
        ("do-not-reply@example.nl", "human"),
        ("noreen@example.nl", "human"),
    ],
)
def test_machine_senders(sender: str, kind: str) -> None:
    raw = f"From: {sender}\nSubject: Bericht\n\nTekst.\n".encode()
    assert parse_mail(raw).kind == kind


def _report(status: str, report_type: str = "delivery-status", returned: str = "") -> bytes:
    return (
        "From: mailer@mx.example.nl\nSubject: Status\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type={report_type}; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nUitleg.\n"
        f"--b\nContent-Type: message/{report_type}\n\n"
        "Reporting-MTA: dns; mx.example.nl\n\n"
        f"Final-Recipient: rfc822;klant@example.nl\nAction: {status}\nStatus: 4.4.7\n\n"
        f"{returned}--b--\n"
    ).encode()


def test_delayed_delivery_is_not_a_bounce() -> None:
    mail = parse_mail(_report("delayed"))
    assert (mail.kind, mail.kind_reason) == ("auto_reply", "delivery status: delayed")


@pytest.mark.parametrize(
    ("returned", "message_id"),
    [
        ("", None),
        (
            "--b\nContent-Type: message/rfc822\n\nFrom: k@x.nl\nMessage-ID: <ours-1@x.nl>\n\n"
            "Tekst.\n\n",
            "<ours-1@x.nl>",
        ),
        (
            "--b\nContent-Type: text/rfc822-headers\n\nFrom: k@x.nl\n"
            "Message-ID:\n <ours-2@x.nl>\n\n",
            "<ours-2@x.nl>",
        ),
    ],
)
def test_failed_delivery_report_names_the_mail_it_returns(
    returned: str, message_id: str | None
) -> None:
    mail = parse_mail(_report("failed", returned=returned))
    assert (mail.kind, mail.kind_reason) == ("bounce", "delivery status: failed")
    assert mail.returned_message_id == message_id


def test_read_receipt() -> None:
    mail = parse_mail(_report("displayed", report_type="disposition-notification"))
    assert (mail.kind, mail.kind_reason) == ("auto_reply", "read receipt")
