"""The desk's security over plain HTTP: logins, sessions, CSRF, headers (no browser)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.followups import aftercare
from bot.web.headers import POLICY
from bot.web.server import GRACE_SECONDS
from common.clock import utc_now
from storage import handlers, outbox, repo
from storage.db import transaction
from storage.models import Case
from tests.web.support import PASSWORD, RunningDesk, running_desk

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def log_in(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    page = await client.get("/login")
    token = TOKEN.search(page.text)
    assert token is not None
    return await client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token[1]}
    )


async def test_without_a_session_every_page_is_the_login_page(client: httpx.AsyncClient) -> None:
    for path in ("/", "/cases/K-2026-000001", "/events", "/cases/table"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/login"
    login = await client.get("/login")
    assert 'name="name"' in login.text
    assert 'name="password"' in login.text


async def test_the_right_password_logs_in_with_strict_http_only_cookies(
    client: httpx.AsyncClient,
) -> None:
    response = await log_in(client, "Sanne", PASSWORD)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("klachtbot="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # the desk is not served over https here
    page = await client.get("/")
    assert page.status_code == 200
    assert "Sanne" in page.text


async def test_a_wrong_password_or_an_unknown_name_is_refused(client: httpx.AsyncClient) -> None:
    assert (await log_in(client, "Sanne", "not the password")).status_code == 401
    assert (await log_in(client, "Nobody", PASSWORD)).status_code == 401
    assert (await client.get("/")).status_code == 303


async def test_five_wrong_passwords_slow_the_next_attempt_down(client: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await log_in(client, "Sanne", "guess")).status_code == 401
    slowed = await log_in(client, "Sanne", PASSWORD)  # even the right one, for now
    assert slowed.status_code == 429
    assert (await client.get("/")).status_code == 303


async def test_a_form_without_the_right_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    refused = await client.post("/login", data={"name": "Sanne", "password": PASSWORD})
    assert refused.status_code == 403
    forged = await client.post(
        "/login", data={"name": "Sanne", "password": PASSWORD, "csrf_token": "made-up"}
    )
    assert forged.status_code == 403
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    assert (await client.post("/away", data={"away": "on"})).status_code == 403
    assert (await client.post("/away", data={"away": "on", "csrf_token": "x"})).status_code == 403
    page = await client.get("/")
    token = TOKEN.search(page.text)
    assert token is not None
    cross_site = await client.post(
        "/away",
        data={"away": "on", "csrf_token": token[1]},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross_site.status_code == 403
    accepted = await client.post("/away", data={"away": "on", "csrf_token": token[1]})
    assert accepted.status_code == 303


async def test_a_handler_removed_from_the_configuration_is_logged_out_at_once(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    assert (await log_in(client, "Piet", PASSWORD)).status_code == 303
    assert (await client.get("/")).status_code == 200
    async with transaction(desk.app.sessions) as session:
        # What `klachtbot run` or any handlers command does once Piet is out of klachtbot.toml.
        await handlers.sync_handlers(
            session, configured=[h for h in desk.app.settings.handlers if h.name != "Piet"]
        )
    assert (await client.get("/")).status_code == 303


async def test_pages_carry_a_content_security_policy_without_inline_script(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/login")
    policy = page.headers["content-security-policy"]
    assert policy == POLICY
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text  # every script is a file of the desk's own


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_images_are_shown_and_other_files_only_downloaded(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    case = await desk.customer_writes("Zie de foto en de bijlagen.", sender="eva")
    async with transaction(desk.app.sessions) as session:
        message = (await repo.messages_of_case(session, case_id=case.id or 0))[0]
        assert message.id is not None
        ids = {}
        for name, content_type, data in (
            ("lekkage.png", "image/png", PNG),
            ("brief.html", "text/html", b"<script>alert(1)</script>"),
            ("tekening.svg", "image/svg+xml", b'<svg onload="alert(1)"/>'),
            ('rapport "def".pdf', "application/pdf", b"%PDF-1.4"),
        ):
            attachment = await repo.add_attachment(
                session,
                message_id=message.id,
                kind="document",
                file_name=name,
                content_type=content_type,
                size=len(data),
                data=data,
                detail={},
            )
            ids[name] = attachment.id
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    base = f"/cases/{case.number}/attachments"
    page = await client.get(f"/cases/{case.number}")
    assert f'<img src="{base}/{ids["lekkage.png"]}"' in page.text
    assert f'<img src="{base}/{ids["tekening.svg"]}"' not in page.text
    image = await client.get(f"{base}/{ids['lekkage.png']}")
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline")
    assert image.content == PNG
    for name in ("brief.html", "tekening.svg", 'rapport "def".pdf'):
        file = await client.get(f"{base}/{ids[name]}")
        assert file.headers["content-type"] == "application/octet-stream", name
        disposition = file.headers["content-disposition"]
        assert disposition.startswith("attachment;"), name
        assert disposition.count('"') == 2, disposition  # the name's own quotes are not
    downloaded = await client.get(f"{base}/{ids['lekkage.png']}?download=1")
    assert downloaded.headers["content-type"] == "application/octet-stream"
    other_case = await desk.customer_writes("Iets anders.", sender="frank")
    assert (
        await client.get(f"/cases/{other_case.number}/attachments/{ids['brief.html']}")
    ).status_code == 404


async def test_logging_out_ends_the_session_on_the_server(client: httpx.AsyncClient) -> None:
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    page = await client.get("/")
    token = TOKEN.search(page.text)
    assert token is not None
    cookie = client.cookies["klachtbot"]
    out = await client.post("/logout", data={"csrf_token": token[1]})
    assert out.status_code == 303
    assert (await client.get("/")).status_code == 303
    # The old cookie, kept by someone, no longer opens anything.
    client.cookies.set("klachtbot", cookie)
    assert (await client.get("/")).status_code == 303


async def test_an_open_live_stream_does_not_hold_up_stopping_the_desk(
    database_url: str, engine: AsyncEngine
) -> None:
    async with running_desk(database_url) as desk, httpx.AsyncClient(base_url=desk.url) as client:
        assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
        async with client.stream("GET", "/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await anext(lines) == "retry: 2000"
            started = asyncio.get_running_loop().time()
            await desk.desk.__aexit__(None, None, None)
            assert asyncio.get_running_loop().time() - started < GRACE_SECONDS
            rest = [line async for line in lines]
            assert "event: changed" not in rest


async def test_the_desk_speaks_the_organisations_language(
    database_url: str, engine: AsyncEngine
) -> None:
    async with (
        running_desk(database_url, language="en") as desk,
        httpx.AsyncClient(base_url=desk.url) as client,
    ):
        login = await client.get("/login")
        assert '<html lang="en">' in login.text
        assert "Log in" in login.text
        assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
        page = await client.get("/")
        assert "Cases" in page.text
        assert "Zaken" not in page.text


def numbers_in(page: httpx.Response) -> set[str]:
    return set(re.findall(r'data-case="(K-\d{4}-\d+)"', page.text))


def row_of(page: httpx.Response, number: str | None) -> str:
    assert number is not None
    found = re.search(rf'<tr [^>]*data-case="{number}">(.*?)</tr>', page.text, re.S)
    assert found is not None, number
    return found.group(1)


async def test_an_urgent_case_is_marked_in_the_list(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    # A complaint that reports a danger: its topic stays, and the list says it is urgent.
    cold = await desk.customer_writes(
        "Voor de derde keer meld ik dat de verwarming kapot is. Niemand komt en nu zijn mijn "
        "kinderen ziek in dit ijskoude huis. Schandalig.",
        sender="jan",
    )
    bill = await desk.customer_writes("Mijn factuur is te hoog.", sender="kim")
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    page = await client.get("/")
    urgent = '<span class="signal urgent">spoed</span>'
    assert urgent in row_of(page, cold.number)
    assert "service_execution" in row_of(page, cold.number)
    assert urgent not in row_of(page, bill.number)


async def test_the_list_filters_and_searches(desk: RunningDesk, client: httpx.AsyncClient) -> None:
    heating = await desk.customer_writes("De verwarming is kapot.", sender="gert", name="Gert Bos")
    bill = await desk.customer_writes("Mijn factuur is te hoog.", sender="hanna@example.nl")
    late = await desk.customer_writes("Niemand heeft teruggebeld.", sender="ivo")
    now = utc_now()
    async with transaction(desk.app.sessions) as session:
        for case, who in ((heating, "Sanne"), (bill, "Piet")):
            stored = await session.get(Case, case.id)
            assert stored is not None
            await aftercare.assign(session, case=stored, actor="test", name=who, now=now)
        stored = await session.get(Case, late.id)
        assert stored is not None
        await aftercare.agree(
            session,
            case=stored,
            actor="test",
            what="terugbellen",
            due_at=now - timedelta(hours=1),
            now=now,
        )
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    every = {heating.number, bill.number, late.number}
    assert numbers_in(await client.get("/")) == every
    assert numbers_in(await client.get("/?mine=1")) == {heating.number}
    assert numbers_in(await client.get("/?unassigned=1")) == {late.number}
    overdue = await client.get("/?overdue=1")
    assert numbers_in(overdue) == {late.number}
    assert "over tijd" in overdue.text
    assert numbers_in(await client.get("/?q=gert+bos")) == {heating.number}
    assert numbers_in(await client.get("/?q=hanna@example")) == {bill.number}
    assert numbers_in(await client.get("/?q=teruggebeld")) == {late.number}
    assert numbers_in(await client.get(f"/?q={bill.number}")) == {bill.number}
    assert numbers_in(await client.get("/?q=100%25")) == set()  # a % is a character, not a wildcard
    assert numbers_in(await client.get("/?channel=console")) == every
    assert numbers_in(await client.get("/?channel=email")) == set()
    assert numbers_in(await client.get("/?status=resolved")) == set()
    table = await client.get("/cases/table?mine=1", headers={"HX-Request": "true"})
    assert numbers_in(table) == {heating.number}
    assert "<html" not in table.text


async def test_health_and_readiness_without_a_login(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    alive = await client.get("/healthz")
    assert alive.status_code == 200
    assert alive.json() == {"status": "alive"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "database": True,
        "migrations": True,
        "outbox": True,
        "channel:console": True,
    }
    async with transaction(desk.app.sessions) as session:
        await outbox.enqueue(
            session,
            idempotency_key="stuck",
            channel="nowhere",  # no channel sends it: it stays due
            recipient="x",
            template="t",
            body="b",
            due_at=utc_now() - timedelta(hours=1),
            now=utc_now(),
        )
    stuck = await client.get("/readyz")
    assert stuck.status_code == 503
    assert stuck.json()["checks"]["outbox"] is False


async def test_pages_are_served_while_the_intake_holds_the_bots_connection(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    """On SQLite the bot shares one connection in turn; the desk's pages read on their own,
    so a handler's page does not wait for the intake (bot/web/desk.py)."""
    case = await desk.customer_writes("De lift is al een week kapot.")
    assert case.number is not None
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    async with transaction(desk.app.sessions) as session:
        stored = await session.get(Case, case.id)
        assert stored is not None
        stored.summary = "half written"
        session.add(stored)
        await session.flush()  # a write under way, its transaction open
        async with asyncio.timeout(10):
            listed = await client.get("/")
            shown = await client.get(f"/cases/{case.number}")
    assert listed.status_code == shown.status_code == 200
    assert case.number in listed.text
    assert case.number in shown.text
