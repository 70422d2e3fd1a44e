"""The complaint form as a channel: a submitted form is one whole story, from the mail
address the customer gave, and everything the bot says back goes to that address by mail.

The web page (bot/web/complaint.py) hands a filled-in form to `submit`, which returns once
the bot has stored it: only then does the page say it was received.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from channels.base import (
    Channel,
    ChannelTraits,
    DeliveryResult,
    InboundEvent,
    InboundMessage,
    NamesDeliveries,
    OutboundMessage,
)
from channels.handoff import HandOff

# A form is read as a whole; answers go by mail to the address it gave, threaded there.
TRAITS = ChannelTraits(whole_story=True, reaches_customer=True, threads=True)
# Forms waiting to be stored; past this the page asks the customer to try again shortly.
QUEUE_SIZE = 100


class WebFormChannel:
    name = "webform"
    traits = TRAITS

    def __init__(self, *, mail: Channel | None) -> None:
        """`mail`: the channel that writes to a mail address (the email channel); without
        one the bot's answers cannot reach a form's customer and fail for good."""
        self._mail = mail
        self._forms = HandOff(QUEUE_SIZE)

    async def start(self) -> None:
        """Nothing to open: forms arrive through the web server."""

    async def stop(self) -> None:
        self._forms.close()

    def inbound(self) -> AsyncIterator[InboundEvent]:
        return self._forms.events()

    async def submit(self, message: InboundMessage) -> None:
        """Returns once `message` is stored (see `HandOff.hand_in`)."""
        await self._forms.hand_in(message)

    async def acknowledge(self, message: InboundMessage) -> None:
        self._forms.stored(message)

    def new_delivery_id(self, message: OutboundMessage) -> str:
        if isinstance(self._mail, NamesDeliveries):
            return self._mail.new_delivery_id(message)
        return uuid.uuid4().hex

    async def send(self, message: OutboundMessage) -> DeliveryResult:
        if self._mail is None:
            return DeliveryResult.failed("no mail channel set up to answer forms", permanent=True)
        return await self._mail.send(message)
