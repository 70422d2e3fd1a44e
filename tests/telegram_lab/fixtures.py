"""The `telegram_lab` pytest fixture: one emulator for the whole test session. Tests keep
apart by using their own bot token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import require_service
from tests.telegram_lab.lab import TelegramLab, emulator_installed


@pytest.fixture(scope="session")
def telegram_lab() -> Iterator[TelegramLab]:
    require_service(
        emulator_installed(),
        "telegram-test-api not installed: npm ci --prefix tests/telegram_lab (needs node, npm)",
    )
    with TelegramLab() as lab:
        yield lab
