"""Each corpus mail lands in the right shape."""

from __future__ import annotations

import pickle
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from channels.email import UnparseableMail, parse_mail
from channels.email.parse import DEFAULT_MAX_BYTES, READING_POLICY, parse_many
from tests.email.support import corpus_names, parsed, raw

ACK_ID = "<ack-000123@klachten.bakkerijdevries.nl>"


def test_corpus_is_there() -> None:
    assert len(corpus_names()) >= 20


@pytest.mark.parametrize("name", corpus_names())
def test_every_corpus_mail_parses_to_storable_text(name: str) -> None:
    mail = parsed(name)
    assert mail.size == len(raw(name))
    for text in (mail.subject, mail.text, mail.full_text):
        text.encode("utf-8")  # no lone surrogates survive
        assert "\x00" not in text
    assert mail.date is None or mail.date.tzinfo is not None


def test_html_only_mail_becomes_clean_text() -> None:
    mail = parsed("html_only.eml")
    assert mail.text == (
        "Beste bakker,\n\n"
        "Gisteren kocht ik een volkorenbrood en er zat schimmel op.\n"
        "Zie de foto op deze pagina.\n\n"
        "- Bon: 4711\n"
        "- Prijs: € 3,95 & geen korting\n\n"
        "Met vriendelijke groet,\nMarieke"
    )
    assert "alert" not in mail.full_text
    assert "color" not in mail.full_text


def test_undeclared_latin1_is_readable() -> None:
    mail = parsed("latin1_undeclared.eml")
    assert mail.subject == "Klacht over de crème brûlée"
    assert mail.from_name == "Gerrit Müller"
    assert "De crème brûlée was niet gaar. Ik heb € 4,50 betaald" in mail.text
    assert "reactie \u2013 graag" in mail.text  # cp1252's en dash, not a C1 control


def test_quoted_printable_dutch() -> None:
    mail = parsed("qp_dutch.eml")
    assert mail.subject == "Te veel betaald: € 12,50 voor één taart"
    assert mail.from_name == "Renée de Vriës"
    assert "Ik heb € 12,50 betaald voor één taart" in mail.text
    assert "zonder dat er iets verloren gaat." in mail.text  # soft line breaks joined
    assert mail.text.endswith("Groeten, Reneé de Vriës")


def test_base64_text() -> None:
    mail = parsed("base64_text.eml")
    assert "Ik wil graag mijn geld terug (€ 23,80)." in mail.text
    assert mail.date is not None
    assert mail.date.utcoffset() is not None


def test_broken_mime_is_parsed_with_defects() -> None:
    mail = parsed("broken_mime.eml")
    assert mail.text == "De taart was ingedeukt toen hij aankwam.\n\nHier stopt de mail"
    assert "CloseBoundaryNotFoundDefect" in mail.defects
    assert "InvalidBase64CharactersDefect" in mail.defects
    assert mail.date is None
    assert mail.references == ()
    [attachment] = mail.attachments
    assert attachment.filename == "bon.pdf"  # the path in the sent name is gone
    assert attachment.content_type == "application/pdf"


def test_headers_that_never_end() -> None:
    mail = parse_mail(b"Subject: hallo\nthis line is no header\n\nbody")
    assert mail.subject == "hallo"
    assert "MissingHeaderBodySeparatorDefect" in mail.defects
    assert "body" in mail.full_text


def test_missing_headers_are_none() -> None:
    mail = parsed("missing_headers.eml")
    assert (mail.message_id, mail.date, mail.from_address, mail.from_name) == (
        None,
        None,
        None,
        None,
    )
    assert mail.text == "Deze mail heeft geen From, geen Date en geen Message-ID."
    assert mail.kind == "human"


def test_broken_encoded_words_do_not_crash() -> None:
    mail = parsed("encoded_subject_broken.eml")
    # A UTF-8 character split over two encoded words is joined; bad words stay visible.
    assert mail.subject.startswith("Klacht over éé€café ")
    assert "!!!notbase64" in mail.subject
    assert mail.from_name == "José"


@pytest.mark.parametrize(
    ("name", "kind", "reason"),
    [
        # Only a subject says "out of office" here: a person may write that, too.
        ("out_of_office_nl.eml", "human", None),
        ("out_of_office_en.eml", "auto_reply", "Auto-Submitted: auto-replied"),
        ("bounce.eml", "bounce", "delivery status: failed"),
        ("list_mail.eml", "list", "Precedence: list"),
        ("noreply.eml", "human", None),
        ("reply_nl_gmail.eml", "human", None),
        ("with_attachments.eml", "human", None),  # carries a forwarded bounce
    ],
)
def test_kind(name: str, kind: str, reason: str | None) -> None:
    mail = parsed(name)
    assert (mail.kind, mail.kind_reason) == (kind, reason)


def test_bounce_names_the_mail_it_returns() -> None:
    mail = parsed("bounce.eml")
    assert mail.returned_message_id == "<ack-000125@klachten.bakkerijdevries.nl>"
    assert "550 5.1.1 User unknown" in mail.text


def test_auto_submitted_is_reported() -> None:
    assert parsed("out_of_office_en.eml").auto_submitted == "auto-replied"
    assert parsed("reply_nl_gmail.eml").auto_submitted is None


