"""Complaint handlers: syncing from the configuration, routing, away, and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config.settings import HandlerSettings
from storage import handlers
from storage.db import SessionFactory, transaction
from storage.models import Handler

SANNE = HandlerSettings(name="Sanne de Boer", email="sanne@example.nl", telegram_user_id=42)
PIETER = HandlerSettings(name="Pieter Jansen", email="", role="substitute")
NOOR = HandlerSettings(name="Noor Bakker", telegram_user_id=7, role="coordinator")
TEAM = [SANNE, PIETER, NOOR]


async def sync(sessions: SessionFactory, configured: list[HandlerSettings]) -> None:
    async with transaction(sessions) as session:
        await handlers.sync_handlers(session, configured=configured)


async def by_name(sessions: SessionFactory) -> dict[str, Handler]:
    async with transaction(sessions) as session:
        return {h.name: h for h in await handlers.list_handlers(session)}


async def away(sessions: SessionFactory, name: str, flag: bool = True) -> Handler | None:
    async with transaction(sessions) as session:
        return await handlers.set_away(session, name=name, away=flag)


async def assignee(sessions: SessionFactory) -> str | None:
    async with transaction(sessions) as session:
        chosen = await handlers.assignee(session)
    return chosen.name if chosen else None


# -- sync ------------------------------------------------------------------------------------


async def test_sync_creates_rows_with_nulls_for_unset_contacts(sessions: SessionFactory) -> None:
    await sync(sessions, TEAM)
    rows = await by_name(sessions)
    assert set(rows) == {"Sanne de Boer", "Pieter Jansen", "Noor Bakker"}
    sanne, pieter = rows["Sanne de Boer"], rows["Pieter Jansen"]
    assert (sanne.role, sanne.email, sanne.telegram_user_id) == ("handler", "sanne@example.nl", 42)
    assert (pieter.role, pieter.email, pieter.telegram_user_id) == ("substitute", None, None)
    assert rows["Noor Bakker"].role == "coordinator"


async def test_sync_updates_keeps_former_and_preserves_away(sessions: SessionFactory) -> None:
    await sync(sessions, TEAM)
    await away(sessions, "Sanne de Boer")
    await away(sessions, "Noor Bakker")
    before = await by_name(sessions)

    changed = SANNE.model_copy(update={"email": "s.deboer@example.nl", "telegram_user_id": 0})
    await sync(sessions, [changed, PIETER])
    after = await by_name(sessions)

    sanne, noor = after["Sanne de Boer"], after["Noor Bakker"]
    assert sanne.id == before["Sanne de Boer"].id
    assert (sanne.email, sanne.telegram_user_id, sanne.away) == ("s.deboer@example.nl", None, True)
    assert (noor.role, noor.away) == ("former", True)
    assert list(after) == ["Pieter Jansen", "Sanne de Boer", "Noor Bakker"]  # former last

    await sync(sessions, TEAM)
    assert (await by_name(sessions))["Noor Bakker"].role == "coordinator"


async def test_sync_links_handlers_to_the_first_substitute(sessions: SessionFactory) -> None:
    second_handler = HandlerSettings(name="Ahmed Yilmaz")
    second_substitute = HandlerSettings(name="Eva Smit", role="substitute")
    await sync(sessions, [SANNE, PIETER, second_handler, second_substitute, NOOR])
    rows = await by_name(sessions)
    pieter_id = rows["Pieter Jansen"].id
    assert rows["Sanne de Boer"].substitute_id == pieter_id
    assert rows["Ahmed Yilmaz"].substitute_id == pieter_id
    assert {rows[n].substitute_id for n in ("Pieter Jansen", "Eva Smit", "Noor Bakker")} == {None}

    await sync(sessions, [SANNE, second_substitute])
    rows = await by_name(sessions)
    assert rows["Sanne de Boer"].substitute_id == rows["Eva Smit"].id

    await sync(sessions, [SANNE])
    assert (await by_name(sessions))["Sanne de Boer"].substitute_id is None


# -- routing ---------------------------------------------------------------------------------


async def test_assignee_falls_back_from_handler_to_substitute_to_coordinator(
    sessions: SessionFactory,
) -> None:
    await sync(sessions, TEAM)
    assert await assignee(sessions) == "Sanne de Boer"
    await away(sessions, "Sanne de Boer")
    assert await assignee(sessions) == "Pieter Jansen"
    await away(sessions, "Pieter Jansen")
    assert await assignee(sessions) == "Noor Bakker"
    await away(sessions, "Noor Bakker")
    assert await assignee(sessions) is None
    await away(sessions, "Pieter Jansen", flag=False)
    assert await assignee(sessions) == "Pieter Jansen"


async def test_assignee_prefers_the_linked_substitute(sessions: SessionFactory) -> None:
    later = HandlerSettings(name="Eva Smit", role="substitute")
    await sync(sessions, [later, SANNE])  # Eva gets the lower id but is not linked first
    await sync(sessions, [SANNE, PIETER, later])
    await away(sessions, "Sanne de Boer")
    assert await assignee(sessions) == "Pieter Jansen"
    await away(sessions, "Pieter Jansen")
    assert await assignee(sessions) == "Eva Smit"


async def test_assignee_skips_former_handlers_and_empty_config(sessions: SessionFactory) -> None:
    assert await assignee(sessions) is None
    await sync(sessions, TEAM)
    await sync(sessions, [NOOR])
    assert await assignee(sessions) == "Noor Bakker"


# -- away ------------------------------------------------------------------------------------


async def test_set_away_ignores_case_and_reports_unknown(sessions: SessionFactory) -> None:
    await sync(sessions, [*TEAM, HandlerSettings(name="Émile Dubois")])
    marked = await away(sessions, "  sanne DE boer ")
    assert marked is not None
    assert (marked.name, marked.away) == ("Sanne de Boer", True)
    assert (await by_name(sessions))["Sanne de Boer"].away is True
    émile = await away(sessions, "ÉMILE DUBOIS")
    assert émile is not None
    assert émile.name == "Émile Dubois"
    back = await away(sessions, "sanne de boer", flag=False)
    assert back is not None
    assert back.away is False
    assert await away(sessions, "Nobody") is None


# -- CLI -------------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "klachtbot.toml"
    path.write_text(
        "[[handlers]]\n"
        'name = "Sanne de Boer"\n'
        'email = "sanne@example.nl"\n'
        "telegram_user_id = 42\n"
        "\n"
        "[[handlers]]\n"
        'name = "Pieter Jansen"\n'
        'role = "substitute"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)
    # Rich fits tables to the terminal; a wide one keeps every cell whole for row_of().
    monkeypatch.setenv("COLUMNS", "200")
    return path


def klachtbot(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(config), "handlers", *args])
    return result.exit_code, result.output


def row_of(output: str, name: str) -> list[str]:
    line = next(line for line in output.splitlines() if name in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_cli_lists_configured_handlers(config: Path) -> None:
    code, output = klachtbot(config, "list")
    assert code == 0, output
    # In the organisation's language: Dutch unless configured.
    assert row_of(output, "Sanne de Boer") == [
        "Sanne de Boer",
        "behandelaar",
        "sanne@example.nl",
        "42",
        "nee",
        "Pieter Jansen",
    ]
    assert row_of(output, "Pieter Jansen")[1] == "vervanger"


def test_cli_marks_a_handler_away(config: Path) -> None:
    code, output = klachtbot(config, "away", "Sanne de Boer", "on")
    assert code == 0, output
    assert "Sanne de Boer: afwezig" in output
    code, output = klachtbot(config, "list")
    assert code == 0, output
    assert row_of(output, "Sanne de Boer")[4] == "ja"
    assert row_of(output, "Pieter Jansen")[4] == "nee"

    code, output = klachtbot(config, "away", "sanne de boer", "off")
    assert (code, output.strip()) == (0, "Sanne de Boer: weer aanwezig")


def test_cli_rejects_an_unknown_handler(config: Path) -> None:
    code, output = klachtbot(config, "away", "Nobody", "on")
    assert code == 1
    assert "no handler named 'Nobody'" in output
    assert "Sanne de Boer" in output
