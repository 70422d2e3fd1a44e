"""Outgoing replies thread, carry the case token once and stay 7-bit on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest

from channels.email import build_reply, parse_mail
from channels.email.compose import new_message_id
from channels.email.outgoing import OutgoingMail
from channels.email.reply_token import new_reply_token, reply_tokens_in

INTAKE = "klachten@bakkerijdevries.nl"
DATE = datetime(2026, 11, 24, 10, 12, tzinfo=timezone(timedelta(hours=1)))
TEXT = "Beste Renée,\n\nWij hebben uw klacht over de crème ontvangen. € 4,50 terug.\n"
HTML = "<p>Beste Renée,</p><p>Wij hebben uw klacht over de crème ontvangen. € 4,50 terug.</p>"


def _reply(**changes: Any) -> OutgoingMail:
    arguments: dict[str, Any] = {
        "sender": INTAKE,
        "sender_name": "Klachtenservice Bakkerij De Vries",
        "recipient": "renee@example.nl",
        "recipient_name": "Renée de Vriës",
        "subject": "Te veel betaald",
        "text": TEXT,
        "html": HTML,
        "date": DATE,
        "case_token": "K-2026-000123",
        "parent_id": "<qp-dutch-1@example.nl>",
        "parent_references": ("<root@example.nl>",),
    }
    arguments.update(changes)
    return build_reply(**arguments)


def test_round_trip_through_the_parser() -> None:
    message = _reply()
    mail = parse_mail(bytes(message))
    assert mail.subject == "Re: Te veel betaald [K-2026-000123]"
    assert mail.case_token == "K-2026-000123"
    assert mail.message_id is not None
    assert mail.message_id.endswith("@bakkerijdevries.nl>")
    assert mail.in_reply_to == "<qp-dutch-1@example.nl>"
    assert mail.references == ("<root@example.nl>", "<qp-dutch-1@example.nl>")
    assert (mail.from_address, mail.from_name) == (INTAKE, "Klachtenservice Bakkerij De Vries")
    assert mail.reply_to == INTAKE
    assert mail.to == ("renee@example.nl",)
    assert mail.date == DATE
    assert mail.full_text == TEXT.strip()
    assert mail.kind == "human"
    assert mail.auto_submitted is None


def test_automatic_reply_is_marked() -> None:
    message = _reply(automatic=True)
    assert message["Auto-Submitted"] == "auto-replied"
    mail = parse_mail(bytes(message))
    assert (mail.kind, mail.auto_submitted) == ("auto_reply", "auto-replied")


def test_both_parts_are_quoted_printable_and_the_wire_is_seven_bit() -> None:
    wire = bytes(_reply())
    assert wire.isascii()
    assert b"\r\n" in wire
    message = BytesParser(policy=policy.default).parsebytes(wire)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert [part["Content-Transfer-Encoding"] for part in parts] == ["quoted-printable"] * 2
    contents = [str(part.get_content()).replace("\r\n", "\n") for part in parts]
    assert contents == [TEXT, HTML + "\n"]


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Te veel betaald [K-2026-000123]",
        "RE: Antw: Re: Te veel betaald [K-2026-000123]",
        "Re: [k-2026-000123] Te veel betaald",
    ],
)
def test_token_and_prefix_appear_once(subject: str) -> None:
    result = str(_reply(subject=subject)["Subject"])
    assert result.upper().count("K-2026-000123") == 1
    assert result.startswith("Re: ")
    assert result.lower().count("re:") == 1


def test_first_mail_has_no_threading_headers() -> None:
    message = _reply(parent_id=None, parent_references=())
    assert message["Subject"] == "Te veel betaald [K-2026-000123]"
    assert message["In-Reply-To"] is None
    assert message["References"] is None


def test_references_are_trimmed_keeping_root_and_parent() -> None:
    chain = [f"<m{number}@example.nl>" for number in range(30)]
    message = _reply(parent_id="<parent@example.nl>", parent_references=[*chain, chain[3]])
    references = str(message["References"]).split()
    assert len(references) == 10
    assert references[0] == "<m0@example.nl>"
    assert references[-1] == "<parent@example.nl>"
    assert len(set(references)) == len(references)


def test_header_injection_is_flattened() -> None:
    message = _reply(subject="Hallo\r\nBcc: everyone@example.nl", recipient_name="Piet\nBcc: x")
    wire = BytesParser(policy=policy.default).parsebytes(bytes(message))
    assert wire["Bcc"] is None
    assert wire["Subject"] == "Re: Hallo Bcc: everyone@example.nl [K-2026-000123]"


def test_separate_reply_to_and_message_id_domain() -> None:
    message = _reply(reply_to="antwoord@bakkerijdevries.nl", domain="mail.example.nl")
    assert message["Reply-To"] == "antwoord@bakkerijdevries.nl"
    assert str(message["Message-ID"]).endswith("@mail.example.nl>")


def test_a_reply_token_is_the_message_ids_left_part_and_the_parser_reads_it_back() -> None:
    token = new_reply_token()
    message = _reply(message_id=new_message_id(INTAKE, token=token))
    assert message.message_id == f"<{token}@bakkerijdevries.nl>"
    assert message["Message-ID"] == message.message_id
    answer = (
        f"From: sanne@example.nl\r\nIn-Reply-To: {message.message_id}\r\n"
        f"References: <root@example.nl> {message.message_id}\r\n\r\nIk bel haar.\r\n"
    ).encode()
    parsed = parse_mail(answer)
    assert reply_tokens_in((parsed.in_reply_to or "", *parsed.references)) == [token]
    assert _reply()["Message-ID"] != _reply()["Message-ID"]  # random without one


def test_naive_date_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _reply(date=datetime(2026, 11, 24, 10, 12))


def test_utc_date_header() -> None:
    assert str(_reply(date=datetime(2026, 11, 24, 9, 12, tzinfo=UTC))["Date"]).endswith("+0000")
