"""The desk in a real browser: logging in, the case list updating itself, customer text
shown inert."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.web.conftest import keep_screenshot
from tests.web.support import PASSWORD, RunningDesk, running_desk

# Markup a customer might send, each trying to run script in the handler's browser.
HOSTILE = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 2">',
    '"><svg onload="window.pwned = 3">',
]
# The live update must come from the page itself: a timeout this long fails the test
# instead of hanging it.
LIVE_WITHIN_MS = 10_000


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    async with running_desk(database_url) as running:
        yield running


async def log_in(page: Page, desk: RunningDesk, name: str, password: str = PASSWORD) -> None:
    await page.goto(f"{desk.url}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def test_a_handler_logs_in_and_sees_the_cases(page: Page, desk: RunningDesk) -> None:
    case = await desk.customer_writes(
        "De monteur is al drie keer niet gekomen.", sender="anna", name="Anna Jansen"
    )
    await page.goto(desk.url)
    await expect(page).to_have_url(f"{desk.url}/login")
    await log_in(page, desk, "Sanne", "wrong password")
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.locator(f"tr[data-case='{case.number}']")).to_have_count(0)
    await log_in(page, desk, "Sanne")
    await expect(page).to_have_url(f"{desk.url}/")
    row = page.locator(f"tr[data-case='{case.number}']")
    await expect(row).to_contain_text("Anna Jansen")
    await expect(row).to_contain_text("drie keer niet gekomen")
    await keep_screenshot(page, "case-list")
    await row.get_by_role("link").click()
    await expect(page).to_have_url(f"{desk.url}/cases/{case.number}")
    await expect(page.locator(".conversation")).to_contain_text("drie keer niet gekomen")
    await keep_screenshot(page, "case-page")


async def test_customer_markup_is_shown_as_text_and_never_runs(
    page: Page, desk: RunningDesk
) -> None:
    case = await desk.customer_writes(" ".join(HOSTILE), sender="mallory", name=HOSTILE[1])
    await log_in(page, desk, "Sanne")
    row = page.locator(f"tr[data-case='{case.number}']")
    await expect(row).to_contain_text("<script>window.pwned = 1</script>")
    await expect(row).to_contain_text('<img src=x onerror="window.pwned = 2">')
    await page.goto(f"{desk.url}/cases/{case.number}")
    await expect(page.locator(".conversation")).to_contain_text('"><svg onload="window.pwned = 3">')
    for path in ("/", f"/cases/{case.number}"):
        await page.goto(desk.url + path)
        assert await page.evaluate("window.pwned") is None
        assert await page.locator("main script, main img[onerror], main svg").count() == 0


async def test_a_new_case_appears_in_the_list_without_reloading(
    page: Page, desk: RunningDesk
) -> None:
    await log_in(page, desk, "Sanne")
    await expect(page.locator("body[data-live-open]")).to_have_count(1)
    await expect(page.locator("tr.case")).to_have_count(0)
    marker = await page.evaluate("window.notReloaded = true")
    assert marker is True
    case = await desk.customer_writes("Mijn verwarming doet het al een week niet.", sender="bob")
    row = page.locator(f"tr[data-case='{case.number}']")
    await expect(row).to_contain_text("verwarming", timeout=LIVE_WITHIN_MS)
    assert await page.evaluate("window.notReloaded") is True  # the same page, updated in place
