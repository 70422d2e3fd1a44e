"""Every channel adapter by the name its messages carry, and what each is like.

The core looks a channel's traits up here by the name stored with a case or a message; a name
no adapter has (a test's channel, a channel since removed) is a plain chat. A new adapter adds
itself to `ADAPTERS`."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from channels.base import ChannelTraits
from channels.console import ConsoleChannel
from channels.email.channel import EmailChannel
from channels.telegram.channel import TelegramChannel
from channels.webchat.channel import WebChatChannel
from channels.webform.channel import WebFormChannel

ADAPTERS = (ConsoleChannel, EmailChannel, TelegramChannel, WebFormChannel, WebChatChannel)
TRAITS: Mapping[str, ChannelTraits] = MappingProxyType(
    {adapter.name: adapter.traits for adapter in ADAPTERS}
)
CHAT = ChannelTraits()


def traits_of(channel: str) -> ChannelTraits:
    return TRAITS.get(channel, CHAT)


def mail_channel() -> str | None:
    """The channel that writes to a mail address a customer gives, if there is one."""
    return next((name for name, traits in TRAITS.items() if traits.mail_addresses), None)
