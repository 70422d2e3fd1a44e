"""The complaint form filed complete in a real browser, answered through the real mail lab:
the page shows the case number; the acknowledgement and the summary of what the form said
arrive in the Dovecot mailbox of the address the form gave; the customer's "yes" by mail
brings the agreement and its written confirmation there too. (The form filed with fields
missing is in test_complaint_browser.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from playwright.async_api import Page, expect

from bot.reading.workers import Workers
from bot.runtime.app import App
from bot.runtime.email_wiring import email_channel
from channels.webform.channel import WebFormChannel
from storage.db import SessionFactory
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import lab_settings
from tests.support import OFFICE_HOURS, running_from
from tests.test_email_channel import mail, send
from tests.web.conftest import keep_screenshot
from tests.web.support import desk_settings
from tests.web.test_complaint_browser import SHOWN_WITHIN_MS, fill_in
from tests.web.test_complaint_form import FILLED, FORM_SETTINGS

CUSTOMER = "anna@lab.test"  # a mailbox of the lab


@pytest.fixture
async def bot(lab: MailLab, database_url: str) -> AsyncIterator[App]:
    """`klachtbot run` with its mail on the lab and the form on its web server."""
    settings = desk_settings(
        database_url, sections={**FORM_SETTINGS, "email": lab_settings(database_url, lab).email}
    )
    started: list[App] = []

    def sessions() -> SessionFactory:
        return started[0].sessions

    # Whenever the test runs: at night the written confirmation would wait for the morning.
    clock = running_from(OFFICE_HOURS)
    workers = Workers(settings.workers.processes)
    mail_channel = email_channel(
        settings.email, sessions=sessions, clock=clock, offload=workers.run_each
    )
    form = WebFormChannel(mail=mail_channel)
    app = App(settings, [mail_channel, form], clock=clock, workers=workers, serve_desk=True)
    started.append(app)
    async with app:
        running = asyncio.create_task(app.run())
        try:
            yield app
        finally:
            app.request_stop()
            await running


def read(raw: bytes) -> tuple[EmailMessage, str]:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return message, str(body.get_content())


async def test_a_complete_form_gets_a_case_number_and_a_confirmation_in_the_mailbox(
    page: Page, bot: App, lab: MailLab
) -> None:
    assert bot.desk is not None
    await page.goto(f"http://127.0.0.1:{bot.desk.port}/klacht")
    await fill_in(page, {**FILLED, "email": CUSTOMER})
    await page.get_by_role("button", name="Klacht versturen").click()
    shown = page.locator(".case-number")
    await expect(shown).to_be_visible(timeout=SHOWN_WITHIN_MS)
    number = (await shown.inner_text()).strip()
    await keep_screenshot(page, "complaint-mail-lab")

    received = await lab.wait_for_mail(CUSTOMER, 2, timeout=30)
    (acknowledgement, thanks), (summary, facts) = (read(raw) for raw in received)
    for message in (acknowledgement, summary):
        assert number in str(message["Subject"])
    assert "?" not in thanks
    for field in ("name", "address", "phone", "product", "when", "wish"):
        assert FILLED[field] in facts, field
    assert CUSTOMER in facts
    assert FILLED["story"] in facts  # read back in the customer's words: the story, not the wish

    await send(lab, mail("Ja, dat klopt.", subject="", reply_to=received[1]))
    # The agreement, the closing words, then the written confirmation of the agreement.
    received = await lab.wait_for_mail(CUSTOMER, 5, timeout=30)
    (agreement, promise), _, (confirmation, confirmed) = (read(raw) for raw in received[2:])
    assert agreement["In-Reply-To"] is not None
    assert number in promise
    # Filed on Tuesday 1 December at 10:00: first contact the next working day.
    assert "woensdag 2 december" in promise
    assert number in str(confirmation["Subject"])
    assert f"melding {number}" in confirmed
    assert "woensdag 2 december" in confirmed
    for field in ("name", "address", "phone", "product", "when", "wish"):
        assert FILLED[field] in confirmed, field
