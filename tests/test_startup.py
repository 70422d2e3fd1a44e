"""Starting fails visibly: `klachtbot` as a process against a closed port, a database
that does not exist, a refused login (the real Dovecot lab), a refused token (the Bot API
emulator). Each is one line naming the setting, no traceback, no secret; exit code 2 when
the settings are wrong, 1 when a service the bot needs is away. A part that fails to start
leaves nothing running, and SIGINT ends `klachtbot run` cleanly, also while it starts."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bot.config.settings import Settings
from bot.reading.workers import Workers
from bot.runtime.app import App
from common.problems import Problem, StartupFailure
from tests.conftest import POSTGRES_URL
from tests.mail_lab import MailLab
from tests.mail_lab.bot_settings import INTAKE
from tests.mail_lab.lab import free_ports
from tests.support import RecordingChannel, require_service
from tests.telegram_lab import TelegramLab
from tests.telegram_support import new_token

HOST = "127.0.0.1"
DB_PASSWORD = "db-Pass-4417"


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """`klachtbot run`'s environment: a Telegram token (so `run` does not open the console
    chat) whose Bot API is a closed port unless a test says otherwise."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KLACHTBOT_") or key == "KLACHTBOT_WORKERS__PROCESSES"
    }
    env |= {
        "KLACHTBOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'klachtbot.db'}",
        "KLACHTBOT_TELEGRAM__TOKEN": new_token(),
        "KLACHTBOT_TELEGRAM__BASE_URL": f"http://{HOST}:{free_ports(1)[0]}/bot",
        "KLACHTBOT_LOG__FILE": str(tmp_path / "klachtbot.log"),
    }
    return env


async def klachtbot(
    env: dict[str, str], *args: str, cwd: Path, within: float = 60
) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=within)
    assert process.returncode is not None
    return process.returncode, output.decode()


def the_error(output: str) -> str:
    """The one error line; fails when there is none, several, or a traceback."""
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


async def test_an_unreachable_database_is_one_line_without_its_password(
    environment: dict[str, str], tmp_path: Path
) -> None:
    port = free_ports(1)[0]
    environment["KLACHTBOT_DATABASE__URL"] = (
        f"postgresql+asyncpg://klachtbot:{DB_PASSWORD}@{HOST}:{port}/klachten"
    )
    for command in (["run"], ["cases", "list"], ["db", "upgrade"]):
        code, output = await klachtbot(environment, *command, cwd=tmp_path)
        assert the_error(output) == (
            f"error: database.url: cannot connect to {HOST}:{port} (connection refused)"
        )
        assert code == 1  # the database may come back: not the settings' fault
        assert DB_PASSWORD not in output


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"database": f"klachtbot_missing_{uuid.uuid4().hex[:8]}"}, "does not exist"),
        ({"username": "nobody_here", "password": DB_PASSWORD}, 'role "nobody_here"'),
    ],
)
async def test_a_missing_database_or_refused_login_is_a_configuration_error(
    environment: dict[str, str],
    tmp_path: Path,
    postgres_database: str | None,
    change: dict[str, Any],
    reason: str,
) -> None:
    require_service(postgres_database is not None, f"PostgreSQL not reachable at {POSTGRES_URL}")
    url = make_url(POSTGRES_URL).set(**change)
    environment["KLACHTBOT_DATABASE__URL"] = url.render_as_string(hide_password=False)
    code, output = await klachtbot(environment, "run", cwd=tmp_path)
    line = the_error(output)
    assert line.startswith(f"error: database.url: PostgreSQL at {url.host}:{url.port or 5432}: ")
    assert reason in line
    assert code == 2
    assert DB_PASSWORD not in output


async def test_a_sqlite_file_that_cannot_be_opened_names_the_setting(
    environment: dict[str, str], tmp_path: Path
) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("this is not SQLite\n" * 100)
    environment["KLACHTBOT_DATABASE__URL"] = f"sqlite+aiosqlite:///{not_a_database}"
    code, output = await klachtbot(environment, "run", cwd=tmp_path)
    assert the_error(output) == (
        f"error: database.url: cannot open {not_a_database} (file is not a database)"
    )
    assert code == 2


