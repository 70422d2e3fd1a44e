"""The Telegram channel: private chats with customers, one group for handlers."""

from channels.telegram.channel import TelegramChannel
from channels.telegram.limits import SendLimiter
from channels.telegram.offsets import OffsetStore

__all__ = ["OffsetStore", "SendLimiter", "TelegramChannel"]
