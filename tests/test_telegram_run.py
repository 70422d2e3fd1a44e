"""`klachtbot run` with a Telegram token: the real command, as a process, against the
emulator. It answers a customer and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.telegram_lab import TelegramLab
from tests.telegram_support import new_token


async def test_klachtbot_run_serves_telegram_when_a_token_is_set(
    telegram_lab: TelegramLab, tmp_path: Path
) -> None:
    token = new_token()
    environment = {
        **os.environ,
        "KLACHTBOT_TELEGRAM__TOKEN": token,
        "KLACHTBOT_TELEGRAM__BASE_URL": telegram_lab.base_url,
        "KLACHTBOT_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'klachtbot.db'}",
        "KLACHTBOT_DIALOGUE__PAUSE_SECONDS": "0",
        "KLACHTBOT_LOG__FILE": str(tmp_path / "klachtbot.log"),
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
    try:
        customer = telegram_lab.chat(token, user_id=6161)
        await customer.say("Mijn bestelling 4471234 is al twee weken niet geleverd.")
        replies = await customer.replies(2, within=60)
        assert replies[1]["message"]["text"].count("?") == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, output.decode()
    assert b"telegram: connected" in output
