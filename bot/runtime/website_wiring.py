"""Builds the channels whose wire is the desk's web server: the complaint form (on only
when mail is set up, since every answer to a form goes out by mail) and the web chat."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config.settings import Settings
from channels.base import Channel
from channels.registry import mail_channel
from channels.webchat.channel import WebChatChannel
from channels.webform.channel import WebFormChannel


def webform_channel(settings: Settings, channels: Sequence[Channel]) -> WebFormChannel | None:
    mail_name = mail_channel()
    mail = next((channel for channel in channels if channel.name == mail_name), None)
    if not (settings.webform.enabled and settings.web.enabled) or mail is None:
        return None
    return WebFormChannel(mail=mail)


def webchat_channel(settings: Settings) -> WebChatChannel | None:
    """The web chat runs on the desk's web server."""
    if not (settings.webchat.enabled and settings.web.enabled):
        return None
    return WebChatChannel()
