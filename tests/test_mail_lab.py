"""The mail lab itself: SMTP in, IMAP out, outside mail recorded, IDLE push, failed login."""

from __future__ import annotations

import asyncio
import email
from email.message import EmailMessage
from email.policy import default as default_policy

import aioimaplib
import aiosmtplib
import pytest

from tests.mail_lab import MailLab, logout

KLACHTEN = "klachten@lab.test"
ANNA = "anna@lab.test"
SUBJECT = "Klacht: pakket één week te laat — €12,50 schade"
BODY = (
    "Beste klantenservice,\n\n"
    "Mijn pakket kwam beschadigd aan. Ik wil graag €12,50 terug.\n\n"
    "Zoë Müller\n"
)


@pytest.fixture
def lab(mail_lab: MailLab) -> MailLab:
    mail_lab.reset()
    return mail_lab


def complaint(to: str, subject: str = SUBJECT, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ANNA
    message["To"] = to
    message["Subject"] = subject
    for name, value in headers.items():
        message[name] = value
    message.set_content(BODY, cte="quoted-printable")
    return message


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    content = message.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def test_lab_starts_quickly(mail_lab: MailLab) -> None:
    assert mail_lab.startup_seconds < 3.0


async def test_smtp_mail_to_a_lab_user_can_be_read_over_imap(lab: MailLab) -> None:
    await aiosmtplib.send(complaint(KLACHTEN), hostname=lab.smtp_host, port=lab.smtp_port)

    [raw] = await lab.wait_for_mail(KLACHTEN, 1, timeout=10)

    message = parse(raw)
    assert message["Subject"] == SUBJECT
    assert message["Delivered-To"] == KLACHTEN
    assert text_of(message) == BODY
    assert await lab.fetch_all(KLACHTEN) == [raw]
    assert lab.outside == []


async def test_mail_to_an_outside_address_is_recorded_not_delivered(lab: MailLab) -> None:
    await aiosmtplib.send(
        complaint("klant@example.com"), hostname=lab.smtp_host, port=lab.smtp_port
    )
    await aiosmtplib.send(
        complaint(KLACHTEN, Cc="manager@example.org"),
        hostname=lab.smtp_host,
        port=lab.smtp_port,
    )

    [alone, copied] = lab.outside
    assert alone.rcpt_tos == ("klant@example.com",)
    assert copied.rcpt_tos == ("manager@example.org",)
    assert alone.mail_from == ANNA
    assert parse(alone.raw)["Subject"] == SUBJECT
    assert text_of(parse(alone.raw)) == BODY
    assert lab.sent_to("KLANT@example.com") == [alone]
    # Only the lab recipient of the second mail got a copy; the outside one went nowhere.
    assert len(await lab.wait_for_mail(KLACHTEN, 1, timeout=10)) == 1
    assert await lab.fetch_all(ANNA) == []
    assert await lab.fetch_all("handler@lab.test") == []


async def test_idle_push_wakes_the_waiter_for_a_new_delivery(lab: MailLab) -> None:
    lab.deliver(complaint(KLACHTEN).as_bytes(), KLACHTEN)
    idling = asyncio.Event()
    waiter = asyncio.create_task(lab.wait_for_mail(KLACHTEN, 2, timeout=10, idling=idling))
    await asyncio.wait_for(idling.wait(), timeout=10)
    loop = asyncio.get_running_loop()
    delivered_at = loop.time()

    await asyncio.to_thread(lab.deliver, complaint(KLACHTEN, "tweede").as_bytes(), KLACHTEN)
    messages = await asyncio.wait_for(waiter, timeout=15)

    # The push (Dovecot batches for ~0.5 s), not the 10 s deadline, woke the waiter.
    assert loop.time() - delivered_at < 5
    assert [parse(raw)["Subject"] for raw in messages] == [SUBJECT, "tweede"]


async def test_wait_for_mail_times_out_with_what_arrived(lab: MailLab) -> None:
    with pytest.raises(TimeoutError, match="0 of 1 messages"):
        await lab.wait_for_mail(ANNA, 1, timeout=0.5)


async def test_a_wrong_password_answers_no(lab: MailLab) -> None:
    imap = aioimaplib.IMAP4(host=lab.imap_host, port=lab.imap_port, timeout=10)
    await imap.wait_hello_from_server()

    response = await imap.login(ANNA, "not-the-password")

    assert response.result == "NO"
    assert any(b"AUTHENTICATIONFAILED" in line for line in response.lines)
    await logout(imap)
