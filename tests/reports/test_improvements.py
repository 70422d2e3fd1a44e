"""The improvement cycle: actions recorded, listed and marked done with `klachtbot
improvements`, and shown in the report with the complaints on their topic before and after."""

import asyncio
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.policy.calendar import Calendar
from bot.reports import document
from bot.reports.report import Period
from bot.reports.service import record_of
from storage import improvements
from storage.db import SessionFactory, transaction
from tests.reports.history import TZ, at, seed

runner = CliRunner(env={"COLUMNS": "200"})
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


async def test_the_report_shows_whether_complaints_went_down(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        ids = await seed(session)
        action = await improvements.add(
            session,
            what="Onderhoudscontract lift Parkweg herzien",
            why="Acht storingsmeldingen in twee dagen",
            topic="service_execution",
            pattern="complex: parkweg, amersfoort",
            example_cases=["K-000022", "K-000023"],
            owner="Cor",
            due=date(2026, 12, 15),
            now=at(11, 18, 10),
        )
        assert action.id is not None
        await improvements.add(
            session,
            what="Al afgerond",
            why="",
            topic="billing",
            pattern=None,
            example_cases=[],
            owner="",
            due=None,
            now=at(9, 1, 10),
        )
        [old] = [a for a in await improvements.listed(session) if a.what == "Al afgerond"]
        assert old.id is not None
        assert await improvements.mark_done(session, old.id, now=at(9, 2, 10))
        assert await improvements.mark_done(session, action.id, now=at(11, 20, 10))
        assert not await improvements.mark_done(session, 999, now=at(11, 20, 10))
    assert ids
    calendar = Calendar(tz=TZ)
    async with transaction(sessions) as session:
        early = await record_of(session, NOVEMBER, now=at(12, 4, 12), calendar=calendar)
        later = await record_of(session, NOVEMBER, now=at(12, 21, 12), calendar=calendar)
    # Done in September: not part of November's report.
    assert [a["what"] for a in early["improvements"]] == ["Onderhoudscontract lift Parkweg herzien"]
    shown = early["improvements"][0]
    assert (shown["status"], shown["owner"], shown["due"]) == ("done", "Cor", "2026-12-15")
    assert shown["example_cases"] == ["K-000022", "K-000023"]
    # Eight lift complaints in the 30 days before; 30 days after it was done not yet passed.
    assert (shown["before"], shown["after"]) == (8, None)
    assert (later["improvements"][0]["before"], later["improvements"][0]["after"]) == (8, 0)


@pytest.mark.usefixtures("sessions")
async def test_improvements_commands(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)

    def run(*args: str) -> str:
        result = runner.invoke(app, ["improvements", *args])
        assert result.exit_code == 0, result.output
        return result.output

    added = await asyncio.to_thread(
        run,
        "add",
        "--what",
        "Liftkeuring elk kwartaal",
        "--why",
        "storingen Parkweg",
        "--topic",
        "service_execution",
        "--case",
        "K-000022",
        "--owner",
        "Cor",
        "--due",
        "2026-12-15",
    )
    assert "Verbeteractie 1 is vastgelegd." in added
    listed = await asyncio.to_thread(run, "list")
    assert "Liftkeuring elk kwartaal" in listed
    assert "uitvoering" in listed  # the topic in Dutch
    assert "loopt" in listed
    assert "Verbeteractie 1 is afgerond." in await asyncio.to_thread(run, "done", "1")
    assert "afgerond" in await asyncio.to_thread(run, "list")
    missing = await asyncio.to_thread(runner.invoke, app, ["improvements", "done", "7"])
    assert missing.exit_code == 1


async def test_the_page_lists_the_actions(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await seed(session)
        action = await improvements.add(
            session,
            what="Liftkeuring elk kwartaal",
            why="storingen",
            topic="service_execution",
            pattern=None,
            example_cases=[],
            owner="Cor",
            due=None,
            now=at(11, 18, 10),
        )
        assert action.id is not None
        await improvements.mark_done(session, action.id, now=at(11, 20, 10))
    async with transaction(sessions) as session:
        data = await record_of(session, NOVEMBER, now=at(12, 21, 12), calendar=Calendar(tz=TZ))
    page = document.html(data, "nl")
    assert "Verbeteracties" in page
    assert "Liftkeuring elk kwartaal" in page
    assert "8 → 0 (gedaald)" in page
