import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()
FIELDS = {"language", "intent", "explicit", "category", "anger", "slots"}


def test_classify_one_text() -> None:
    result = runner.invoke(app, ["classify", "Ik wacht al vier weken op antwoord."])
    assert result.exit_code == 0, result.output
    understood = json.loads(result.output)
    assert set(understood) == FIELDS
    assert understood["language"] == "nl"
    assert understood["intent"] == "complaint"
    assert understood["explicit"] is False


def test_classify_jsonl(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"text": "I smell gas in the kitchen"}\n\n{"text": "Bedankt voor de snelle hulp!"}\n'
    )
    result = runner.invoke(app, ["classify", "--jsonl", str(source)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["intent"] for line in lines] == ["emergency", "compliment"]
    assert [line["language"] for line in lines] == ["en", "nl"]


def test_classify_rejects_a_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"tekst": "x"}\n')
    result = runner.invoke(app, ["classify", "--jsonl", str(source)])
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output
