"""`klachtbot cases note|agree|resolve|reopen|assign K-…` and what `cases show` then shows."""

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.runtime.app import App
from storage import outbox
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, FollowUp, Handler
from tests.followups.support import COMPLAINT, settings_for, tell
from tests.support import RecordingChannel, SteppedClock

runner = CliRunner(env={"COLUMNS": "200"})
HANDLERS = [
    {"name": "Sanne de Boer", "email": "sanne@example.nl", "role": "handler"},
    {"name": "Piet Jansen", "email": "piet@example.nl", "role": "substitute"},
]


async def klachtbot(*args: str) -> Result:
    # The CLI runs its own event loop, so it gets a thread of its own.
    return await asyncio.to_thread(runner.invoke, app, list(args))


@pytest.fixture(autouse=True)
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.setenv("KLACHTBOT_HANDLERS", json.dumps(HANDLERS))
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


async def a_case(database_url: str, sessions: SessionFactory) -> Case:
    clock = SteppedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    channel = RecordingChannel()
    settings = settings_for(database_url, handlers=HANDLERS)
    async with App(settings, [channel], clock=clock) as bot:
        await tell(bot, channel, clock, COMPLAINT)
    async with transaction(sessions) as session:
        return (await session.exec(select(Case))).one()


async def test_handler_commands_record_and_plan(
    database_url: str, sessions: SessionFactory
) -> None:
    case = await a_case(database_url, sessions)
    number = case.number or ""

    assigned = await klachtbot("cases", "assign", number, "Piet Jansen")
    assert assigned.exit_code == 0, assigned.output
    assert "toegewezen aan Piet Jansen" in assigned.output  # the organisation speaks Dutch

    noted = await klachtbot("cases", "note", number, "Klant gebeld", "--contact")
    assert noted.exit_code == 0, noted.output
    agreed = await klachtbot(
        "cases", "agree", number, "Gecorrigeerde factuur", "--due", "2026-12-01"
    )
    assert agreed.exit_code == 0, agreed.output

    resolved = await klachtbot("cases", "resolve", number, "--note", "Factuur gecorrigeerd")
    assert resolved.exit_code == 0, resolved.output
    assert "controle of de afspraak is nagekomen" in resolved.output
    again = await klachtbot("cases", "resolve", number)
    assert again.exit_code == 1
    assert "already resolved" in again.output

    async with transaction(sessions) as session:
        stored = await session.get(Case, case.id)
        assert stored is not None
        handler = await session.get(Handler, stored.handler_id)
        agreements = (
            await session.exec(select(Agreement).where(Agreement.case_id == case.id))
        ).all()
        planned = await outbox.rows(session, case_id=case.id)
        followups = (await session.exec(select(FollowUp))).all()
    assert handler is not None
    assert handler.name == "Piet Jansen"
    assert stored.status == "resolved"
    assert stored.resolved_at is not None
    by_what = {a.what: a for a in agreements}
    assert by_what["first_contact"].done_at is not None
    assert by_what["Gecorrigeerde factuur"].due_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert {(r.template, r.status) for r in planned} >= {
        ("execution_check", "pending"),
        ("survey", "pending"),
        ("survey_reminder", "pending"),
    }
    assert sorted(f.kind for f in followups) == ["close", "execution_check", "survey"]

    shown = await klachtbot("cases", "show", number)
    assert shown.exit_code == 0, shown.output
    assert "tevredenheidsvraag" in shown.output  # the survey planned, among the deadlines
    assert "Piet Jansen" in shown.output

    reopened = await klachtbot("cases", "reopen", number, "--reason", "Factuur klopt nog niet")
    assert reopened.exit_code == 0, reopened.output
    assert "3 gepland(e) bericht(en) geschrapt" in reopened.output
    async with transaction(sessions) as session:
        stored = await session.get(Case, case.id)
        planned = await outbox.rows(session, case_id=case.id)
        actions = [
            (e.action, e.actor)
            for e in (await session.exec(select(AuditEvent).where(AuditEvent.case_id == case.id)))
        ]
    assert stored is not None
    assert stored.status == "handed_off"
    assert {r.status for r in planned if r.template in ("survey", "survey_reminder")} == {
        "cancelled"
    }
    # Recorded in the name of the case's handler at the time (no --as given).
    assert ("case.assigned", "Sanne de Boer") in actions
    for action in ("handler.note", "handler.agreed", "case.resolved"):
        assert (action, "Piet Jansen") in actions
    assert ("case.reopened", "Piet Jansen") in actions

    # The case file tells the whole story: what handlers wrote down, in order.
    story = await klachtbot("cases", "show", number)
    assert story.exit_code == 0, story.output
    for said in (
        "Klant gebeld",  # the note
        "Gecorrigeerde factuur",  # the agreement
        "Factuur gecorrigeerd",  # the resolve note
        "Factuur klopt nog niet",  # the reopen reason
        "heropend",
        "di 1 dec 2026 17:00 CET",  # the agreement's deadline, as people write it
    ):
        assert said in story.output, said
    assert story.output.index("Klant gebeld") < story.output.index("Factuur klopt nog niet")
    as_json = await klachtbot("cases", "show", number, "--json")
    assert as_json.exit_code == 0, as_json.output
    record = json.loads(as_json.output)
    assert record["number"] == number
    assert record["handler"] == "Piet Jansen"
    timeline = {(entry["kind"], entry["text"]) for entry in record["timeline"]}
    assert {
        ("handler.note", "Klant gebeld"),
        ("handler.agreed", "Gecorrigeerde factuur"),
        ("case.resolved", "Factuur gecorrigeerd"),
        ("case.reopened", "Factuur klopt nog niet"),
    } <= timeline
    promised = [d for d in record["deadlines"] if d["agreed"]]
    assert promised == [
        {
            "what": "Gecorrigeerde factuur",
            "agreed": True,
            "due_at": "2026-12-01T16:00:00+00:00",
            "done_at": promised[0]["done_at"],
        }
    ]
    as_csv = await klachtbot("cases", "show", number, "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {"at", "who", "kind", "text"} == set(rows[0])
    assert ("case.reopened", "Factuur klopt nog niet") in {(r["kind"], r["text"]) for r in rows}
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)


async def test_unknown_cases_and_handlers_are_named(
    database_url: str, sessions: SessionFactory
) -> None:
    missing = await klachtbot("cases", "note", "K-2026-999999", "x")
    assert missing.exit_code == 1
    assert "no case K-2026-999999" in missing.output
    case = await a_case(database_url, sessions)
    nobody = await klachtbot("cases", "assign", case.number or "", "Nobody")
    assert nobody.exit_code == 1
    assert "no handler named 'Nobody'" in nobody.output
    not_resolved = await klachtbot("cases", "reopen", case.number or "")
    assert not_resolved.exit_code == 1
    assert "not resolved or closed" in not_resolved.output
