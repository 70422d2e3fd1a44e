"""`klachtbot handlers passwd` and `klachtbot run` serving the desk, as handlers use them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli.main import app
from bot.config.settings import load_settings
from bot.runtime.app import App
from bot.runtime.database import open_database
from bot.web.passwords import password_matches
from common.problems import StartupFailure
from storage import desk, handlers
from storage.db import session_factory, transaction
from tests.support import RecordingChannel
from tests.telegram_lab import TelegramLab
from tests.telegram_support import new_token
from tests.web.support import desk_settings

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "klachtbot.toml"
    path.write_text(
        '[[handlers]]\nname = "Sanne de Boer"\nemail = "sanne@example.nl"\n', encoding="utf-8"
    )
    monkeypatch.setenv("KLACHTBOT_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    monkeypatch.delenv("KLACHTBOT_CONFIG", raising=False)
    return path


def passwd(config: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    result = runner.invoke(app, ["--config", str(config), "handlers", "passwd", *args], input=stdin)
    return result.exit_code, result.output


async def stored_hash(config: Path, name: str) -> str | None:
    engine = await open_database(load_settings(config).database.url)
    try:
        async with transaction(session_factory(engine)) as session:
            handler = await handlers.handler_by_name(session, name=name)
            assert handler is not None
            assert handler.id is not None
            return await desk.password_hash(session, handler_id=handler.id)
    finally:
        await engine.dispose()


async def test_passwd_reads_the_password_from_stdin_and_stores_an_argon2id_hash(
    config: Path,
) -> None:
    code, output = await asyncio.to_thread(
        passwd, config, "sanne de boer", "--password-stdin", stdin="lang genoeg wachtwoord\n"
    )
    assert code == 0, output
    assert "Sanne de Boer: wachtwoord voor de klachtenbalie ingesteld" in output
    hashed = await stored_hash(config, "Sanne de Boer")
    assert hashed is not None
    assert hashed.startswith("$argon2id$")
    assert "lang genoeg" not in hashed
    assert await password_matches(hashed, "lang genoeg wachtwoord")
    assert not await password_matches(hashed, "lang genoeg wachtwoord\n")


async def test_passwd_refuses_an_unknown_name_a_short_password_and_a_missing_terminal(
    config: Path,
) -> None:
    unknown = await asyncio.to_thread(passwd, config, "Nobody", "--password-stdin", stdin="x" * 12)
    assert unknown[0] == 1
    assert "no handler named 'Nobody'" in unknown[1]
    short = await asyncio.to_thread(
        passwd, config, "Sanne de Boer", "--password-stdin", stdin="kort\n"
    )
    assert short[0] == 1
    assert "at least 8" in short[1]
    no_terminal = await asyncio.to_thread(passwd, config, "Sanne de Boer", stdin="x" * 12)
    assert no_terminal[0] == 2
    assert "--password-stdin" in no_terminal[1]
    assert await stored_hash(config, "Sanne de Boer") is None


async def test_klachtbot_run_serves_the_desk_and_stops_it_on_sigterm(
    telegram_lab: TelegramLab, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "KLACHTBOT_TELEGRAM__TOKEN": new_token(),
        "KLACHTBOT_TELEGRAM__BASE_URL": telegram_lab.base_url,
        "KLACHTBOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'klachtbot.db'}",
        "KLACHTBOT_LOG__FILE": str(tmp_path / "klachtbot.log"),
        "KLACHTBOT_WEB__LISTEN": "127.0.0.1:0",
    }
    environment.pop("KLACHTBOT_CONFIG", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    seen = b""
    try:
        assert process.stdout is not None
        async with asyncio.timeout(60):
            while (port := re.search(rb"web\.listening.*port=(\d+)", seen)) is None:
                line = await process.stdout.readline()
                assert line, seen.decode()
                seen += line
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{int(port[1])}") as client:
            login = await client.get("/login")
        assert login.status_code == 200
        assert 'name="password"' in login.text
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, (seen + output).decode()


async def test_a_taken_port_stops_the_start_naming_web_listen(
    database_url: str, engine: AsyncEngine
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        settings = desk_settings(database_url, listen=f"127.0.0.1:{port}")
        channel = RecordingChannel(name="console")
        with pytest.raises(StartupFailure) as failure:
            async with App(settings, [channel], serve_desk=True):
                pass
        assert failure.value.problem.setting == "web.listen"
        assert f"127.0.0.1:{port}" in failure.value.problem.reason
        assert not channel.started  # the web server listens before any channel starts
    finally:
        taken.close()


async def test_the_desk_is_not_served_when_switched_off(
    database_url: str, engine: AsyncEngine
) -> None:
    settings = desk_settings(database_url, enabled=False)
    async with App(settings, [], serve_desk=True) as bot:
        assert bot.desk is None
