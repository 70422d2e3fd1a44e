"""The wording coach: unhelpful phrases found in a draft reply, with the helpful form; shown
while the handler types (a real browser), and the reply still goes out as written."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from bot.web.coach import hints
from tests.support import eventually
from tests.web.support import RunningDesk
from tests.web.test_desk_browser import log_in
from tests.web.test_desk_http import TOKEN
from tests.web.test_desk_http import log_in as log_in_http


@pytest.mark.parametrize(
    ("text", "language", "found"),
    [
        ("Volgens onze voorwaarden kan dat niet.", "nl", ["volgens onze voorwaarden"]),
        ("Ja,maar u had eerder moeten bellen.", "nl", ["ja, maar"]),
        ("JA  MAAR dat is procedure", "nl", ["ja, maar", "dat is procedure"]),
        ("Daar ga ik niet over, helaas.", "nl", ["daar ga ik niet over"]),
        ("Ik beloof dat het morgen klaar is.", "nl", ["ik beloof"]),
        (
            "Yes, but according to our terms that is fine.",
            "en",
            ["yes, but", "according to our terms"],
        ),
        # Not the phrase: a word inside another word, or the phrase in another language.
        ("In maart komt de monteur; ja, dat klopt.", "nl", []),
        ("Ik bel u donderdag om 10:00 terug.", "nl", []),
        ("Volgens onze voorwaarden", "en", []),
    ],
)
def test_unhelpful_phrases_are_found_as_whole_words(
    text: str, language: str, found: list[str]
) -> None:
    assert [hint.found for hint in hints(text, language)] == found


def test_each_hint_says_why_and_what_helps_instead_in_both_languages() -> None:
    for language, text in (("nl", "dat is procedure"), ("en", "that is the procedure")):
        (hint,) = hints(text, language)
        assert hint.why
        assert hint.instead
        assert hint.instead != hint.why


async def test_the_hints_need_a_login_and_the_forms_token(desk: RunningDesk) -> None:
    case = await desk.customer_writes("Mijn dak lekt.", sender="coach-http")
    url = f"/cases/{case.number}/coach"
    async with httpx.AsyncClient(base_url=desk.url) as client:
        anonymous = await client.post(url, data={"text": "ja, maar"})
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login"
        await log_in_http(client, "Sanne", "correct horse battery")
        page = await client.get(f"/cases/{case.number}")
        token = TOKEN.search(page.text)
        assert token is not None
        assert (await client.post(url, data={"text": "ja, maar"})).status_code == 403
        shown = await client.post(url, data={"text": "Ja, maar <b>", "csrf_token": token[1]})
        assert shown.status_code == 200
        assert "Tips voor uw antwoord" in shown.text
        quiet = await client.post(url, data={"text": "Ik bel u morgen.", "csrf_token": token[1]})
        assert "Tips" not in quiet.text


async def test_typing_procedure_talk_shows_a_hint_and_the_reply_still_goes(
    page: Page, desk: RunningDesk
) -> None:
    case = await desk.customer_writes("De cv-ketel is weer kapot.", sender="coach-browser")
    await log_in(page, desk, "Sanne")
    await page.goto(f"{desk.url}/cases/{case.number}")
    reply = page.get_by_label("Antwoord aan de klant")
    hint = page.locator("#coach-hints")
    await reply.press_sequentially("Volgens onze voorwaarden komt de monteur binnen 3 dagen.")
    await expect(hint).to_contain_text("volgens onze voorwaarden", timeout=10_000)
    await expect(hint).to_contain_text("Beter:")
    await page.get_by_role("button", name="Versturen").click()

    async def received() -> bool:
        return any("Volgens onze voorwaarden" in m.text for m in desk.customers.sent)

    await eventually(received, within=10)
    await reply.fill("")
    await reply.press_sequentially("Ik bel u morgen voor 12:00.")
    await expect(hint).not_to_contain_text("Beter:", timeout=10_000)
