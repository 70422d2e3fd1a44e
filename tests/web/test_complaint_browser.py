"""The complaint form in a real browser: filled in as a person does, the case number shown;
missing fields named next to the field; a filled-in honeypot refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue import DialogueState
from channels.webform.channel import WebFormChannel
from storage import repo
from storage.db import transaction
from tests.support import RecordingChannel
from tests.web.conftest import keep_screenshot
from tests.web.support import RunningDesk, running_desk
from tests.web.test_complaint_form import FILLED, FORM_SETTINGS

LABELS = {
    "name": "Uw naam",
    "address": "Uw adres",
    "phone": "Uw telefoonnummer",
    "email": "Uw e-mailadres",
    "when": "Wanneer gebeurde het?",
    "product": "Over welk product of welke dienst gaat het?",
    "story": "Wat is er gebeurd?",
    "wish": "Wat zou u helpen?",
}
# The case number appears once the bot has taken the form in; this long fails the test.
SHOWN_WITHIN_MS = 15_000


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    mail = RecordingChannel(name="email")
    async with running_desk(
        database_url, channels=[mail, WebFormChannel(mail=mail)], sections=FORM_SETTINGS
    ) as running:
        yield running


async def fill_in(page: Page, values: dict[str, str]) -> None:
    for field, label in LABELS.items():
        # By its label, as a screen reader user finds it: the label belongs to the field.
        await page.get_by_label(label, exact=False).first.fill(values[field])


async def test_a_customer_files_a_complaint_and_sees_the_case_number(
    page: Page, desk: RunningDesk
) -> None:
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    await page.goto(f"{desk.url}/klacht")
    await fill_in(page, FILLED)
    await keep_screenshot(page, "complaint-form")
    await page.get_by_role("button", name="Klacht versturen").click()
    number = page.locator(".case-number")
    await expect(number).to_be_visible(timeout=SHOWN_WITHIN_MS)
    await keep_screenshot(page, "complaint-received")
    async with transaction(desk.app.sessions) as session:
        case = await repo.case_by_number(session, number=(await number.inner_text()).strip())
    assert case is not None
    assert case.channel == "webform"
    facts = DialogueState.from_dict(case.dialogue_state, language="nl", channel="webform").facts
    assert facts["product"] == FILLED["product"]
    assert facts["when"] == FILLED["when"]
    assert not [text for text in complaints if "Content Security Policy" in text], complaints


async def test_missing_fields_are_named_beside_them(page: Page, desk: RunningDesk) -> None:
    await page.goto(f"{desk.url}/klacht")
    await fill_in(page, {**FILLED, "name": "", "email": "niet-een-adres"})
    await page.get_by_role("button", name="Klacht versturen").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    name = page.get_by_label("Uw naam", exact=False).first
    await expect(name).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#p-name")).to_have_text("Vul alstublieft uw naam in.")
    await expect(page.locator("#p-email")).to_contain_text("geen e-mailadres")
    # What was typed is still there.
    await expect(page.get_by_label("Wat is er gebeurd?", exact=False)).to_have_value(
        FILLED["story"]
    )
    await keep_screenshot(page, "complaint-missing")


async def test_a_filled_in_honeypot_is_refused(page: Page, desk: RunningDesk) -> None:
    await page.goto(f"{desk.url}/klacht")
    await fill_in(page, FILLED)
    await page.locator("#f-website").fill("http://spam.example", force=True)
    await page.get_by_role("button", name="Klacht versturen").click()
    await expect(page.get_by_role("alert")).to_contain_text("niet worden verstuurd")
    await expect(page.locator(".case-number")).to_have_count(0)
    assert await desk.app.intake.pending_message_ids() == []
