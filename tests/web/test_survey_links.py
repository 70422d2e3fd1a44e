"""Survey and execution-check links: the message carries a signed link; the page answers
the same flow as a reply would; a second use says it was answered; a changed or expired
link opens nothing. Over HTTP and in a real browser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.followups.survey_links import SurveyLinks
from bot.runtime.schedule import LINK_VALID
from common.clock import utc_now
from storage import followups
from storage.db import transaction
from storage.models import Case, FollowUp, OutboxRow
from tests.web.support import RunningDesk, running_desk

# Over http: the test server has no TLS, and https would make the cookies Secure.
PUBLIC = "http://klachten.example.nl"
LINK = re.compile(re.escape(PUBLIC) + r"(/survey/\S+)")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SCORES = {"overall": "4", "listened": "5", "informed": "3", "resolved": "4"}


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    async with running_desk(database_url, public_url=PUBLIC) as running:
        yield running


async def resolved_case(desk: RunningDesk) -> tuple[Case, dict[str, str]]:
    """A case resolved by a handler; the path of the link in each follow-up's message."""
    case = await desk.customer_writes("De monteur is niet gekomen.", sender="anna")
    async with transaction(desk.app.sessions) as session:
        fresh = await session.get(Case, case.id)
        assert fresh is not None
        await desk.app.followups.resolve(
            session, case=fresh, actor="Sanne", text="gerepareerd", now=utc_now()
        )
        rows = (await session.exec(select(OutboxRow).where(OutboxRow.case_id == case.id))).all()
    paths = {}
    for row in rows:
        if row.template in followups.CONVERSATIONS:
            found = LINK.search(row.body)
            assert found is not None, row.body
            paths[row.template] = found[1]
    assert set(paths) == {"survey", "execution_check"}
    return case, paths


async def step_of(desk: RunningDesk, case: Case, kind: str) -> FollowUp:
    async with transaction(desk.app.sessions) as session:
        steps = await followups.of_case(session, case_id=case.id or 0)
    return next(step for step in steps if step.kind == kind)


async def post_page(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    page = await client.get(path)
    token = TOKEN.search(page.text)
    assert token is not None, page.text
    return await client.post(path, data={"csrf_token": token[1], **data})


async def test_a_survey_link_answers_once_then_says_it_was_answered(desk: RunningDesk) -> None:
    case, paths = await resolved_case(desk)
    async with httpx.AsyncClient(base_url=desk.url) as client:
        incomplete = await post_page(client, paths["survey"], {"overall": "4"})
        assert incomplete.status_code == 422
        assert 'id="p-listened"' in incomplete.text
        answered = await post_page(client, paths["survey"], {**SCORES, "comment": "<b>top</b>"})
        assert answered.status_code == 200
        assert "outcome-thanks" in answered.text
        again = await client.get(paths["survey"])
        assert "outcome-answered" in again.text
        assert 'name="overall"' not in again.text
    step = await step_of(desk, case, "survey")
    assert step.status == followups.ANSWERED
    assert (step.overall, step.listened, step.informed, step.resolved) == (4, 5, 3, 4)
    assert step.comment == "<b>top</b>"  # kept as written; every page escapes it


async def test_an_execution_check_answered_no_reopens_the_case(desk: RunningDesk) -> None:
    case, paths = await resolved_case(desk)
    async with httpx.AsyncClient(base_url=desk.url) as client:
        without_words = await post_page(client, paths["execution_check"], {"done": "no"})
        assert 'id="p-words"' in without_words.text
        answered = await post_page(
            client, paths["execution_check"], {"done": "no", "words": "De kraan lekt nog."}
        )
        assert "outcome-thanks" in answered.text
    async with transaction(desk.app.sessions) as session:
        reopened = await session.get(Case, case.id)
    assert reopened is not None
    assert reopened.status != "resolved"
    assert (await step_of(desk, case, "execution_check")).outcome == "no"


async def assert_refused(desk: RunningDesk, path: str) -> None:
    """The link's page shows no survey and takes no answer."""
    async with httpx.AsyncClient(base_url=desk.url) as client:
        refused = await client.get(path)
        assert refused.status_code == 404
        assert 'name="overall"' not in refused.text
        posted = await client.post(path, data={**SCORES})
        assert posted.status_code == 404


async def test_a_changed_link_opens_nothing(desk: RunningDesk) -> None:
    _, paths = await resolved_case(desk)
    changed = paths["survey"][:-3] + ("abc" if not paths["survey"].endswith("abc") else "xyz")
    await assert_refused(desk, changed)


async def test_a_second_answer_from_a_page_opened_before_the_first_is_refused(
    desk: RunningDesk,
) -> None:
    """Two tabs (or a back button): the form was open twice; only the first answer counts."""
    case, paths = await resolved_case(desk)
    async with (
        httpx.AsyncClient(base_url=desk.url) as first,
        httpx.AsyncClient(base_url=desk.url) as second,
    ):
        opened = TOKEN.search((await second.get(paths["survey"])).text)
        assert opened is not None
        answered = await post_page(first, paths["survey"], {**SCORES, "comment": "prima"})
        assert "outcome-thanks" in answered.text
        late = await second.post(
            paths["survey"],
            data={"csrf_token": opened[1], **dict.fromkeys(SCORES, "1"), "comment": "slecht"},
        )
        assert "outcome-answered" in late.text
        assert "outcome-thanks" not in late.text
    step = await step_of(desk, case, "survey")
    assert (step.overall, step.listened, step.informed, step.resolved) == (4, 5, 3, 4)
    assert step.comment == "prima"


async def test_an_expired_link_opens_nothing(desk: RunningDesk) -> None:
    case, _ = await resolved_case(desk)
    step = await step_of(desk, case, "survey")
    links = desk.app.followups.links
    assert links is not None
    assert step.id is not None
    sent = utc_now() - LINK_VALID - timedelta(minutes=1)
    path = urlsplit(links.link(step.id, sent_at=sent)).path
    await assert_refused(desk, path)
    assert (await step_of(desk, case, "survey")).status == followups.SCHEDULED


def test_a_link_expires() -> None:
    links = SurveyLinks(base_url=PUBLIC, secret_key=b"k", valid=timedelta(days=30))
    sent = datetime(2026, 12, 4, tzinfo=utc_now().tzinfo)
    token = links.link(7, sent_at=sent).rsplit("/", 1)[1]
    assert links.step_of(token, now=sent + timedelta(days=29)) == 7
    assert links.step_of(token, now=sent + timedelta(days=31)) is None
    other = SurveyLinks(base_url=PUBLIC, secret_key=b"other", valid=timedelta(days=30))
    assert other.step_of(token, now=sent) is None


async def test_in_a_browser_the_survey_is_answered_once(page: Page, desk: RunningDesk) -> None:
    _, paths = await resolved_case(desk)
    await page.goto(desk.url + paths["survey"])
    questions = page.get_by_role("group")
    await expect(questions).to_have_count(4)
    for index, score in enumerate(SCORES.values()):
        await questions.nth(index).get_by_label(score, exact=True).check()
    await page.get_by_label("Wilt u ons nog iets meegeven?", exact=False).fill(
        '<img src=x onerror="window.pwned=1">'
    )
    await page.get_by_role("button", name="Versturen").click()
    await expect(page.get_by_role("status")).to_contain_text("Uw antwoord is ontvangen")
    await page.goto(desk.url + paths["survey"])
    await expect(page.get_by_role("heading")).to_have_text("Al beantwoord")
    assert await page.evaluate("window.pwned === undefined")
