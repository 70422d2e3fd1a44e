"""A Telegram Bot API emulator (npm telegram-test-api) for end-to-end tests; see lab.py."""

from tests.telegram_lab.lab import TelegramLab, UserChat

__all__ = ["TelegramLab", "UserChat"]
