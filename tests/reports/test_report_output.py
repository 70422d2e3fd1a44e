"""`klachtbot report` in every format over the generated history: text, JSON and CSV that
round-trip, HTML with its charts inline, and a PDF checked by its pages and text, one page
kept as a PNG under tests/output/reports/ to look at."""

import asyncio
import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, insert
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.reports import document, rows
from storage.db import SessionFactory, transaction
from storage.models import Agreement, Case, Customer, FollowUp
from tests.reports.history import seed
from tests.support import require_service

runner = CliRunner(env={"COLUMNS": "200"})
NOVEMBER = ["report", "--from", "2026-11-01", "--to", "2026-11-30"]
OUTPUT = Path(__file__).resolve().parents[1] / "output" / "reports"


@pytest.fixture
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


async def invoke(*args: str) -> Result:
    result = await asyncio.to_thread(runner.invoke, app, [*NOVEMBER, *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.usefixtures("environment")
async def test_text_json_and_csv(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await seed(session)
    text = (await invoke()).output
    # In the organisation's language (Dutch unless configured), numbers written the Dutch way.
    assert "Rapportage 2026-11-01 t/m 2026-11-30" in text
    lines = {line.strip("│ ").split("│")[0].strip(): line for line in text.splitlines()}
    assert "11" in lines["zaken ontvangen"]
    assert "8,0 uur" in lines["doorlooptijd in kantooruren, mediaan"]
    assert "uitvoering" in lines  # the spike's topic, in Dutch
    assert "complex: parkweg, amersfoort" in text
    assert "“lift staat stil”" in text

    data = json.loads((await invoke("--json")).output)
    assert data == json.loads((await invoke("--format", "json")).output)
    assert (data["from"], data["to"]) == ("2026-11-01", "2026-11-30")
    assert data["current"]["cases"] == 11
    assert data["previous"]["cases"] == 3
    assert data["current"]["handling_p90_hours"] == 12.0

    written = (await invoke("--csv")).output
    assert written == (await invoke("--format", "csv")).output
    table = list(csv.DictReader(io.StringIO(written)))
    # Round trip: every figure of the JSON is a row, in order, with its value.
    assert [(row["figure"], row["value"]) for row in table] == [
        (name, document.cell(value)) for name, value in document.flat(data)
    ]
    cells = {row["figure"]: row["value"] for row in table}
    assert cells["current.per_category.service_execution"] == "8"
    assert cells["current.survey_averages.resolved"] == "4.0"
    assert cells["previous.handling_median_hours"] == ""  # nothing resolved: empty, not "None"

    for wrong in (["--json", "--csv"], ["--format", "csv", "--json"], ["--format", "pdf"]):
        refused = await asyncio.to_thread(runner.invoke, app, [*NOVEMBER, *wrong])
        assert refused.exit_code == 2, wrong
    backwards = await asyncio.to_thread(
        runner.invoke, app, ["report", "--from", "2026-11-30", "--to", "2026-11-01"]
    )
    assert backwards.exit_code == 2


@pytest.mark.usefixtures("environment")
async def test_html_and_pdf(sessions: SessionFactory, tmp_path: Path, database_url: str) -> None:
    async with transaction(sessions) as session:
        await seed(session)
    page = tmp_path / "report.html"
    await invoke("--format", "html", "--out", str(page))
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 3  # topic, channel and kind over the weeks
    assert "<script" not in html
    assert "Klachtenrapportage 2026-11-01 t/m 2026-11-30" in html

    pdf = tmp_path / "report.pdf"
    await invoke("--format", "pdf", "--out", str(pdf))
    reader = PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 4
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Klachtenrapportage" in text
    assert "parkweg, amersfoort" in text
    assert "derde verdieping" in text
    # A4 portrait: 595 x 842 points.
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    require_service(
        shutil.which("pdftoppm") is not None,
        "pdftoppm (Debian poppler-utils) is not installed: make report-deps",
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    stem = OUTPUT / f"report-{database_url.split(':')[0].split('+')[0]}"
    command = [
        "pdftoppm",
        "-r",
        "60",
        "-png",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(pdf),
        str(stem),
    ]
    await asyncio.to_thread(subprocess.run, command, check=True, timeout=60)
    png = stem.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_a_window_with_more_cases_than_a_statement_takes_parameters(
    sessions: SessionFactory,
) -> None:
    """PostgreSQL's driver binds at most 32,767 parameters: the window's cases are a
    subquery, never a list of ids."""
    many = 40_000
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    async with transaction(sessions) as session:
        customer = Customer(created_at=t0)
        session.add(customer)
        await session.flush()
        connection = await session.connection()
        await connection.execute(
            insert(Case),
            [
                {
                    "customer_id": customer.id,
                    "channel": "email",
                    "received_at": t0,
                    "status": "open",
                    "language": "nl",
                    "anger": 0,
                    "dialogue_state": {},
                }
                for _ in range(many)
            ],
        )
        last = (await session.exec(select(func.max(Case.id)))).one()
        assert last is not None
        session.add(
            Agreement(case_id=last, what="first_contact", who="S", due_at=t0, created_at=t0)
        )
        session.add(
            FollowUp(
                case_id=last, kind="survey", status="answered", due_at=t0, overall=4, created_at=t0
            )
        )
    async with transaction(sessions) as session:
        loaded = await rows.load(session, start=t0, end=t0 + timedelta(days=1), now=t0)
    assert len(loaded.cases) == many
    assert list(loaded.first_contact) == [last]
    assert loaded.surveys[last][0].scores["overall"] == 4