def _mail_environment(environment: dict[str, str], lab: MailLab) -> dict[str, str]:
    del environment["KLACHTBOT_TELEGRAM__TOKEN"]
    return environment | {
        "KLACHTBOT_EMAIL__ADDRESS": INTAKE,
        "KLACHTBOT_EMAIL__IMAP_HOST": lab.imap_host,
        "KLACHTBOT_EMAIL__IMAP_PORT": str(lab.imap_port),
        "KLACHTBOT_EMAIL__IMAP_SECURITY": "none",
        "KLACHTBOT_EMAIL__SMTP_HOST": lab.smtp_host,
        "KLACHTBOT_EMAIL__SMTP_PORT": str(lab.smtp_port),
        "KLACHTBOT_EMAIL__SMTP_SECURITY": "none",
        "KLACHTBOT_EMAIL__SMTP_LOGIN": "false",
        "KLACHTBOT_EMAIL__USERNAME": INTAKE,
        "KLACHTBOT_EMAIL__PASSWORD": lab.users[INTAKE],
    }


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        (
            "PASSWORD",
            "Wrong-Mail-Pass-31",
            "error: email.password: the IMAP server refused the login (LOGIN as "
            f"{INTAKE}: NO [AUTHENTICATIONFAILED] Authentication failed.)",
        ),
        ("IMAP_SECURITY", "tls", "error: email.imap_security: TLS with 127.0.0.1:"),
        ("FOLDER", "Nergens", "error: email.folder: the IMAP server refused: SELECT Nergens: NO"),
        ("IMAP_HOST", "imap.klachtbot.invalid", "error: email.imap_host: unknown host"),
    ],
)
async def test_imap_settings_that_cannot_work_stop_the_start_with_one_line(
    environment: dict[str, str],
    tmp_path: Path,
    mail_lab: MailLab,
    setting: str,
    value: str,
    expected: str,
) -> None:
    env = _mail_environment(environment, mail_lab) | {f"KLACHTBOT_EMAIL__{setting}": value}
    code, output = await klachtbot(env, "run", cwd=tmp_path)
    assert the_error(output).startswith(expected)
    assert code == 2
    assert "Wrong-Mail-Pass-31" not in output
    assert mail_lab.users[INTAKE] not in output


async def test_a_refused_telegram_token_is_one_line_without_the_token(
    environment: dict[str, str], tmp_path: Path, telegram_lab: TelegramLab
) -> None:
    token = environment["KLACHTBOT_TELEGRAM__TOKEN"]
    environment["KLACHTBOT_TELEGRAM__BASE_URL"] = telegram_lab.base_url
    await telegram_lab.revoke(token)
    code, output = await klachtbot(environment, "run", cwd=tmp_path)
    assert the_error(output) == (
        "error: telegram.token: Telegram refused the token (wrong or revoked)"
    )
    assert code == 2
    assert token.split(":")[1] not in output  # neither in the error nor in the log lines


# -- nothing left running ----------------------------------------------------------------------


class FailingChannel(RecordingChannel):
    """Starts after storage and the helpers are up, then fails as a real channel would."""

    def __init__(self, app: list[App]) -> None:
        super().__init__(name="failing")
        self._app = app
        self.disposed = asyncio.Event()

    async def start(self) -> None:
        engine = self._app[0]._engine
        assert engine is not None
        event.listen(engine.sync_engine, "engine_disposed", lambda *_: self.disposed.set())
        raise StartupFailure(Problem("email.password", "the IMAP server refused the login"))


async def test_a_channel_that_fails_to_start_leaves_nothing_running(database_url: str) -> None:
    before = asyncio.all_tasks()
    started = RecordingChannel(name="first")
    app: list[App] = []
    failing = FailingChannel(app)
    workers = Workers(1)  # a real helper process
    app.append(
        App(
            Settings.model_validate({"database": {"url": database_url}}),
            [started, failing],
            workers=workers,
        )
    )
    with pytest.raises(StartupFailure, match=r"email\.password"):
        async with app[0]:
            pytest.fail("the app must not run")
    assert started.started
    assert started.stopped  # the channel started before the failing one is stopped again
    assert not failing.stopped  # the failing one cleans up after itself
    assert failing.disposed.is_set()  # storage closed
    assert not workers.elsewhere  # helper pool shut down
    assert not multiprocessing.active_children()
    assert asyncio.all_tasks() == before  # no task left behind


# -- SIGINT ------------------------------------------------------------------------------------


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never says a word: a start that hangs."""
    connections: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept, HOST, 0)
    yield int(server.sockets[0].getsockname()[1])
    for writer in connections:
        writer.close()
    server.close()
    await server.wait_closed()


async def _run_until(env: dict[str, str], cwd: Path, text: str) -> asyncio.subprocess.Process:
    """`klachtbot run` started; returns once its output shows `text`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    seen = b""
    async with asyncio.timeout(60):
        while text.encode() not in seen:
            line = await process.stdout.readline()
            assert line, seen.decode()
            seen += line
    return process


@pytest.mark.parametrize("moment", ["running", "starting"])
async def test_sigint_ends_klachtbot_run_cleanly(
    environment: dict[str, str],
    tmp_path: Path,
    telegram_lab: TelegramLab,
    silent_server: int,
    moment: str,
) -> None:
    environment["KLACHTBOT_TELEGRAM__BASE_URL"] = telegram_lab.base_url
    if moment == "starting":
        # The mailbox never answers: the start waits for the IMAP greeting.
        environment |= {
            "KLACHTBOT_EMAIL__ADDRESS": INTAKE,
            "KLACHTBOT_EMAIL__IMAP_HOST": HOST,
            "KLACHTBOT_EMAIL__IMAP_PORT": str(silent_server),
            "KLACHTBOT_EMAIL__IMAP_SECURITY": "none",
            "KLACHTBOT_EMAIL__SMTP_HOST": HOST,
            "KLACHTBOT_EMAIL__SMTP_PORT": str(silent_server),
        }
        process = await _run_until(environment, tmp_path, "app.warmed_up")
    else:
        process = await _run_until(environment, tmp_path, "telegram: connected")
    process.send_signal(signal.SIGINT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=20)
    text = output.decode()
    assert process.returncode == 0, text
    assert "Traceback" not in text
    assert "KeyboardInterrupt" not in text
    assert "CancelledError" not in text