def test_gmail_reply_nl_keeps_new_text_only() -> None:
    mail = parsed("reply_nl_gmail.eml")
    assert mail.text == (
        "Het was de appeltaart van zaterdag, bonnummer 4711.\n"
        "Hij was helemaal verbrand aan de onderkant."
    )
    assert "Welk product betreft het?" in mail.full_text
    assert mail.case_token == "K-2026-000123"
    assert mail.in_reply_to == ACK_ID
    assert mail.references == ("<intake-1@example.nl>", ACK_ID)
    assert mail.message_id == "<CAJ-reply-nl-1@mail.gmail.com>"


def test_gmail_reply_en() -> None:
    mail = parsed("reply_en_gmail.eml")
    assert mail.text == "Thanks, it was the chocolate cake from Saturday."
    assert mail.from_address == "anna.smith@example.com"
    assert mail.from_name == "Smith, Anna"
    assert mail.to == ("klachten@bakkerijdevries.nl",)
    assert mail.cc == ("bob@example.com",)
    assert mail.case_token == "K-2026-000126"


def test_outlook_reply_cuts_at_header_block() -> None:
    mail = parsed("reply_outlook_nl.eml")
    assert mail.text.endswith("Met vriendelijke groet,\nKees")
    assert "Oorspronkelijk" not in mail.text
    assert mail.case_token == "K-2026-000127"


def test_outlook_html_only_reply_cuts_at_header_block() -> None:
    mail = parsed("reply_outlook_html_only.eml")
    assert mail.text == (
        "Hallo,\n\nDe taart was bij aankomst ingezakt. Ik wil graag mijn geld terug."
    )
    assert mail.full_text.count("Verzonden:") == 1


def test_apple_reply_drops_device_line_and_quote() -> None:
    assert parsed("reply_apple_iphone.eml").text == "Het ging om de tompouce, die was oud."


def test_changed_subject_still_threads() -> None:
    mail = parsed("reply_changed_subject.eml")
    assert mail.case_token is None
    assert mail.in_reply_to == ACK_ID
    assert mail.text == "Hierbij nog een beschrijving: de bovenkant was zwart."


def test_inline_answers_are_kept() -> None:
    assert parsed("inline_reply_en.eml").text == "The apple pie.\n\nLast Saturday."


def test_attachments_are_kept() -> None:
    mail = parsed("with_attachments.eml")
    assert mail.text == "Zie bijlagen: de bon en een foto van de taart."
    names = [attachment.filename for attachment in mail.attachments]
    assert names == ["kassabon €.pdf", "attachment-2.png", "attachment-3.eml"]
    pdf = mail.attachments[0]
    assert pdf.data is not None
    assert pdf.data.startswith(b"%PDF-1.4\n")
    assert pdf.size == len(pdf.data) == 9 + 1024
    assert not mail.oversized


def test_attachments_over_the_limit_are_dropped_but_listed() -> None:
    mail = parse_mail(raw("with_attachments.eml"), max_bytes=1000)
    assert mail.oversized
    assert [attachment.data for attachment in mail.attachments] == [None, None, None]
    assert mail.attachments[0].size == 1033
    assert mail.text == "Zie bijlagen: de bon en een foto van de taart."


def test_huge_attachment_with_default_limit() -> None:
    message = EmailMessage()
    message["From"] = "piet@example.nl"
    message["Subject"] = "Video van de bezorging"
    message.set_content("Zie de video.")
    message.add_attachment(
        b"\x00" * (11 * 1024 * 1024), maintype="video", subtype="mp4", filename="bezorging.mp4"
    )
    mail = parse_mail(bytes(message))
    assert mail.oversized
    [attachment] = mail.attachments
    assert (attachment.filename, attachment.size, attachment.data) == (
        "bezorging.mp4",
        11 * 1024 * 1024,
        None,
    )
    assert mail.text == "Zie de video."


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n"])
def test_empty_input_is_unparseable(data: bytes) -> None:
    with pytest.raises(UnparseableMail) as caught:
        parse_mail(data)
    assert caught.value.reason == "empty message"


def test_a_block_parsed_in_one_call_keeps_each_failure_in_its_place() -> None:
    names = corpus_names()[:2]
    block = parse_many([raw(names[0]), b"", raw(names[1])], DEFAULT_MAX_BYTES)
    assert block[0] == parsed(names[0])
    assert block[2] == parsed(names[1])
    assert isinstance(block[1], UnparseableMail)
    assert block[1].reason == "empty message"
    # Across a process boundary the failure arrives as the same failure.
    assert pickle.loads(pickle.dumps(block[1])).reason == "empty message"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_raw_8bit_headers_are_readable(encoding: str) -> None:
    data = "From: José Ñuñez <Jose@X.nl>\nSubject: Crème brûlée €\n\nhoi\n".encode(encoding)
    mail = parse_mail(data)
    assert (mail.from_name, mail.from_address, mail.subject) == (
        "José Ñuñez",
        "jose@x.nl",
        "Crème brûlée €",
    )


def test_a_header_value_seen_before_is_not_parsed_again_but_a_huge_one_is() -> None:
    def read(raw: bytes) -> EmailMessage:
        message = BytesParser(policy=READING_POLICY).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        return message

    short = b"Subject: Lekkage badkamer\r\n\r\nTekst\r\n"
    huge = b"Subject: " + b"lang " * 400 + b"\r\n\r\nTekst\r\n"
    assert read(short)["subject"] is read(short)["subject"]
    assert read(short)["subject"] == "Lekkage badkamer"
    assert read(huge)["subject"] is not read(huge)["subject"]
    assert read(huge)["subject"] == read(huge)["subject"]
