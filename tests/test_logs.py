"""No secret in a log line: tracebacks without local variables, configured secrets hidden
wherever they turn up (also in libraries' own log records), and nothing in a line that a
terminal would act on. The webhook case runs the real channel over HTTP."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from telegram.error import InvalidToken

from bot.config.settings import secret_values
from common.logs import configure, log
from tests.mail_lab.lab import free_ports
from tests.telegram_fake import FakeBotApi
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

pytestmark = pytest.mark.usefixtures("restore_logging")


def _crash_holding(password: str) -> None:
    connection = {"host": "db.example.nl", "password": password}  # a local, as in real code
    raise RuntimeError(f"cannot reach {connection['host']}")


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_a_traceback_shows_no_local_variables(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure(level="INFO", fmt=fmt)  # no secrets registered: only the locals could leak
    password = uuid.uuid4().hex  # not in the source, which a traceback quotes
    try:
        _crash_holding(password)
    except RuntimeError:
        log.exception("storage.failed")
    written = capsys.readouterr().err
    assert "RuntimeError: cannot reach db.example.nl" in written
    assert "_crash_holding" in written  # the traceback itself is there
    assert password not in written
    if fmt == "json":
        assert "storage.failed" in json.loads(written)["event"]


def test_configured_secrets_are_hidden_in_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    token = "123456:AAH-token_value"
    configure(level="INFO", fmt="console", secrets=[token, "pg-pass word"])
    try:
        # PTB's own message when Telegram refuses a token at start.
        raise InvalidToken(f"The token `{token}` was rejected by the server.")
    except InvalidToken:
        log.exception("telegram.failed", url=f"https://api.telegram.org/bot{token}/getMe")
    # A library logging through the standard module, with the password URL-quoted.
    logging.getLogger("httpx").warning("retrying postgresql://bot:pg-pass%20word@db/klachten")
    logging.getLogger("httpx").info("below WARNING: not shown %s", token)
    written = capsys.readouterr().err
    assert token not in written
    assert "pg-pass" not in written
    assert "bot***/getMe" in written
    assert "postgresql://bot:***@db/klachten" in written
    assert "[httpx]" in written  # which library said it
    assert "below WARNING" not in written


def test_a_logged_value_cannot_command_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    configure(level="INFO", fmt="console")
    hostile = "Jan\x1b]0;pwned\x07 \x1b[8mverborgen\x1b[0m\u202e"
    log.warning("mail.refused", sender=hostile)  # a value: written as its repr
    logging.getLogger("aioimaplib").warning("server said: %s", hostile)  # as it is
    written = capsys.readouterr().err
    assert "\x1b" not in written
    assert "\u202e" not in written
    assert "server said: Jan verborgen" in written


async def test_a_crashing_webhook_update_leaks_neither_token_nor_secret(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The finding: one malformed update wrote the token and the webhook secret into the
    log (a Rich traceback with local variables). No secrets are registered with the logs
    here, so nothing but the rendering itself keeps them out."""
    token, secret = new_token(), "hook_Secret-5150"
    port = free_ports(1)[0]
    async with FakeBotApi() as api:
        settings = telegram_settings(
            database_url,
            api.base_url,
            token,
            mode="webhook",
            webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
            webhook_secret=secret,
            web={"listen": f"127.0.0.1:{port}"},
        )
        assert set(secret_values(settings)) == {token, secret}
        configure(level="DEBUG", fmt="console")
        async with RunningTelegramBot(settings):
            # A message without a date: PTB cannot read it.
            status = await api.deliver_by_webhook({"message": {"chat": "x"}}, secret=secret)
    written = capsys.readouterr().err
    assert status >= 400  # not taken in: Telegram sends it again
    assert "Traceback" in written  # the failure is in the log, with where it happened
    assert token not in written
    assert token.split(":")[1] not in written
    assert secret not in written
