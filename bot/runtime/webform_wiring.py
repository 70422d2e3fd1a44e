"""Builds the complaint form's channel: on when the desk's web server runs and mail is set
up, since every answer to a form goes to the customer by mail."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config.settings import Settings
from channels.base import Channel
from channels.registry import mail_channel
from channels.webform.channel import WebFormChannel


def webform_channel(settings: Settings, channels: Sequence[Channel]) -> WebFormChannel | None:
    mail_name = mail_channel()
    mail = next((channel for channel in channels if channel.name == mail_name), None)
    if not (settings.webform.enabled and settings.web.enabled) or mail is None:
        return None
    return WebFormChannel(mail=mail)
