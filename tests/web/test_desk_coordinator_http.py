"""The coordinator's pages over plain HTTP: the report, improvement actions and privacy
requests; who may open them, CSRF on every form, and what they change in storage."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import httpx
from sqlmodel import col, select

from bot.web.headers import POLICY
from bot.web.report import style_hashes
from common.clock import utc_now
from storage import improvements, repo
from storage.db import transaction
from storage.models import AuditEvent, Case, Message
from tests.web.support import PASSWORD, RunningDesk
from tests.web.test_desk_http import TOKEN, log_in


async def token_of(client: httpx.AsyncClient, path: str = "/") -> str:
    page = await client.get(path)
    found = TOKEN.search(page.text)
    assert found is not None, path
    return found[1]


async def test_a_handler_gets_403_on_every_coordinator_page_and_form(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    case = await desk.customer_writes("Mijn pakket is kapot aangekomen.")
    for path in ("/report", "/improvements", "/privacy"):
        assert (await client.get(path)).headers["location"] == "/login"
    assert (await log_in(client, "Sanne", PASSWORD)).status_code == 303
    token = await token_of(client)
    assert "/report" not in (await client.get("/")).text  # no links to what she cannot open
    for path in ("/report", "/report/download.csv", "/improvements", "/privacy"):
        response = await client.get(path)
        assert response.status_code == 403, path
    posts: dict[str, dict[str, str]] = {
        "/improvements": {"what": "Betere verpakking"},
        "/privacy/find": {"person": f"{case.number}"},
        "/privacy/export": {"person": f"{case.number}"},
        "/privacy/erase": {"person": f"{case.number}", "confirmed": "yes"},
        f"/cases/{case.number}/hold": {"hold": "on", "reason": "rechtszaak"},
    }
    for path, data in posts.items():
        response = await client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    async with transaction(desk.app.sessions) as session:
        assert await improvements.listed(session) == []
        held = await repo.case_by_number(session, number=f"{case.number}")
        assert held is not None
        assert not held.legal_hold


async def test_the_report_page_shows_the_commands_report_with_its_charts(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    await desk.customer_writes("De monteur is niet gekomen.")
    assert (await log_in(client, "Carla", PASSWORD)).status_code == 303
    # The report's days are the organisation's: at 23:30 UTC it is already tomorrow there.
    today = utc_now().astimezone(desk.app.settings.organisation.tz).date()
    query = f"from={(today - timedelta(days=6)).isoformat()}&to={today.isoformat()}"
    page = await client.get(f"/report?{query}")
    assert page.status_code == 200
    # The desk's own policy, with exactly the charts' inline styles allowed by their hash;
    # scripts stay the desk's own files only.
    policy = page.headers["content-security-policy"]
    assert policy.replace(policy.split("; ")[2], "style-src 'self'") == POLICY
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "<svg" in page.text
    assert set(style_hashes(page.text)) == set(re.findall(r"'(sha256-[^']+)'", policy))
    assert "@page" not in page.text  # the report's print style sheet stays out
    assert '<link rel="stylesheet" href="/static/report.css">' in page.text
    assert (await client.get("/static/report.css")).status_code == 200
    assert f"/report/download.pdf?{query.replace('&', '&amp;')}" in page.text

    data = (await client.get(f"/report/download.json?{query}")).json()
    assert data["current"]["cases"] == 1
    csv = await client.get(f"/report/download.csv?{query}")
    assert csv.headers["content-disposition"].startswith("attachment;")
    assert "current.cases,1" in csv.text
    pdf = await client.get(f"/report/download.pdf?{query}")
    assert pdf.content.startswith(b"%PDF")

    assert (await client.get("/report?from=2026-05-31&to=2026-05-01")).status_code == 400
    assert (await client.get("/report?from=gisteren&to=2026-05-01")).status_code == 400
    assert (await client.get("/report")).status_code == 200  # last month by default


async def test_improvement_actions_are_added_listed_and_marked_done(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    case = await desk.customer_writes("Weer een verkeerde factuur!")
    assert (await log_in(client, "Carla", PASSWORD)).status_code == 303
    form = {
        "what": "Factuurcontrole <b>vooraf</b>",
        "why": "Drie klachten over dubbele facturen",
        "topic": "billing",
        "cases": f"{case.number}, K-2026-999999",
        "owner": "Financiën",
        "due": "2026-12-31",
    }
    assert (await client.post("/improvements", data=form)).status_code == 403
    token = await token_of(client, "/improvements")
    added = await client.post("/improvements", data={**form, "csrf_token": token})
    assert added.status_code == 303
    listing = await client.get("/improvements")
    assert "Factuurcontrole &lt;b&gt;vooraf&lt;/b&gt;" in listing.text
    assert f'href="/cases/{case.number}"' in listing.text
    async with transaction(desk.app.sessions) as session:
        (action,) = await improvements.listed(session)
    assert action.topic == "billing"
    assert action.example_cases == [case.number, "K-2026-999999"]
    assert action.due is not None
    assert action.due.isoformat() == "2026-12-31"
    assert action.status == "open"

    refused = await client.post(
        "/improvements", data={"what": "x", "due": "morgen", "csrf_token": token}
    )
    assert refused.headers["location"] == "/improvements?problem=1"
    assert (await client.post(f"/improvements/{action.id}/done", data={})).status_code == 403
    done = await client.post(f"/improvements/{action.id}/done", data={"csrf_token": token})
    assert done.status_code == 303
    assert (
        await client.post("/improvements/999/done", data={"csrf_token": token})
    ).status_code == 404
    async with transaction(desk.app.sessions) as session:
        (action,) = await improvements.listed(session)
    assert action.status == "done"
    assert action.done_at is not None


async def _texts(desk: RunningDesk, case: Case) -> list[str]:
    async with transaction(desk.app.sessions) as session:
        rows = await session.exec(select(Message.text).where(Message.case_id == case.id))
        return [text for text in rows if text]


async def test_a_person_is_found_exported_held_and_erased_after_confirmation(
    desk: RunningDesk, client: httpx.AsyncClient
) -> None:
    case = await desk.customer_writes("Mijn naam is Anna de Vries, bel 0612345678.", sender="anna")
    other = await desk.customer_writes("Ik ben iemand anders.", sender="bram")
    assert (await log_in(client, "Carla", PASSWORD)).status_code == 303
    token = await token_of(client, "/privacy")
    assert (
        await client.post("/privacy/find", data={"person": f"{case.number}"})
    ).status_code == 403

    found = await client.post("/privacy/find", data={"person": case.number, "csrf_token": token})
    assert found.status_code == 200
    assert f'href="/cases/{case.number}"' in found.text
    unknown = await client.post(
        "/privacy/find", data={"person": "niemand@example.nl", "csrf_token": token}
    )
    assert unknown.status_code == 404
    assert "Niemand past bij n***@example.nl" in unknown.text

    exported = await client.post(
        "/privacy/export", data={"person": case.number, "as": "zip", "csrf_token": token}
    )
    assert exported.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    stem = f"privacy-export-{case.customer_id}"
    document = json.loads(archive.read(f"{stem}.json"))
    texts = [row["text"] for row in document["tables"]["messages"]]
    assert "Mijn naam is Anna de Vries, bel 0612345678." in texts
    assert "Ik ben iemand anders." not in texts
    page = await client.post(
        "/privacy/export", data={"person": case.number, "as": "html", "csrf_token": token}
    )
    assert page.headers["content-disposition"] == f'attachment; filename="{stem}.html"'
    assert "Anna de Vries" in page.text

    asked = await client.post("/privacy/erase", data={"person": case.number, "csrf_token": token})
    assert asked.status_code == 200
    assert 'name="confirmed" value="yes"' in asked.text
    assert f"{case.number}" in asked.text
    assert any("Anna de Vries" in text for text in await _texts(desk, case))  # not yet

    held = await client.post(
        f"/cases/{case.number}/hold",
        data={"hold": "on", "reason": "rechtszaak", "csrf_token": token},
    )
    assert held.status_code == 303
    assert "rechtszaak" in (await client.get(f"/cases/{case.number}")).text
    confirmed = {"person": case.number, "confirmed": "yes", "csrf_token": token}
    refused = await client.post("/privacy/erase", data=confirmed)
    assert refused.status_code == 409
    assert f"{case.number}" in refused.text
    assert any("Anna de Vries" in text for text in await _texts(desk, case))

    lifted = await client.post(
        f"/cases/{case.number}/hold", data={"hold": "off", "csrf_token": token}
    )
    assert lifted.status_code == 303
    erased = await client.post("/privacy/erase", data=confirmed)
    assert erased.status_code == 200
    assert not any("Anna de Vries" in text for text in await _texts(desk, case))
    assert await _texts(desk, other) == ["Ik ben iemand anders."]
    async with transaction(desk.app.sessions) as session:
        audit = (
            await session.exec(
                select(AuditEvent)
                .where(
                    col(AuditEvent.action).in_(["case.hold_on", "case.hold_off", "privacy.erased"])
                )
                .order_by(col(AuditEvent.id))
            )
        ).all()
    assert [(e.action, e.actor) for e in audit] == [
        ("case.hold_on", "Carla"),
        ("case.hold_off", "Carla"),
        ("privacy.erased", "Carla"),
    ]
    assert audit[-1].detail["case_numbers"] == [case.number]
    assert re.search(r"Verwijderd: \d+ zaken", erased.text)
