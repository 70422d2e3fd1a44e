"""The desk's security over plain HTTP: logins, sessions, CSRF, headers (no browser)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.web.headers import POLICY
from storage import handlers
from storage.db import transaction
from tests.web.support import PASSWORD, RunningDesk, running_desk

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def desk(database_url: str, engine: AsyncEngine) -> AsyncIterator[RunningDesk]:
    async with running_desk(database_url) as running:
        yield running


@pytest.fixture
async def client(desk: RunningDesk) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=desk.url) as client:
        yield client


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
