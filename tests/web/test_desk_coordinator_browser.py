"""The coordinator's pages in a real browser: the report with its charts (drawn under the
desk's Content-Security-Policy), an improvement action, and erasing a person after the
confirmation page."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import Page, expect
from sqlmodel import select

from common.clock import utc_now
from storage import improvements
from storage.db import transaction
from storage.models import Message
from tests.web.conftest import keep_screenshot
from tests.web.support import RunningDesk
from tests.web.test_desk_browser import log_in


async def test_the_coordinator_reads_the_report_records_an_action_and_erases_a_person(
    page: Page, desk: RunningDesk
) -> None:
    # A chart whose colours the policy blocked would still draw, in black: the console
    # says so, and must not.
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
    case = await desk.customer_writes(
        "Mijn naam is Eva Smit en mijn verwarming doet het niet.", sender="eva"
    )
    number = case.number
    assert number is not None
    await log_in(page, desk, "Carla")
    await page.get_by_role("link", name="Rapportage").first.click()
    await expect(page).to_have_url(f"{desk.url}/report")
    # The report's days are the organisation's: at 23:30 UTC it is already tomorrow there.
    today = utc_now().astimezone(desk.app.settings.organisation.tz).date()
    await page.fill("input[name=from]", (today - timedelta(days=6)).isoformat())
    await page.fill("input[name=to]", today.isoformat())
    await page.get_by_role("button", name="Toon").click()
    chart = page.locator(".report svg").first
    await expect(chart).to_be_visible()
    box = await chart.bounding_box()
    assert box is not None
    assert box["width"] > 200
    # A bar drawn in matplotlib's first colour: the style attribute was applied.
    bar = page.locator(".report svg path[style*='fill: #1f77b4']").first
    assert await bar.evaluate("e => getComputedStyle(e).fill") == "rgb(31, 119, 180)"
    await keep_screenshot(page, "coordinator-report")

    await page.get_by_role("link", name="Verbeteracties").first.click()
    await page.fill("input[name=what]", "Monteurs bellen een dag vooraf")
    await page.fill("textarea[name=why]", "Klanten wachten voor niets thuis")
    await page.fill("input[name=cases]", number)
    await page.fill("input[name=owner]", "Planning")
    await page.fill("input[name=due]", "2027-01-31")
    await page.get_by_role("button", name="Actie opslaan").click()
    row = page.locator("tr.improvement")
    await expect(row).to_contain_text("Monteurs bellen een dag vooraf")
    await row.get_by_role("button", name="Afgerond").click()
    await expect(row.locator(".status")).to_have_text("gedaan")
    async with transaction(desk.app.sessions) as session:
        (action,) = await improvements.listed(session)
        assert action.example_cases == [number]

    await page.get_by_role("link", name="Privacy").first.click()
    await page.fill("input[name=person]", number)
    await page.get_by_role("button", name="Zoeken").click()
    await page.get_by_role("button", name="Deze persoon verwijderen…").click()
    confirmation = page.locator(".privacy-result")
    await expect(confirmation).to_contain_text(number)
    await keep_screenshot(page, "coordinator-erase-confirmation")
    async with transaction(desk.app.sessions) as session:
        texts = list(await session.exec(select(Message.text).where(Message.case_id == case.id)))
    assert any("Eva Smit" in (text or "") for text in texts)  # nothing erased before yes
    await page.get_by_role("button", name="Ja, verwijderen").click()
    await expect(confirmation).to_contain_text("Verwijderd")
    async with transaction(desk.app.sessions) as session:
        texts = list(await session.exec(select(Message.text).where(Message.case_id == case.id)))
    assert not any("Eva Smit" in (text or "") for text in texts)
    assert not [text for text in complaints if "Content Security Policy" in text], complaints
