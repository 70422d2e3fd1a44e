"""The Telegram channel over TLS, the only way production reaches the Bot API: the bot's own
client (PTB's HTTPXRequest, as `klachtbot run` builds it) against a Bot API server on
loopback with a certificate from a throwaway authority, trusted through SSL_CERT_FILE as an
operator behind an inspecting proxy or with a private CA would set it. Without that trust
the certificate is refused."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme
from telegram.error import NetworkError

from bot.runtime.telegram_wiring import telegram_bot
from storage.db import SessionFactory
from tests.telegram_fake import FakeBotApi, customer_update
from tests.telegram_support import RunningTelegramBot, new_token, telegram_settings

ANNA = 4242


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_tls(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def trusted(authority: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.mark.usefixtures("trusted")
async def test_a_conversation_runs_over_tls_with_the_ca_from_ssl_cert_file(
    server_tls: ssl.SSLContext, database_url: str, sessions: SessionFactory
) -> None:
    async with FakeBotApi(tls=server_tls) as api:
        assert api.base_url.startswith("https://")
        settings = telegram_settings(database_url, api.base_url, new_token())
        async with RunningTelegramBot(settings):
            api.push(customer_update(ANNA, 1, text="Mijn pakket is niet bezorgd, al twee weken."))
            sent = await api.wait_sent(2)
        assert [int(call.params["chat_id"]) for call in sent[:2]] == [ANNA] * 2
        assert [call.method for call in api.calls][:1] == ["getMe"]


async def test_a_certificate_the_system_does_not_trust_is_refused(
    server_tls: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    async with FakeBotApi(tls=server_tls) as api:
        settings = telegram_settings("sqlite+aiosqlite:///unused.db", api.base_url, new_token())
        with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
            async with telegram_bot(settings.telegram) as bot:  # asks getMe on entering
                pytest.fail(f"connected to an untrusted server as {bot.username}")
    assert not api.calls
