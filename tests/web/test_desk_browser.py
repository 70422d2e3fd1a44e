"""The desk in a real browser: logging in, the case list updating itself, customer text
shown inert."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from storage import followups, handlers
from storage.db import transaction
from storage.models import Case
from tests.support import eventually
from tests.web.conftest import keep_screenshot
from tests.web.support import PASSWORD, RunningDesk

# Markup a customer might send, each trying to run script in the handler's browser.
HOSTILE = [
    "<script>window.pwned = 1</script>",
    '<img src=x onerror="window.pwned = 2">',
    '"><svg onload="window.pwned = 3">',
]
# The live update must come from the page itself: a timeout this long fails the test
# instead of hanging it.
LIVE_WITHIN_MS = 10_000


async def log_in(page: Page, desk: RunningDesk, name: str, password: str = PASSWORD) -> None:
    await page.goto(f"{desk.url}/login")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def test_a_handler_logs_in_and_sees_the_cases(page: Page, desk: RunningDesk) -> None:
    # Anything the Content-Security-Policy blocks (an inline style htmx adds, an inline
    # script) is reported on the console: the desk must need none of it.
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(message.text))
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
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await expect(row).to_contain_text("Anna Jansen")
    await keep_screenshot(page, "case-list-phone")
    await page.set_viewport_size({"width": 1280, "height": 800})
    await row.get_by_role("link").click()
    await expect(page).to_have_url(f"{desk.url}/cases/{case.number}")
    await expect(page.locator(".conversation")).to_contain_text("drie keer niet gekomen")
    await keep_screenshot(page, "case-page")
    assert not [text for text in complaints if "Content Security Policy" in text], complaints


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


async def test_a_handler_works_a_case_through_to_resolution(
    page: Page, browser: Browser, desk: RunningDesk
) -> None:
    case = await desk.customer_writes("De lift staat al twee weken stil.", sender="carel")
    await log_in(page, desk, "Sanne")
    await page.goto(f"{desk.url}/cases/{case.number}")
    actions = page.locator("section.actions")

    await actions.get_by_role("button", name="Oppakken").click()
    await expect(page.locator(".timeline")).to_contain_text("toegewezen")
    await expect(actions.get_by_role("button", name="Oppakken")).to_have_count(0)

    await actions.get_by_label("Antwoord aan de klant").fill("Morgen om 10:00 komt de monteur.")
    await actions.get_by_role("button", name="Versturen").click()
    await eventually(lambda: _received(desk, "Morgen om 10:00 komt de monteur."), within=10)
    await expect(page.locator(".conversation")).to_contain_text("Morgen om 10:00 komt de monteur.")

    await actions.get_by_label("Notitie").fill("Gebeld, klant is gerustgesteld.")
    await actions.get_by_label("Ik heb de klant gesproken").check()
    await actions.get_by_role("button", name="Notitie opslaan").click()
    await expect(page.locator(".timeline")).to_contain_text("Gebeld, klant is gerustgesteld.")

    await actions.get_by_label("Afspraak").fill("Monteur vervangt de liftmotor")
    await actions.get_by_label("Uiterlijk").fill("2030-01-15")
    await actions.get_by_role("button", name="Afspraak vastleggen").click()
    await expect(page.locator(".deadlines")).to_contain_text("2030-01-15 17:00")

    await actions.get_by_label("Hoe is het opgelost?").fill("Liftmotor vervangen.")
    await actions.get_by_role("button", name="Oplossen").click()
    await expect(page.locator(".timeline")).to_contain_text("opgelost")
    await keep_screenshot(page, "case-resolved")
    async with transaction(desk.app.sessions) as session:
        planned = await followups.of_case(session, case_id=case.id or 0)
        assert sorted(step.kind for step in planned) == ["close", "execution_check", "survey"]
        stored = await session.get(Case, case.id)
        assert stored is not None
        assert stored.status == "resolved"

    await actions.get_by_label("Waarom?").fill("De lift staat weer stil.")
    await actions.get_by_role("button", name="Heropenen").click()
    await expect(page.locator(".timeline")).to_contain_text("heropend")
    async with transaction(desk.app.sessions) as session:
        stored = await session.get(Case, case.id)
        assert stored is not None
        assert stored.status == "handed_off"
        remaining = await followups.of_case(session, case_id=case.id or 0)
        assert all(step.status == "cancelled" for step in remaining)


async def test_the_coordinator_reassigns_a_case_while_its_handler_is_away(
    page: Page, browser: Browser, desk: RunningDesk
) -> None:
    case = await desk.customer_writes("Mijn factuur klopt niet.", sender="dirk")
    await log_in(page, desk, "Sanne")
    await page.goto(f"{desk.url}/cases/{case.number}")
    await page.locator("section.actions").get_by_role("button", name="Oppakken").click()
    await expect(page.locator(".summary")).to_contain_text("Sanne")
    assert await page.locator("select[name=handler]").count() == 0  # not a coordinator
    await page.get_by_role("button", name="Meld mij afwezig").click()
    await expect(page.get_by_role("button", name="Meld mij terug")).to_be_visible()

    coordinator = await (await browser.new_context()).new_page()
    await log_in(coordinator, desk, "Carla")
    await coordinator.goto(f"{desk.url}/cases/{case.number}")
    await coordinator.locator("select[name=handler]").select_option("Piet")
    await coordinator.get_by_role("button", name="Toewijzen").click()
    await expect(coordinator.locator(".timeline")).to_contain_text("Piet")
    row = page.locator(f"tr[data-case='{case.number}']")
    await page.goto(desk.url)
    await expect(row).to_contain_text("Piet")
    async with transaction(desk.app.sessions) as session:
        sanne = await handlers.handler_by_name(session, name="Sanne")
        assert sanne is not None
        assert sanne.away


async def _received(desk: RunningDesk, text: str) -> bool:
    return any(text in message.text for message in desk.customers.sent)


async def test_the_case_page_shows_a_new_customer_message_without_reloading(
    page: Page, desk: RunningDesk
) -> None:
    case = await desk.customer_writes("Er lekt water door het plafond.", sender="joke")
    await log_in(page, desk, "Sanne")
    await page.goto(f"{desk.url}/cases/{case.number}")
    await expect(page.locator("body[data-live-open]")).to_have_count(1)
    await page.locator("section.actions").get_by_label("Notitie").fill("half getypt")
    again = await desk.customer_writes(
        "Het wordt nu erger, de lamp doet het niet meer.", sender="joke"
    )
    assert again.number == case.number
    await expect(page.locator(".conversation")).to_contain_text(
        "de lamp doet het niet meer", timeout=LIVE_WITHIN_MS
    )
    await expect(page.locator(".summary")).to_contain_text("de lamp doet het niet meer")
    # What the handler was typing is left alone: only the live part was fetched again.
    await expect(page.locator("section.actions").get_by_label("Notitie")).to_have_value(
        "half getypt"
    )
