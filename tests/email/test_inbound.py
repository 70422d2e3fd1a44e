"""From a parsed mail to the message the intake stores: whom it is from, what it answers,
and what makes it the same mail as one stored before. Or, when it names nobody we could
answer, the reason it is quarantined."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import InboundMessage
from channels.email import parse_mail
from channels.email.channel import (
    MAX_THREAD_IDS,
    NO_SENDER,
    OWN_MAIL,
    NotTaken,
    to_inbound,
)

INTAKE = "Klachten@Bakkerij.nl"


def inbound(headers: str, body: str = "De taart was beschimmeld.") -> InboundMessage | NotTaken:
    raw = f"{headers}Subject: Klacht\nMessage-ID: <m1@x.nl>\n\n{body}\n".encode()
    return to_inbound(
        parse_mail(raw),
        raw,
        own_address=INTAKE,
        source="imap:1:1",
        received_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    )


def sender_of(headers: str) -> tuple[str, str | None]:
    message = inbound(headers)
    assert isinstance(message, InboundMessage), message
    return message.sender, message.sender_name


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ("From: Anna <Anna@X.nl>\nReply-To: other@x.nl\n", ("anna@x.nl", "Anna")),
        # No From, or none we can read: Reply-To, then Sender.
        ("Reply-To: Anna <anna@x.nl>\n", ("anna@x.nl", "Anna")),
        ("From: Anna de Vries\nReply-To: anna@x.nl\n", ("anna@x.nl", None)),
        ("From: undisclosed-recipients:;\nSender: piet@x.nl\n", ("piet@x.nl", None)),
        # A contact form, or the organisation's own site, sends for the customer.
        ("From: Website <noreply@site.nl>\nReply-To: Anna <anna@x.nl>\n", ("anna@x.nl", "Anna")),
        ("From: klachten@bakkerij.nl\nReply-To: anna@x.nl\n", ("anna@x.nl", None)),
        ("From: noreply@s.nl\nSender: form@s.nl\nReply-To: anna@x.nl\n", ("anna@x.nl", None)),
        # A no-reply address with nobody behind it is still the sender.
        ("From: Webwinkel <no-reply@shop.nl>\n", ("no-reply@shop.nl", "Webwinkel")),
    ],
)
def test_whom_a_mail_is_from(headers: str, sender: tuple[str, str | None]) -> None:
    assert sender_of(headers) == sender


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("", NO_SENDER),
        ("From: Anna de Vries\n", NO_SENDER),
        ("From: <>\nReply-To: undisclosed-recipients:;\n", NO_SENDER),
        # Our own mail coming back (our replies carry our address in Reply-To too).
        ("From: Klachten <klachten@bakkerij.nl>\nReply-To: klachten@bakkerij.nl\n", OWN_MAIL),
    ],
)
def test_a_mail_that_names_nobody_to_answer_is_not_taken(headers: str, reason: str) -> None:
    assert inbound(headers) == NotTaken(reason)


def test_the_same_mail_delivered_again_has_the_same_content_hash() -> None:
    first = inbound("From: anna@x.nl\n")
    again = inbound("Received: from mx2 by mx3\nDelivered-To: klachten@x.nl\nFrom: anna@x.nl\n")
    other = inbound("From: anna@x.nl\n", body="Het brood was oud.")
    assert isinstance(first, InboundMessage)
    assert isinstance(again, InboundMessage)
    assert isinstance(other, InboundMessage)
    assert first.content_hash == again.content_hash
    assert first.content_hash != other.content_hash
    assert len(first.content_hash) == 64


def test_a_long_thread_keeps_its_first_and_newest_ids() -> None:
    references = " ".join(f"<r{i}@x.nl>" for i in range(50_000))
    message = inbound(f"From: anna@x.nl\nIn-Reply-To: <parent@x.nl>\nReferences: {references}\n")
    assert isinstance(message, InboundMessage)
    assert len(message.thread) == MAX_THREAD_IDS
    assert message.thread[0] == "<parent@x.nl>"
    assert message.thread[-1] == "<r49999@x.nl>"
    assert message.thread[1] == f"<r{50_000 - MAX_THREAD_IDS + 1}@x.nl>"


def test_a_delivery_report_answers_the_mail_it_returns() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.x.nl\nMessage-ID: <dsn@mx.x.nl>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nNiet bezorgd.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.x.nl\n\n"
        b"Final-Recipient: rfc822; anna@x.nl\nAction: failed\nStatus: 5.1.1\n\n"
        b"--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: <ours@bakkerij.nl>\n\n--b--\n"
    )
    message = to_inbound(
        parse_mail(raw),
        raw,
        own_address=INTAKE,
        source="imap:1:2",
        received_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    )
    assert isinstance(message, InboundMessage)
    assert message.email is not None
    assert (message.email.automated, message.thread) == ("bounce", ("<ours@bakkerij.nl>",))
