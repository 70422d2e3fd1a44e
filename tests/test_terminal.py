"""Text from outside reaches the operator's terminal inertly: no Rich markup is read, no
escape sequence or control character passes, and the words themselves stay readable."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli.main import app
from bot.config.settings import Settings
from bot.runtime.app import App
from channels.base import CustomerPaused, InboundMessage
from common.terminal import InertConsole, inert, json_inert
from storage.db import SessionFactory, transaction
from storage.models import Case
from tests.support import RecordingChannel, SteppedClock

runner = CliRunner(env={"COLUMNS": "250"})

OSC_52 = "\x1b]52;c;Y3VybCBldmlsLnRlc3QgfCBzaA==\x07"  # writes the clipboard
TITLE = "\x1b]0;pwned\x1b\\"  # sets the window title
HIDDEN = "\x1b[8mhidden\x1b[0m"  # concealed text
NAME = f"Jan [/b] de Vries [link=https://evil.test]x[/link]{OSC_52}{TITLE}"
STORY = f"Mijn [bold]factuur[/bold] klopt niet.{HIDDEN} \u202eNOT\u202c :smile: \x9b2J\x07"
# What a terminal acts on: C0 but tab and newline, DEL, C1, bidi overrides and isolates.
ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_inert_removes_sequences_and_keeps_the_words() -> None:
    assert inert(NAME) == "Jan [/b] de Vries [link=https://evil.test]x[/link]"
    assert inert(STORY) == "Mijn [bold]factuur[/bold] klopt niet.hidden NOT :smile: "
    assert inert("Geachte heer,\n\tmet \u00e9\u00e9n \U0001f600") == (
        "Geachte heer,\n\tmet \u00e9\u00e9n \U0001f600"
    )
    # An OSC that is never ended swallows the rest, as the terminal would.
    assert inert("a\x1b]0;title without end") == "a"
    assert inert("over\rwrite\x08\x08") == "overwrite"


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_nothing_a_terminal_acts_on_survives(text: str) -> None:
    shown = inert(text)
    assert not ACTIVE.search(shown)
    assert inert(shown) == shown
    if text.isprintable():
        assert shown == text


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_json_stays_the_same_data_without_active_characters(text: str) -> None:
    encoded = json_inert(json.dumps({"text": text}, ensure_ascii=False))
    assert not ACTIVE.search(encoded)
    assert json.loads(encoded) == {"text": text}


def test_the_console_reads_no_markup_in_any_string() -> None:
    console = InertConsole(width=200, record=True)
    console.print(NAME)
    console.print(STORY)
    shown = console.export_text()
    assert "Jan [/b] de Vries [link=https://evil.test]x[/link]" in shown
    assert "[bold]factuur[/bold]" in shown
    assert ":smile:" in shown  # no emoji code read either
    assert not ACTIVE.search(shown)


# -- the CLI on a real case ------------------------------------------------------------------


async def klachtbot(*args: str) -> Result:
    # The CLI runs its own event loop, so it gets a thread of its own.
    return await asyncio.to_thread(runner.invoke, app, list(args))


@pytest.fixture(autouse=True)
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", database_url)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


async def test_a_hostile_customer_lists_and_shows_cleanly_and_inertly(
    database_url: str, sessions: SessionFactory
) -> None:
    clock = SteppedClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    channel = RecordingChannel()
    channel.inbox = [
        InboundMessage(
            channel="test",
            external_id="1",
            sender="jan",
            sender_name=NAME,
            text=STORY,
            received_at=clock(),
        ),
        CustomerPaused(channel="test", sender="jan", at=clock()),
    ]
    settings = Settings.model_validate({"database": {"url": database_url}})
    async with App(settings, [channel], clock=clock) as bot:
        await bot.run(stop_when_intake_ends=True)
    async with transaction(sessions) as session:
        number = (await session.exec(select(Case))).one().number or ""

    listed = await klachtbot("cases", "list")
    assert listed.exit_code == 0, listed.output
    assert "Jan [/b] de Vries [link=https://evil.test]x[/link]" in listed.output
    shown = await klachtbot("cases", "show", number)
    assert shown.exit_code == 0, shown.output
    assert "Mijn [bold]factuur[/bold] klopt niet.hidden" in shown.output
    for output in (listed.output, shown.output):
        assert not ACTIVE.search(output)
        assert "pwned" not in output
        assert "Y3VybCBldmlsLnRlc3QgfCBzaA==" not in output
