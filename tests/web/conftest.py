"""The desk's tests: a running desk with an HTTP client of its own, and a real browser
(Playwright driving Debian's Chromium). A test module that needs another desk (other
channels or settings) defines its own `desk` fixture.

Playwright's own browsers are never downloaded (`playwright install` is not run): the
Chromium from `apt-get install chromium` (`make web-lab-deps`) is launched by path. Without it
these tests skip and say so; under CI=true they fail instead.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import require_service
from tests.web.support import RunningDesk, running_desk

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts" / "web"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    chromium = shutil.which("chromium")
    require_service(
        chromium is not None, "Chromium missing: make web-lab-deps (apt-get install chromium)"
    )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="nl-NL")
    opened = await context.new_page()
    try:
        yield opened
    finally:
        await context.close()


async def keep_screenshot(page: Page, name: str) -> None:
    """Screenshots of the desk as the tests saw it, kept as test artefacts."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    async with running_desk(database_url) as running:
        yield running


@pytest.fixture
async def client(desk: RunningDesk) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        yield client
