"""The composed bytes read back with the stdlib (`policy.default`): every header and both
bodies, Dutch non-ASCII included, and the same meaning as the stdlib's own composition."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, Parser
from typing import Any

import pytest

from channels.email import build_reply, parse_mail
from channels.email.compose import references_for
from channels.email.headers import decode_header_value
from channels.email.outgoing import OutgoingMail

INTAKE = "klachten@bakkerijdevries.nl"
DATE = datetime(2026, 11, 24, 10, 12, tzinfo=timezone(timedelta(hours=1)))
SUBJECT = "Crème brûlée te duur: € 4,50 teveel, ook bij Joëlle"
TEXT = (
    "Beste Renée,\n\nWij hebben uw klacht over de crème ontvangen. € 4,50 terug.\n\nGroet, Joëlle\n"
)
HTML = "<p>Beste Renée,</p><p>Wij hebben uw klacht over de crème ontvangen. € 4,50 terug.</p>"
PARSER = BytesParser(policy=policy.default)


def _arguments(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "sender": INTAKE,
        "sender_name": "Klachtenservice Bakkerij De Vriës €",
        "recipient": "renee@example.nl",
        "recipient_name": "Renée de Vriës",
        "subject": SUBJECT,
        "text": TEXT,
        "html": HTML,
        "date": DATE,
        "case_token": "K-2026-000123",
        "parent_id": "<qp-dutch-1@example.nl>",
        "parent_references": ("<root@example.nl>",),
        "automatic": True,
    }
    arguments.update(changes)
    return arguments


def _read(mail: OutgoingMail) -> EmailMessage:
    message = PARSER.parsebytes(mail.raw)
    assert isinstance(message, EmailMessage)
    return message


def _bodies(message: EmailMessage) -> list[str]:
    # On the wire a line ends in CRLF; the text is the same with the stdlib's composition.
    return [str(part.get_content()).replace("\r\n", "\n") for part in message.iter_parts()]


def test_every_header_and_both_bodies_read_back() -> None:
    mail = build_reply(**_arguments())
    message = _read(mail)

    assert (
        str(message["From"]) == "Klachtenservice Bakkerij De Vriës € <klachten@bakkerijdevries.nl>"
    )
    assert message["From"].addresses[0].display_name == "Klachtenservice Bakkerij De Vriës €"
    assert message["To"].addresses[0].display_name == "Renée de Vriës"
    assert message["To"].addresses[0].addr_spec == "renee@example.nl"
    assert str(message["Reply-To"]) == str(message["From"])
    assert message["Subject"] == f"Re: {SUBJECT} [K-2026-000123]"
    assert message["Date"].datetime == DATE
    assert message["Message-ID"] == mail.message_id
    assert mail.message_id.endswith("@bakkerijdevries.nl>")
    assert message["In-Reply-To"] == "<qp-dutch-1@example.nl>"
    assert message["References"] == "<root@example.nl> <qp-dutch-1@example.nl>"
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert [part.get_content_charset() for part in parts] == ["utf-8", "utf-8"]
    assert [part["Content-Transfer-Encoding"] for part in parts] == ["quoted-printable"] * 2
    assert _bodies(message) == [TEXT, HTML + "\n"]
    assert message.defects == []
    assert all(part.defects == [] for part in parts)
    # What the mail says about itself is what a reader finds in it.
    for name, value in mail.headers:
        if name not in {"Content-Type"}:
            assert str(message[name]) == value, name


def test_the_wire_is_seven_bit_crlf_and_short_lined() -> None:
    mail = build_reply(**_arguments(subject="Woord " * 40 + "één " + "x" * 120))
    assert mail.raw.isascii()
    assert not mail.smtputf8
    lines = mail.raw.split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    head = lines[: lines.index(b"")]
    assert all(len(line) <= 78 for line in head if b"x" * 100 not in line)
    assert all(len(line) <= 998 for line in lines)
    assert all(len(line) <= 76 for line in lines[len(head) :])


def test_our_own_parser_reads_it_too() -> None:
    mail = build_reply(**_arguments())
    parsed = parse_mail(mail.raw)
    assert parsed.subject == f"Re: {SUBJECT} [K-2026-000123]"
    assert (parsed.from_address, parsed.from_name) == (
        INTAKE,
        "Klachtenservice Bakkerij De Vriës €",
    )
    assert parsed.reply_to == INTAKE
    assert parsed.message_id == mail.message_id
    assert parsed.full_text == TEXT.strip()
    assert parsed.case_token == "K-2026-000123"


LONG_NAME = "Ænne Ødegård-Ülker van der Vriës tot Schaïk en Crèvecœur " * 3
CASES: list[dict[str, Any]] = [
    {},
    {"subject": "", "parent_id": None, "parent_references": (), "automatic": False},
    {"subject": "Een lange onderwerpregel " * 8 + "zonder één speciaal teken"},
    {"subject": "Alles ASCII en lang genoeg om gevouwen te worden " * 4},
    {"subject": "Vreemd =?utf-8?q?niet_gecodeerd?= maar letterlijk"},
    {"subject": 'Quotes "zo" en (haakjes), punten. En: dubbele punt; @'},
    {"subject": "Zie https://bakkerijdevries.nl/" + "a" * 150 + " voor het bonnetje"},
    {"subject": "€€€ " * 30},
    {"sender_name": "Jansen, Piet", "recipient_name": 'Piet "de Bakker" Jansen'},
    {"sender_name": "J. de Vries", "recipient_name": LONG_NAME},
    {"sender_name": None, "recipient_name": None},
    {"reply_to": "antwoord@bakkerijdevries.nl", "domain": "mail.example.nl"},
    {"parent_references": [f"<m{number}.lang-id@voorbeeld.example.nl>" for number in range(30)]},
    {
        "text": "Regel met spatie aan het eind   \n\tmet tab\n.\n.punt vooraan\nFrom iemand\n"
        "--=_ lijkt op een grens\n--\n= is gelijk\n" + "é" * 200 + "\n" + "x" * 300,
        "html": "<p>" + "lang " * 100 + "</p>\r\n<p>crlf</p>\r<p>cr</p>",
    },
    {"text": "", "html": ""},
]


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _text_as_read(text: str) -> str:
    """What a reader decodes from a body: line breaks as LF, ending in one."""
    return b"".join(line + b"\n" for line in text.encode().splitlines()).decode() or "\n"


def _display_name_as_read(mail: OutgoingMail, name: str) -> str:
    """The display name decoded as RFC 2047 says: the stdlib's address parser puts a space
    between two encoded words of one name, a name long enough to need them is read here."""
    raw = mail.raw.decode("ascii").split("\r\n\r\n", 1)[0].replace("\r\n ", " ")
    [line] = [line for line in raw.split("\r\n") if line.startswith(f"{name}: ")]
    display, address = decode_header_value(line.removeprefix(f"{name}: ")).rsplit(" ", 1)
    assert address.startswith("<")
    return display.strip('"')


@pytest.mark.parametrize("changes", CASES)
def test_every_value_reads_back_as_given(changes: dict[str, Any]) -> None:
    """Awkward subjects, names and bodies. The stdlib's own composition is no yardstick
    here: it loses a space in a long run of euro signs, puts a space before a subject full
    of specials and writes a literal "=?...?=" as it stands, so readers decode it."""
    arguments = _arguments(**changes)
    mail = build_reply(**arguments)
    message = _read(mail)

    parent = arguments["parent_id"]
    subject = _one_line(arguments["subject"])
    expected_subject = f"Re: {subject}" if parent else subject
    assert message["Subject"] == f"{expected_subject} [K-2026-000123]".strip()
    names = {
        "From": _one_line(arguments["sender_name"]),
        "To": _one_line(arguments["recipient_name"]),
        "Reply-To": "" if arguments.get("reply_to") else _one_line(arguments["sender_name"]),
    }
    for header, name in names.items():
        [address] = message[header].addresses
        if len(name.encode()) > 40:
            assert _display_name_as_read(mail, header) == name
        else:
            assert address.display_name == name, header
    assert message["To"].addresses[0].addr_spec == arguments["recipient"]
    assert message["Reply-To"].addresses[0].addr_spec == arguments.get("reply_to", INTAKE)
    assert message["Message-ID"] == mail.message_id
    if parent:
        assert message["In-Reply-To"] == parent
        assert message["References"].split() == references_for(
            parent, arguments["parent_references"]
        )
    assert _bodies(message) == [_text_as_read(arguments["text"]), _text_as_read(arguments["html"])]
    lines = mail.raw.split(b"\r\n")
    assert all(len(line) <= 998 for line in lines)
    assert mail.raw.isascii()


def test_references_keep_only_ids_a_header_can_carry() -> None:
    chain = references_for("<parent@example.nl>", ["<ré@example.nl>", "<root@example.nl>"])
    assert chain == ["<root@example.nl>", "<parent@example.nl>"]


def test_an_odd_but_valid_local_part_is_quoted() -> None:
    mail = build_reply(**_arguments(recipient='"renee de vries"@example.nl'))
    assert mail.recipient == '"renee de vries"@example.nl'
    assert _read(mail)["To"].addresses[0].addr_spec == '"renee de vries"@example.nl'


def test_an_address_that_cannot_be_written_is_refused() -> None:
    with pytest.raises(ValueError, match=r"addr-spec|address|invalid"):
        build_reply(**_arguments(recipient="renee@example.nl\r\nBcc: x@y"))


def test_a_non_ascii_address_asks_for_smtputf8() -> None:
    mail = build_reply(**_arguments(recipient="renée@voorbeeld.nl"))
    assert mail.smtputf8
    assert "renée@voorbeeld.nl".encode() in mail.raw
    utf8 = Parser(policy=policy.SMTPUTF8).parsestr(mail.raw.decode("utf-8"))
    assert utf8["To"].addresses[0].addr_spec == "renée@voorbeeld.nl"
