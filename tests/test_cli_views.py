"""`cases list` and `cases show` for people at 80 columns and for programs (JSON, CSV);
dates as people write them; chat turns wrapped and marked."""

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.cli.output import moment, short_moment
from common.terminal import turn
from storage.db import SessionFactory, transaction
from storage.models import Agreement, AuditEvent, Case, Customer, FollowUp, Handler

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime.now(UTC)
LONG_NAMES = (
    "Maria Magdalena van Oldenbarnevelt-Schimmelpenninck tot Nijenrode",
    "Johannes Theodorus Wilhelmus van der Westhuizen-Vandenberghe",
    "Anna",
)


async def klachtbot(*args: str, **env: str) -> Result:
    runner = CliRunner(env={"COLUMNS": "80", **env})
    # The CLI runs its own event loop, so it gets a thread of its own.
    return await asyncio.to_thread(runner.invoke, app, list(args))


@pytest.fixture(autouse=True)
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)
    monkeypatch.delenv("KLACHTBOT_AS", raising=False)


async def some_cases(sessions: SessionFactory) -> dict[str, datetime | None]:
    """Three cases: an overdue one of Sanne, one of Piet due next year, a resolved one.
    Returns each case's next deadline."""
    received = NOW - timedelta(days=3)
    async with transaction(sessions) as session:
        sanne = Handler(name="Sanne de Boer-Verhoeven")
        piet = Handler(name="Piet Jansen")
        customers = [Customer(name=name, created_at=received) for name in LONG_NAMES]
        session.add_all([sanne, piet, *customers])
        await session.flush()
        late = NOW - timedelta(days=1)
        far = NOW + timedelta(days=400)  # another year: the list writes the year
        cases = [
            Case(
                number="K-2026-000001",
                customer_id=customers[0].id or 0,
                channel="email",
                status="handed_off",
                intent="complaint",
                category="staff_conduct",
                received_at=received,
                handler_id=sanne.id,
                resolution_due=NOW + timedelta(days=10),
            ),
            Case(
                number="K-2026-000002",
                customer_id=customers[1].id or 0,
                channel="telegram",
                status="handed_off",
                intent="repair_request",
                received_at=received,
                handler_id=piet.id,
                resolution_due=far,
            ),
            Case(
                number="K-2026-000003",
                customer_id=customers[2].id or 0,
                channel="telegram",
                status="resolved",
                intent="complaint",
                category="billing",
                received_at=received,
                resolved_at=NOW,
                handler_id=sanne.id,
                resolution_due=late,
            ),
        ]
        session.add_all(cases)
        await session.flush()
        session.add(
            Agreement(
                case_id=cases[0].id or 0,
                what="first_contact",
                who="bot",
                due_at=late,
                created_at=received,
            )
        )
    return {"K-2026-000001": late, "K-2026-000002": far, "K-2026-000003": None}


def test_dates_are_written_as_people_write_them_with_the_zone() -> None:
    winter = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    summer = datetime(2026, 7, 3, 16, 30, tzinfo=UTC)
    assert moment(winter, AMSTERDAM, "nl") == "vr 4 dec 2026 18:30 CET"
    assert moment(winter, AMSTERDAM, "en") == "Fri 4 Dec 2026 18:30 CET"
    assert moment(summer, AMSTERDAM, "nl") == "vr 3 jul 2026 18:30 CEST"
    assert moment(None, AMSTERDAM, "nl") == "—"
    assert short_moment(winter, AMSTERDAM, "nl", now=summer) == "4 dec 18:30 CET"
    assert short_moment(winter, AMSTERDAM, "en", now=summer + timedelta(days=365)) == (
        "4 Dec 2026 18:30 CET"
    )


async def test_the_list_at_80_columns_cuts_no_case_number_and_no_date(
    sessions: SessionFactory,
) -> None:
    due = await some_cases(sessions)
    listed = await klachtbot("cases", "list")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith("zaak"))
    for column in ("zaak", "status", "behandelaar", "volgende termijn", "thema", "klant"):
        assert column in header, column
    for number, deadline in due.items():
        row = next(line for line in lines if number in line)  # the number, whole, on its row
        if deadline is not None:
            assert short_moment(deadline, AMSTERDAM, "nl", NOW) in row  # the date whole
    overdue_row = next(line for line in lines if "K-2026-000001" in line)
    assert f"! {short_moment(due['K-2026-000001'], AMSTERDAM, 'nl', NOW)}" in overdue_row
    assert "! = termijn verstreken" in listed.output
    far = due["K-2026-000002"]
    assert far is not None
    assert str(far.astimezone(AMSTERDAM).year) in listed.output
    # The topic in words, the status in words; the long names wrap instead of pushing.
    for shown in ("bejegening", "reparatie", "facturering", "overgedragen", "opgelost"):
        assert shown in listed.output, shown
    # The customer's name wraps, and a word too long for the column is shortened, marked "…".
    assert "Maria" in listed.output
    assert "Anna" in listed.output
    assert "…" in listed.output


