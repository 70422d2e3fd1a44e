"""Addresses come from a header's structure, never from a decoded display name."""

from __future__ import annotations

from email.header import Header

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.email import parse_mail
from channels.email.headers import address_list


def sender_of(from_value: bytes) -> tuple[str | None, str | None]:
    mail = parse_mail(b"From: " + from_value + b"\r\nSubject: x\r\n\r\nTekst\r\n")
    return mail.from_name, mail.from_address


@pytest.mark.parametrize(
    ("from_value", "expected"),
    [
        # A line break in an encoded word once made the display name the address.
        (
            b"=?utf-8?q?handler@example.test=0D=0A?= <attacker@evil.test>",
            ("handler@example.test", "attacker@evil.test"),
        ),
        (b"=?utf-8?q?handler=40example=2Etest?= <attacker@evil.test>", None),
        (b'"handler@example.test" <attacker@evil.test>', None),
        (b"handler@example.test <attacker@evil.test>", None),
        (b"=?utf-8?b?aGFuZGxlckBleGFtcGxlLnRlc3QNCg==?= <attacker@evil.test>", None),
        (b'"=?utf-8?q?handler@example.test?=" <attacker@evil.test>', None),
    ],
)
def test_an_address_in_the_display_name_is_only_a_name(
    from_value: bytes, expected: tuple[str, str] | None
) -> None:
    assert sender_of(from_value) == (expected or ("handler@example.test", "attacker@evil.test"))


@pytest.mark.parametrize(
    "from_value",
    [
        b"=?utf-8?q?handler@example.test?=",  # an encoded word is never an address
        b"=?utf-8?q?a_<handler@example.test>?= <attacker@evil.test>",  # two: whose?
        b"<handler@example.test> <attacker@evil.test>",
    ],
)
def test_a_sender_that_cannot_be_told_is_nobody(from_value: bytes) -> None:
    assert sender_of(from_value)[1] is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jan de Vries <jan@example.nl>", [("Jan de Vries", "jan@example.nl")]),
        ('"de Vries, Jan" <jan@example.nl>', [("de Vries, Jan", "jan@example.nl")]),
        ('"Jan \\"JJ\\" Vries" <jan@example.nl>', [('Jan "JJ" Vries', "jan@example.nl")]),
        ("jan@example.nl", [("", "jan@example.nl")]),
        ("jan@example.nl (Jan de Vries)", [("", "jan@example.nl")]),
        ("<jan@example.nl>", [("", "jan@example.nl")]),
        ("Jan <Jan@Example.NL>", [("Jan", "jan@example.nl")]),
        ("Jan de Vries <jan@example.nl", [("Jan de Vries", "jan@example.nl")]),
        ("Jan [Sales] <jan@example.nl>", [("Jan [Sales]", "jan@example.nl")]),
        ("Jan.de.Vries <jan@example.nl>", [("Jan.de.Vries", "jan@example.nl")]),
        ("Jan <jan@example.nl> (werk)", [("Jan", "jan@example.nl")]),
        ("Jan (Sales (NL)) <jan@example.nl>", [("Jan", "jan@example.nl")]),
        ("=?utf-8?q?J=C3=A1n?= <jan@example.nl>", [("Ján", "jan@example.nl")]),
        ("=?iso-8859-1?q?Ren=E9?= <rene@example.nl>", [("René", "rene@example.nl")]),
        ("=?UTF-8?B?SmFuIGRlIFZyaWVz?= <jan@example.nl>", [("Jan de Vries", "jan@example.nl")]),
        ("Müller <müller@bücher.de>", [("Müller", "müller@bücher.de")]),
        ("jan+klacht@sub.example.co.uk", [("", "jan+klacht@sub.example.co.uk")]),
        ("<@relay.example:jan@example.nl>", [("", "jan@example.nl")]),
        (
            'a@x.nl, "B, C" <b@y.nl>, Team: d@z.nl;',
            [("", "a@x.nl"), ("B, C", "b@y.nl"), ("", "d@z.nl")],
        ),
        ("undisclosed-recipients:;", []),
        ("Jan de Vries", []),
    ],
)
def test_real_world_address_forms(value: str, expected: list[tuple[str, str]]) -> None:
    assert list(address_list(value)) == expected


def test_the_reading_of_a_real_mail_keeps_name_and_address_apart() -> None:
    name, address = sender_of("Anna Müller <Anna.Muller@Example.NL>".encode())
    assert (name, address) == ("Anna Müller", "anna.muller@example.nl")


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=60), st.sampled_from(["utf-8", "iso-8859-1", "utf-16"]))
def test_whatever_the_display_name_says_the_address_is_the_one_in_brackets(
    display: str, charset: str
) -> None:
    try:
        encoded = Header(display, charset).encode()
    except UnicodeEncodeError:
        encoded = Header(display, "utf-8").encode()
    assert [address for _, address in address_list(f"{encoded} <real@sender.test>")] == [
        "real@sender.test"
    ]


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list('ab@.<>"(),:;\\=?q \r\n\t')), max_size=40))
def test_every_address_found_stands_in_the_header_as_written(value: str) -> None:
    for _, address in address_list(value):
        assert address in value.lower()
