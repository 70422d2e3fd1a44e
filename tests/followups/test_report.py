"""`klachtbot report`: the figures from rows, and the command over a real database."""

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.reports.report import figures, load, percentile
from storage.db import SessionFactory, transaction
from storage.models import Agreement, Case, Customer, FollowUp

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
runner = CliRunner(env={"COLUMNS": "200"})


def case(number: int, **fields: object) -> Case:
    values: dict[str, object] = {
        "id": number,
        "customer_id": 1,
        "channel": "telegram",
        "intent": "complaint",
        "category": "billing",
        "received_at": T0,
    }
    values.update(fields)
    return Case.model_validate(values)


def survey(case_id: int, *scores: int | None, status: str = "answered") -> FollowUp:
    overall, listened, informed, resolved = scores
    return FollowUp(
        case_id=case_id,
        kind="survey",
        status=status,
        due_at=T0 + timedelta(days=20),
        overall=overall,
        listened=listened,
        informed=informed,
        resolved=resolved,
        created_at=T0,
    )


def test_percentile_is_nearest_rank() -> None:
    hours = [timedelta(hours=h) for h in range(1, 11)]
    assert percentile(hours, 0.9) == timedelta(hours=9)
    assert percentile(hours[:1], 0.9) == timedelta(hours=1)
    assert percentile([], 0.9) is None


def test_figures_count_time_deadlines_and_satisfaction() -> None:
    cases = [
        case(1, resolved_at=T0 + timedelta(days=2), resolution_due=T0 + timedelta(days=14)),
        case(2, resolved_at=T0 + timedelta(days=4), resolution_due=T0 + timedelta(days=3)),
        case(3, channel="email", category="delivery", resolution_due=T0 + timedelta(days=14)),
        case(4, intent="emergency", category=None),
    ]
    contacts = [
        Agreement(case_id=1, what="first_contact", who="S", due_at=T0, done_at=T0, created_at=T0),
        Agreement(case_id=2, what="first_contact", who="S", due_at=T0, done_at=T0, created_at=T0),
        Agreement(case_id=3, what="first_contact", who="S", due_at=T0, created_at=T0),
        # Done, but a day late while the bot was not running to escalate it.
        Agreement(
            case_id=4,
            what="first_contact",
            who="S",
            due_at=T0,
            done_at=T0 + timedelta(days=1),
            created_at=T0,
        ),
    ]
    numbers = figures(
        cases=cases,
        first_contacts=contacts,
        missed_case_ids={2},
        surveys=[
            survey(1, 4, 5, 3, 4),
            survey(2, 2, 3, 1, None),
            survey(3, None, None, None, None, status="expired"),
            survey(4, None, None, None, None, status="cancelled"),
        ],
        now=NOW,
    )
    assert numbers.cases == 4
    assert numbers.per_intent == {"complaint": 3, "emergency": 1}
    assert numbers.per_category == {"billing": 2, "delivery": 1, "none": 1}
    assert numbers.per_channel == {"telegram": 3, "email": 1}
    assert numbers.resolved == 2
    assert numbers.handling_median == timedelta(days=3)
    assert numbers.handling_p90 == timedelta(days=4)
    # Case 2 was contacted only after an escalation, case 3 not at all, case 4 late.
    assert (numbers.first_contact_met, numbers.first_contact_due) == (1, 4)
    # Case 1 in time, case 2 late, case 3 open past its target.
    assert (numbers.resolution_met, numbers.resolution_due) == (1, 3)
    assert numbers.survey_averages == {
        "overall": 3.0,
        "listened": 4.0,
        "informed": 2.0,
        "resolved": 4.0,
    }
    assert (numbers.surveys_answered, numbers.surveys_sent) == (2, 3)


@pytest.fixture
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


@pytest.mark.usefixtures("environment")
async def test_report_command_prints_the_period(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        customer = Customer(created_at=T0)
        session.add(customer)
        await session.flush()
        assert customer.id is not None
        for number, received in enumerate((T0, T0 + timedelta(days=1), T0 + timedelta(days=40))):
            session.add(
                Case(
                    number=f"K-2026-{number:06d}",
                    customer_id=customer.id,
                    channel="email" if number else "telegram",
                    intent="complaint",
                    category="billing",
                    received_at=received,
                    resolved_at=received + timedelta(hours=30),
                )
            )
    result: Result = await asyncio.to_thread(
        runner.invoke, app, ["report", "--from", "2026-11-01", "--to", "2026-11-30"]
    )
    assert result.exit_code == 0, result.output
    # In the organisation's language (Dutch unless configured), numbers written the Dutch way.
    assert "Rapportage 2026-11-01 t/m 2026-11-30" in result.output
    lines = {line.strip("│ ").split("│")[0].strip(): line for line in result.output.splitlines()}
    assert "2" in lines["zaken ontvangen"]  # the December case is outside the period
    assert "30,0 uur" in lines["doorlooptijd, mediaan"]
    assert "facturering" in lines
    assert "telegram" in result.output

    period = ["report", "--from", "2026-11-01", "--to", "2026-11-30"]
    as_json = await asyncio.to_thread(runner.invoke, app, [*period, "--json"])
    assert as_json.exit_code == 0, as_json.output
    figures_json = json.loads(as_json.output)
    assert (figures_json["from"], figures_json["to"]) == ("2026-11-01", "2026-11-30")
    assert figures_json["cases"] == 2
    assert figures_json["handling_median"] == 30 * 3600  # seconds
    assert figures_json["per_channel"] == {"telegram": 1, "email": 1}
    as_csv = await asyncio.to_thread(runner.invoke, app, [*period, "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = {row["figure"]: row["value"] for row in csv.DictReader(io.StringIO(as_csv.output))}
    assert rows["cases"] == "2"
    assert rows["per_category.billing"] == "2"
    assert rows["survey_averages.overall"] == ""  # no survey answered: empty, not "None"
    both = await asyncio.to_thread(runner.invoke, app, [*period, "--json", "--csv"])
    assert both.exit_code == 2

    backwards = await asyncio.to_thread(
        runner.invoke, app, ["report", "--from", "2026-11-30", "--to", "2026-11-01"]
    )
    assert backwards.exit_code == 2


async def test_a_period_with_more_cases_than_a_statement_takes_parameters(
    sessions: SessionFactory,
) -> None:
    """PostgreSQL's driver binds at most 32,767 parameters: the period's cases are a
    subquery, never a list of ids."""
    many = 40_000
    async with transaction(sessions) as session:
        customer = Customer(created_at=T0)
        session.add(customer)
        await session.flush()
        connection = await session.connection()
        await connection.execute(
            insert(Case),
            [
                {"customer_id": customer.id, "channel": "email", "received_at": T0,
                 "status": "open", "language": "nl", "anger": 0, "dialogue_state": {}}
                for _ in range(many)
            ],
        )
        last = (await session.exec(select(func.max(Case.id)))).one()
        assert last is not None
        session.add(
            Agreement(case_id=last, what="first_contact", who="S", due_at=T0, created_at=T0)
        )
        session.add(survey(last, 4, 4, 4, 4))
    async with transaction(sessions) as session:
        numbers = await load(session, start=T0, end=T0 + timedelta(days=1), now=NOW)
    assert numbers.cases == many
    assert numbers.first_contact_due == 1
    assert numbers.surveys_answered == 1
