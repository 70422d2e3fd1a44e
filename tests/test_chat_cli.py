"""`klachtbot chat --script … --json` as a program would drive it, in a real subprocess.
What the conversations say is tested in this process: tests/test_conversations.py."""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture(autouse=True)
def _empty_database(engine: AsyncEngine) -> None:
    """Each test starts from a migrated, empty database (PostgreSQL is shared by the run)."""


def klachtbot(
    tmp_path: Path, database_url: str, *args: str, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KLACHTBOT_DATABASE__URL": database_url,
        "KLACHTBOT_LOG__FILE": str(tmp_path / "klachtbot.log"),
        # These runs use the real clock: without this, quiet hours would hold the written
        # confirmation back depending on the time of day the tests run.
        "KLACHTBOT_CALENDAR__QUIET_HOURS": "",
        **extra_env,
    }
    env.pop("KLACHTBOT_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(
        "Ik zou teruggebeld worden over mijn lekkage.\n"
        "Dat is nu al twee keer niet gebeurd.\n"
        "~pause\n"
        "Mijn nummer is 06-12345678.\n",
        encoding="utf-8",
    )
    return path


def test_scripted_chat_prints_one_json_object_per_reply(
    tmp_path: Path, database_url: str, script: Path
) -> None:
    result = klachtbot(tmp_path, database_url, "chat", "--script", str(script), "--json")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) >= 3  # acknowledgement, a question, the next question
    for reply in replies:
        assert set(reply) == {"case", "state", "text", "choices"}
        assert reply["case"] == replies[0]["case"]
    assert replies[0]["case"].startswith("K-")
    assert re.search(r"\bu\b", replies[0]["text"])  # Dutch by default, formal

    listed = klachtbot(tmp_path, database_url, "cases", "list")
    assert listed.returncode == 0, listed.stderr
    assert replies[0]["case"] in listed.stdout
    shown = klachtbot(tmp_path, database_url, "cases", "show", replies[0]["case"])
    assert shown.returncode == 0, shown.stderr
    assert "Ik zou teruggebeld worden over mijn lekkage." in shown.stdout


def test_a_scripted_chat_reads_as_a_dialogue_at_the_terminal_width(
    tmp_path: Path, database_url: str, script: Path
) -> None:
    result = klachtbot(tmp_path, database_url, "chat", "--script", str(script), COLUMNS="50")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 50 for line in lines), result.stdout
    turns = [line for line in lines if line.startswith(("u: ", "Ons bedrijf: "))]
    speakers = [line.split(":", 1)[0] for line in turns]
    # Every other line continues a turn, indented under it (or is the welcome or blank).
    first_turn = lines.index(turns[0])
    assert all(not line or line.startswith("  ") or line in turns for line in lines[first_turn:])
    # Who speaks, in order: the customer's lines marked "u", the bot's with the name.
    assert speakers[0] == "u"
    assert turns[0] == "u: Ik zou teruggebeld worden over mijn lekkage."
    assert "Ons bedrijf" in speakers
    assert speakers.count("u") == 3
    assert speakers.index("Ons bedrijf") < speakers.index("u", 2)


def test_missing_script_is_a_clear_error(tmp_path: Path, database_url: str) -> None:
    result = klachtbot(tmp_path, database_url, "chat", "--script", "nope.txt")
    assert result.returncode == 2
    assert "nope.txt" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_an_open_chat_cleanly(tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "KLACHTBOT_DATABASE__URL": database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--json"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write("De lift is weer kapot.\n\n")
    process.stdin.flush()
    reply = json.loads(process.stdout.readline())  # the bot is up and has answered
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert reply["case"].startswith("K-")
    process.stdin.close()
    process.stdout.close()
