import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config.settings import (
    Settings,
    SettingsError,
    load_settings,
    masked,
    masked_url,
    secret_values,
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_stray_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)


def test_defaults_need_no_file() -> None:
    settings = load_settings()
    assert settings.database.url == "sqlite+aiosqlite:///./var/klachtbot.db"
    assert settings.organisation.language == "nl"
    assert settings.organisation.timezone == "Europe/Amsterdam"
    assert settings.organisation.name == "Ons bedrijf"


def test_file_then_environment_with_nested_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text('[organisation]\nname = "De Linde"\n[email]\naddress = "k@example.nl"\n')
    monkeypatch.setenv("KLACHTBOT_CONFIG", str(config))
    monkeypatch.setenv("KLACHTBOT_EMAIL__PASSWORD", "geheim")
    monkeypatch.setenv("KLACHTBOT_ORGANISATION__NAME", "Uit de omgeving")
    settings = load_settings()
    assert settings.organisation.name == "Uit de omgeving"
    assert settings.email.address == "k@example.nl"
    assert settings.email.password.get_secret_value() == "geheim"
    assert masked(settings)["email"]["password"] == "(set)"


@pytest.mark.parametrize(
    ("toml", "key", "complaint"),
    [
        ("[outbox]\nretry_hours = 0\n", "outbox.retry_hours", "greater than 0"),
        ('[organisation]\ntimezone = "Mars/Olympus"\n', "organisation.timezone", "unknown time"),
        ('[email]\npasword = "x"\n', "email.pasword", "unknown setting"),
        ('[database]\nurl = "mysql://x"\n', "database.url", "must start with"),
    ],
)
def test_bad_setting_names_key(tmp_path: Path, toml: str, key: str, complaint: str) -> None:
    config = tmp_path / "klachtbot.toml"
    config.write_text(toml)
    with pytest.raises(SettingsError) as raised:
        load_settings(config)
    assert f"'{key}'" in str(raised.value)
    assert complaint in str(raised.value)


def test_cli_reports_bad_setting_with_exit_2_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KLACHTBOT_OUTBOX__RETRY_HOURS", "many")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 2
    assert "outbox.retry_hours" in result.output
    assert "Traceback" not in result.output


def test_cli_rejects_broken_toml(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("[organisation\nname=")
    result = runner.invoke(app, ["--config", str(config), "config", "show"])
    assert result.exit_code == 2
    assert "not valid TOML" in result.output


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__TOKEN", "123:very-secret")
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__MODE", "webhook")
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__WEBHOOK_URL", "https://bot.example.nl/hook")
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__WEBHOOK_SECRET", "hook-secret_42")
    monkeypatch.setenv("KLACHTBOT_EMAIL__PASSWORD", "mail-pass-7")
    monkeypatch.setenv(
        "KLACHTBOT_DATABASE__URL", "postgresql+asyncpg://bot:db-pass-9@db.example.nl:5433/klachten"
    )
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    for secret in ("very-secret", "hook-secret_42", "mail-pass-7", "db-pass-9"):
        assert secret not in result.output
    shown = json.loads(result.output)
    assert shown["telegram"]["token"] == "(set)"
    assert shown["telegram"]["webhook_secret"] == "(set)"
    assert shown["email"]["password"] == "(set)"
    assert shown["database"]["url"] == "postgresql+asyncpg://bot:***@db.example.nl:5433/klachten"


def test_config_show_says_which_secrets_are_not_set() -> None:
    shown = json.loads(runner.invoke(app, ["config", "show"]).output)
    assert shown["telegram"]["token"] == "(not set)"
    assert shown["email"]["password"] == "(not set)"
    assert shown["database"]["url"] == "sqlite+aiosqlite:///./var/klachtbot.db"


def test_secret_values_cover_every_credential_and_the_database_password() -> None:
    settings = load_settings(
        None,
        telegram={"token": "123:tok"},
        email={"password": "pw"},
        database={"url": "postgresql+asyncpg://u:dbpw@h/d?ssl=require&password=qpw"},
    )
    assert sorted(secret_values(settings)) == ["123:tok", "dbpw", "pw", "qpw"]
    assert "qpw" not in masked_url(settings.database.url)
    assert "ssl=require" in masked_url(settings.database.url)


def test_a_database_url_that_cannot_be_parsed_is_a_setting_error(tmp_path: Path) -> None:
    config = tmp_path / "klachtbot.toml"
    config.write_text('[database]\nurl = "postgresql+asyncpg://host:notaport/db"\n')
    with pytest.raises(SettingsError, match=r"'database\.url': is not a database URL"):
        load_settings(config)


def test_init_writes_an_example_that_loads_back(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "klachtbot.toml"
    assert "# klachtbot configuration" in written.read_text()
    assert load_settings(written).organisation.name == "Ons bedrijf"
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 1


def test_init_writes_a_fresh_desk_key_each_time(tmp_path: Path) -> None:
    keys = []
    for name in ("one.toml", "two.toml"):
        assert runner.invoke(app, ["init", name]).exit_code == 0
        web = load_settings(tmp_path / name).web
        assert web.enabled
        keys.append(web.secret_key.get_secret_value())
    assert len(keys[0]) >= 40
    assert keys[0] != keys[1]


def test_the_desk_is_on_unless_switched_off_and_https_makes_cookies_secure() -> None:
    assert Settings().web.enabled
    assert not Settings.model_validate({"web": {"enabled": False}}).web.enabled
    assert Settings.model_validate(
        {"web": {"public_url": "https://k.example.nl/"}}
    ).web.secure_cookies
    assert not Settings.model_validate(
        {"web": {"public_url": "http://10.0.0.2"}}
    ).web.secure_cookies
    with pytest.raises(ValidationError, match="https://"):
        Settings.model_validate({"web": {"public_url": "k.example.nl"}})


def test_telegram_webhook_mode_needs_its_url_and_a_valid_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__MODE", "webhook")
    with pytest.raises(SettingsError, match="webhook_url"):
        load_settings(None)
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__WEBHOOK_URL", "https://bot.example.nl/telegram")
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__WEBHOOK_SECRET", "not allowed!")
    with pytest.raises(SettingsError, match="webhook_secret"):
        load_settings(None)
    monkeypatch.setenv("KLACHTBOT_TELEGRAM__WEBHOOK_SECRET", "good_secret-1")
    assert load_settings(None).telegram.mode == "webhook"
    # Served as a route on the bot's one web server: it cannot be switched off then.
    monkeypatch.setenv("KLACHTBOT_WEB__ENABLED", "false")
    with pytest.raises(SettingsError, match=r"web\.enabled"):
        load_settings(None)
