"""The complaint form over plain HTTP (no browser): a form is stored and taken in as one
story with its facts, answered by mail; spam, forged and incomplete forms are refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.dialogue import DialogueState
from bot.web.form_guard import FormGuard
from channels.webform.channel import WebFormChannel
from common.clock import utc_now
from storage import repo
from storage.db import transaction
from storage.models import Case, ChannelIdentity
from tests.support import RecordingChannel
from tests.web.support import RunningDesk, running_desk

HIDDEN = re.compile(r'name="(csrf_token|started)" value="([^"]+)"')
CASE_NUMBER = re.compile(r'class="case-number">([^<]+)<')
FILLED = {
    "name": "Anna Jansen",
    "address": "Dorpsstraat 1, Utrecht",
    "phone": "06 12345678",
    "email": "anna@example.nl",
    "story": "De monteur zou de cv-ketel repareren maar is drie keer niet gekomen.",
    "when": "vorige week dinsdag",
    "product": "onderhoud cv-ketel",
    "wish": "Dat de ketel deze week gerepareerd wordt.",
}
# Sent within the hour in tests: the form can be sent at once (a person is slower).
FORM_SETTINGS = {"webform": {"min_seconds": 0, "per_hour": 3}, "dialogue": {"pause_seconds": 0}}


@dataclass
class FormDesk:
    desk: RunningDesk
    mail: RecordingChannel


@pytest.fixture
async def form_desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[FormDesk]:
    mail = RecordingChannel(name="email")
    async with running_desk(
        database_url, channels=[mail, WebFormChannel(mail=mail)], sections=FORM_SETTINGS
    ) as running:
        yield FormDesk(running, mail)


@pytest.fixture
async def client(form_desk: FormDesk) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=form_desk.desk.url) as client:
        yield client


async def send_form(
    client: httpx.AsyncClient, fields: dict[str, str], *, path: str = "/klacht"
) -> httpx.Response:
    page = await client.get(path)
    assert page.status_code == 200
    hidden = dict(HIDDEN.findall(page.text))
    return await client.post(path, data={**hidden, "website": "", **fields})


async def case_of(desk: RunningDesk, number: str) -> Case:
    async with transaction(desk.app.sessions) as session:
        case = await repo.case_by_number(session, number=number)
    assert case is not None
    return case


async def test_a_filled_in_form_gets_a_case_number_and_its_facts_by_kind(
    form_desk: FormDesk, client: httpx.AsyncClient
) -> None:
    sent = await send_form(client, FILLED)
    assert sent.status_code == 303
    received = await client.get(sent.headers["location"])
    if (found := CASE_NUMBER.search(received.text)) is None:
        # Stored but not yet taken in: the page asks the browser to look again.
        assert received.headers["refresh"]
        await form_desk.desk.app.settle()
        received = await client.get(sent.headers["location"])
        found = CASE_NUMBER.search(received.text)
    assert found is not None, received.text
    case = await case_of(form_desk.desk, found[1])
    assert case.channel == "webform"
    facts = DialogueState.from_dict(case.dialogue_state, language="nl", channel="webform").facts
    assert facts["when"] == FILLED["when"]
    assert facts["product"] == FILLED["product"]
    assert facts["outcome"] == FILLED["wish"]
    assert facts["phone"] == FILLED["phone"]
    assert facts["address"] == FILLED["address"]
    assert facts["name"] == FILLED["name"]
    assert facts["email"] == FILLED["email"]
    # The answer goes out by mail, to the address the form gave, about this case.
    await form_desk.desk.app.settle()
    assert form_desk.mail.sent, "no answer by mail"
    answer = form_desk.mail.sent[0]
    assert answer.recipient == FILLED["email"]
    assert answer.case_number == case.number
    # A mail from that address reaches the same customer.
    async with transaction(form_desk.desk.app.sessions) as session:
        identity = await repo.identity_for(session, channel="email", address=FILLED["email"])
    assert isinstance(identity, ChannelIdentity)
    assert identity.customer_id == case.customer_id


async def test_missing_and_malformed_fields_are_named_and_nothing_is_stored(
    form_desk: FormDesk, client: httpx.AsyncClient
) -> None:
    refused = await send_form(client, {**FILLED, "name": "", "story": " ", "email": "anna@"})
    assert refused.status_code == 422
    assert 'id="p-name"' in refused.text
    assert 'id="p-story"' in refused.text
    assert 'id="p-email"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    # What was typed stays, escaped.
    assert "Dorpsstraat 1, Utrecht" in refused.text
    english = await send_form(client, {**FILLED, "name": ""}, path="/complaint")
    assert "Please fill in your name." in english.text
    assert await form_desk.desk.app.intake.pending_message_ids() == []
    async with transaction(form_desk.desk.app.sessions) as session:
        assert (
            await repo.customers_by_address(session, channel="webform", addresses=[FILLED["email"]])
            == {}
        )


async def test_markup_in_every_field_comes_back_inert(client: httpx.AsyncClient) -> None:
    hostile = '"><script>window.pwned=1</script>'
    refused = await send_form(client, {name: hostile for name in FILLED})
    assert refused.status_code == 422  # the mail address is not one
    assert "<script>window.pwned" not in refused.text
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in refused.text


async def test_spam_is_refused_honeypot_forged_time_rate_and_csrf(
    form_desk: FormDesk, client: httpx.AsyncClient
) -> None:
    async def fresh() -> dict[str, str]:
        # Every page of the form (a refused one too) hands out a new token.
        return dict(HIDDEN.findall((await client.get("/klacht")).text))

    trap = await client.post("/klacht", data={**await fresh(), **FILLED, "website": "http://spam"})
    assert trap.status_code == 400
    hidden = await fresh()
    forged = {**hidden, "started": hidden["started"][:-2] + "xx"}
    assert (await client.post("/klacht", data={**forged, **FILLED})).status_code == 400
    no_token = {**await fresh(), "csrf_token": "guessed"}
    assert (await client.post("/klacht", data={**no_token, **FILLED})).status_code == 403
    cross_site = await client.post(
        "/klacht", data={**await fresh(), **FILLED}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    statuses = [(await send_form(client, FILLED)).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    await form_desk.desk.app.settle()
    async with transaction(form_desk.desk.app.sessions) as session:
        people = await repo.customers_by_address(
            session, channel="webform", addresses=[FILLED["email"]]
        )
    assert len(people) == 1  # the three accepted forms, one customer


async def test_a_receipt_link_cannot_be_made_up(client: httpx.AsyncClient) -> None:
    assert (await client.get("/klacht/ontvangen?r=made-up")).status_code == 404


def test_the_guard_refuses_forms_sent_too_fast_or_too_late() -> None:
    now = [datetime(2026, 12, 4, 12, 0, tzinfo=utc_now().tzinfo)]
    guard = FormGuard(
        secret_key=b"k", clock=lambda: now[0], per_hour=5, min_seconds=3, max_hours=24
    )
    started = guard.started()
    now[0] += timedelta(seconds=1)
    assert guard.refusal(started=started, honeypot="") == "too_fast"
    now[0] += timedelta(seconds=5)
    assert guard.refusal(started=started, honeypot="") is None
    now[0] += timedelta(hours=25)
    assert guard.refusal(started=started, honeypot="") == "expired"
    other = FormGuard(
        secret_key=b"other", clock=lambda: now[0], per_hour=5, min_seconds=0, max_hours=24
    )
    assert other.refusal(started=guard.started(), honeypot="") == "forged"
