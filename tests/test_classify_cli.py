import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app

runner = CliRunner()
FIELDS = {
    "language",
    "intent",
    "explicit",
    "category",
    "anger",
    "danger",
    "emergency_kind",
    "confidence",
    "slots",
}


def test_classify_one_text() -> None:
    result = runner.invoke(app, ["classify", "Ik zou teruggebeld worden, maar niemand belde."])
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
    assert [line["danger"] for line in lines] == [True, False]
    assert [line["language"] for line in lines] == ["en", "nl"]


def test_classify_rejects_a_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"tekst": "x"}\n')
    result = runner.invoke(app, ["classify", "--jsonl", str(source)])
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output


def test_classify_gives_every_slot_and_the_confidence() -> None:
    text = (
        "Ik wacht al sinds vorige week dinsdag op de monteur, hij zou tussen 8 en 12 komen. "
        "Klantnummer 300219. Groet, Wim Hoekstra, Zonnebloemstraat 3, 1234 AB Amsterdam, "
        "06-41239875"
    )
    result = runner.invoke(app, ["classify", text])
    assert result.exit_code == 0, result.output
    understood = json.loads(result.output)
    assert 0 < understood["confidence"] <= 1
    assert understood["emergency_kind"] is None
    slots = understood["slots"]
    assert slots["addresses"] == ["Zonnebloemstraat 3"]
    assert slots["postcodes"] == ["1234 AB"]
    assert slots["cities"] == ["Amsterdam"]
    assert slots["customer_numbers"] == ["300219"]
    assert slots["times"] == ["tussen 8 en 12"]
    assert slots["date_mentions"] == ["vorige week dinsdag"]
    assert slots["names"] == ["Wim Hoekstra"]
    assert slots["phones"] == ["06-41239875"]


def test_classify_names_the_kind_of_danger() -> None:
    result = runner.invoke(app, ["classify", "Er stroomt water door het plafond!"])
    assert result.exit_code == 0, result.output
    understood = json.loads(result.output)
    assert (understood["intent"], understood["emergency_kind"]) == ("emergency", "water")
    assert understood["danger"] is True
    assert understood["confidence"] == 1.0
