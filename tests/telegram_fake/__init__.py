"""A small Bot API server for what the emulator lacks: files, 429s, webhooks; see server.py."""

from tests.telegram_fake.server import FakeBotApi, customer_update

__all__ = ["FakeBotApi", "customer_update"]