async def test_the_list_speaks_english_when_the_organisation_does(
    sessions: SessionFactory,
) -> None:
    await some_cases(sessions)
    listed = await klachtbot("cases", "list", KLACHTBOT_ORGANISATION__LANGUAGE="en")
    assert listed.exit_code == 0, listed.output
    for word in ("case", "handler", "next deadline", "topic", "customer", "repair"):
        assert word in listed.output, word
    assert "handed off" in listed.output


async def test_filters(sessions: SessionFactory) -> None:
    await some_cases(sessions)

    async def numbers(*args: str, **env: str) -> set[str]:
        result = await klachtbot("cases", "list", "--json", *args, **env)
        assert result.exit_code == 0, result.output
        return {row["number"] for row in json.loads(result.output)}

    assert await numbers("--status", "resolved") == {"K-2026-000003"}
    assert await numbers("--handler", "piet jansen") == {"K-2026-000002"}
    # Resolved late is settled: only the case with an open promise passed is overdue.
    assert await numbers("--overdue") == {"K-2026-000001"}
    assert await numbers("--mine", "--as", "Sanne de Boer-Verhoeven") == {
        "K-2026-000001",
        "K-2026-000003",
    }
    assert await numbers("--mine", KLACHTBOT_AS="Piet Jansen") == {"K-2026-000002"}
    assert await numbers("--mine", "--overdue", KLACHTBOT_AS="Piet Jansen") == set()
    nobody = await klachtbot("cases", "list", "--mine")
    assert nobody.exit_code == 2
    assert "--as" in nobody.output


async def test_json_and_csv_hold_every_field(sessions: SessionFactory) -> None:
    due = await some_cases(sessions)
    as_json = await klachtbot("cases", "list", "--json")
    assert as_json.exit_code == 0, as_json.output
    rows = {row["number"]: row for row in json.loads(as_json.output)}
    first = rows["K-2026-000001"]
    assert first["customer"] == LONG_NAMES[0]
    assert first["handler"] == "Sanne de Boer-Verhoeven"
    assert (first["status"], first["category"], first["overdue"]) == (
        "handed_off",
        "staff_conduct",
        True,
    )
    late = due["K-2026-000001"]
    assert late is not None
    assert datetime.fromisoformat(first["next_due"]) == late
    assert rows["K-2026-000003"]["next_due"] is None

    as_csv = await klachtbot("cases", "list", "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    table = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [row["number"] for row in table] == list(rows)
    assert table[0].keys() == first.keys()
    assert table[1]["customer"] == LONG_NAMES[1]
    assert table[1]["overdue"] == "False"


async def test_show_has_escalations_and_survey_answers_in_its_timeline(
    sessions: SessionFactory,
) -> None:
    await some_cases(sessions)
    async with transaction(sessions) as session:
        late = NOW - timedelta(days=1)
        session.add(
            AuditEvent(
                case_id=1,
                actor="bot",
                action="deadline.missed",
                detail={
                    "what": "first_contact",
                    "due_at": late.isoformat(),
                    "renewed_at": NOW.isoformat(),
                    "escalated_to": ["Piet Jansen"],
                },
                at=late,
            )
        )
        session.add(
            FollowUp(
                case_id=1,
                kind="survey",
                status="answered",
                due_at=late,
                overall=4,
                listened=5,
                comment="Netjes opgelost, wel laat",
                answered_at=NOW,
                created_at=late,
            )
        )
    shown = await klachtbot("cases", "show", "k-2026-000001")
    assert shown.exit_code == 0, shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 80
    assert "ESCALATIE" in shown.output
    assert "Piet Jansen" in shown.output
    assert "algemeen" in shown.output
    assert "4/5" in shown.output
    assert "Netjes opgelost" in shown.output
    assert moment(late, AMSTERDAM, "nl") in shown.output  # whole, with weekday and zone
    assert "eerste contact met de klant" in shown.output  # the deadline, in words


def test_a_chat_turn_is_marked_and_wrapped_to_the_width() -> None:
    reply = (
        "Dank u wel. Uw melding K-2026-000001 staat genoteerd en een collega belt u "
        "vóór vrijdag 17:00 terug op 06-12345678.\n\n  - eerste punt\n\x1b]0;pwned\x07Einde."
    )
    shown = turn("Ons bedrijf", reply, width=40)
    lines = shown.splitlines()
    assert lines[0].startswith("Ons bedrijf: Dank u wel.")
    assert all(len(line) <= 40 for line in lines)
    assert all(line.startswith("  ") or not line for line in lines[1:])  # under the speaker
    assert "K-2026-000001" in shown  # never split at a hyphen
    assert "06-12345678" in shown
    assert "    - eerste punt" in lines  # a line keeps its own indentation
    assert "pwned" not in shown
    assert "\x1b" not in shown
    assert turn("u", "kort", width=40) == "u: kort"
