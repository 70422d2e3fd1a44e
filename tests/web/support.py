"""A running desk on a real database, with a bot's intake beside it, for the desk's tests."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.config.settings import Settings
from bot.runtime.app import App
from bot.web.desk import Desk
from bot.web.passwords import hash_password
from channels.base import Channel, InboundMessage
from common.clock import utc_now
from storage import desk as accounts
from storage import handlers
from storage.db import transaction
from storage.models import Case, Message
from tests.support import RecordingChannel

PASSWORD = "correct horse battery"
HANDLERS = [
    {"name": "Sanne", "email": "sanne@example.nl", "role": "handler"},
    {"name": "Carla", "email": "carla@example.nl", "role": "coordinator"},
    {"name": "Piet", "email": "piet@example.nl", "role": "substitute"},
]
_ids = itertools.count(1)
# One argon2id hash of PASSWORD for the run: hashing costs 0.2-0.4 s, and every desk sets it.
_password_hash: list[str] = []


async def password_hash() -> str:
    if not _password_hash:
        _password_hash.append(await hash_password(PASSWORD))
    return _password_hash[0]


def desk_settings(
    database_url: str,
    *,
    language: str = "nl",
    sections: Mapping[str, object] | None = None,
    team: list[dict[str, str]] = HANDLERS,
    **web: object,
) -> Settings:
    """`sections`: further settings by section (e.g. "webform", "dialogue")."""
    return Settings.model_validate(
        {
            "database": {"url": database_url},
            "organisation": {"language": language},
            "handlers": team,
            # Erasure keeps a keyed hash of erased mail addresses: it needs the key.
            "privacy": {"hash_key": "test-privacy-hash-key"},
            "web": {"listen": "127.0.0.1:0", "secret_key": "test-secret-key", **web},
            **(sections or {}),
        }
    )


@dataclass
class RunningDesk:
    app: App
    desk: Desk
    customers: RecordingChannel

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.desk.port}"

    async def customer_writes(self, text: str, *, sender: str = "anna", name: str = "") -> Case:
        """A customer's message taken in by the bot's own intake; returns its case."""
        stored = await self.app.intake.store(
            InboundMessage(
                channel="console",
                external_id=f"m{next(_ids)}",
                sender=sender,
                sender_name=name or None,
                text=text,
                received_at=utc_now(),
            )
        )
        assert stored is not None
        await self.app.intake.process(stored)
        async with transaction(self.app.sessions) as session:
            message = await session.get(Message, stored)
            assert message is not None
            assert message.case_id is not None
            case = await session.get(Case, message.case_id)
            assert case is not None
            return case


@asynccontextmanager
async def running_desk(
    database_url: str,
    *,
    language: str = "nl",
    channels: Sequence[Channel] = (),
    sections: Mapping[str, object] | None = None,
    team: list[dict[str, str]] = HANDLERS,
    **web: object,
) -> AsyncIterator[RunningDesk]:
    """The bot running (intake, dispatcher, timers) with its desk; customers write on the
    console channel, and what is sent to them is recorded there. `channels`: more of them."""
    settings = desk_settings(database_url, language=language, sections=sections, team=team, **web)
    customers = RecordingChannel(name="console")
    async with App(settings, [customers, *channels], serve_desk=True) as app:
        desk = app.desk
        assert desk is not None
        hashed = await password_hash()
        async with transaction(app.sessions) as session:
            for entry in team:
                handler = await handlers.handler_by_name(session, name=entry["name"])
                assert handler is not None
                assert handler.id is not None
                await accounts.set_password_hash(
                    session, handler_id=handler.id, hash=hashed, now=utc_now()
                )
        running = asyncio.create_task(app.run())
        try:
            yield RunningDesk(app, desk, customers)
        finally:
            app.request_stop()
            await running
