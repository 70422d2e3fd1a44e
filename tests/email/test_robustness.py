"""Whatever arrives, parse_mail returns a ParsedMail or raises UnparseableMail."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import channels.email
from channels.email import UnparseableMail, parse_mail
from tests.email.support import corpus_names, raw

# No example database: it would be written into the working tree.
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PACKAGE = Path(channels.email.__file__).parent
TOKENS = [
    b"\r\n", b"\n", b"\n\n", b"--", b"=?", b"?=", b"=?utf-8?b?", b"=?x?q?", b"=", b"=E9",
    b":", b";", b"<", b">", b"\"", b"boundary=", b"charset=", b"multipart/", b"message/rfc822",
    b"Content-Type: ", b"Content-Transfer-Encoding: base64\n", b"\xe9", b"\xff", b"\x00",
]


def _raised_in_our_code(error: BaseException) -> bool:
    """UnparseableMail is for the stdlib giving up; a fault in our own code must not hide
    behind it, so look where the wrapped exception was raised."""
    traceback = error.__traceback__
    if traceback is None:
        return False
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return Path(traceback.tb_frame.f_code.co_filename).is_relative_to(PACKAGE)


def _check(data: bytes) -> None:
    try:
        mail = parse_mail(data, max_bytes=1024)
    except UnparseableMail as error:
        failure = error
    else:
        for text in (mail.subject, mail.text, mail.full_text, mail.from_name or ""):
            text.encode("utf-8")
            assert "\x00" not in text
        return
    assert failure.reason
    cause = failure.__cause__
    assert cause is None or not _raised_in_our_code(cause), failure.reason


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@st.composite
def mutated_corpus_mail(draw: st.DrawFn) -> bytes:
    data = bytearray(raw(draw(st.sampled_from(corpus_names()))))
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "token", "flip", "truncate", "dup"]))
        if action == "delete":
            del data[position : position + draw(st.integers(1, 200))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=40))
        elif action == "token":
            data[position:position] = draw(st.sampled_from(TOKENS))
        elif action == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif action == "truncate":
            del data[position:]
        elif action == "dup":
            data[position:position] = data[position : position + draw(st.integers(1, 300))]
    return bytes(data)


@FUZZ
@given(mutated_corpus_mail())
def test_mutated_corpus_mails(data: bytes) -> None:
    _check(data)


@FUZZ
@given(
    st.lists(st.sampled_from(TOKENS) | st.text(max_size=10).map(str.encode), max_size=60)
)
def test_token_soup(pieces: list[bytes]) -> None:
    _check(b"Content-Type: multipart/mixed; boundary=b\n" + b"".join(pieces))
