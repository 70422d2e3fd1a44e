"""What a customer's chat command does: /start greets, /stop pauses everything we would
send, /taal nl|en switches language. Each answer is an outbox row like any other reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from common.logs import log
from common.templates import render
from storage import outbox, repo
from storage.models import Message

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class Command:
    name: str
    argument: str = ""


def parse(text: str) -> Command:
    """ "/taal@KlachtBot en" gives Command("taal", "en"); a bot's @name is dropped."""
    head, _, rest = text.strip().partition(" ")
    name = head.removeprefix("/").split("@", 1)[0].lower()
    return Command(name, rest.strip().lower())


async def resume(session: AsyncSession, message: Message) -> None:
    """A customer who writes again after /stop wants to hear from us again."""
    identity = await repo.identity_for(session, channel=message.channel, address=message.sender)
    if identity is not None and identity.paused:
        identity.paused = False
        session.add(identity)


async def apply(
    session: AsyncSession, message: Message, default_language: str, now: datetime
) -> None:
    assert message.customer_id is not None
    message.processed_at = now
    command = parse(message.text)
    identity = await repo.identity_for(session, channel=message.channel, address=message.sender)
    customer = await repo.customer(session, customer_id=message.customer_id)
    language = (customer.language if customer else None) or default_language
    case = await repo.open_case_for(session, customer_id=message.customer_id)
    message.case_id = case.id if case else None
    context: dict[str, object] = {}
    match command.name:
        case "start":
            template = "start"
            if identity is not None:
                identity.paused = False
        case "stop":
            template = "stop"
            if identity is not None:
                identity.paused = True
            await outbox.cancel_pending(session, channel=message.channel, recipient=message.sender)
        case "taal" | "language" if command.argument in LANGUAGES:
            template = "language_set"
            language = command.argument
            if customer is not None:
                customer.language = language
                session.add(customer)
            if case is not None:
                case.language = language
                case.dialogue_state = {**case.dialogue_state, "language": language}
                session.add(case)
        case "taal" | "language":
            template = "language_options"
        case _:
            template = "unknown_command"
            context = {"command": "/" + command.name}
    if identity is not None:
        session.add(identity)
    await repo.record_audit(
        session,
        case_id=message.case_id,
        actor="customer",
        action=f"command.{command.name}",
        now=now,
        detail={"message_id": message.id, "argument": command.argument},
    )
    await outbox.enqueue(
        session,
        idempotency_key=f"command:{message.id}",
        case_id=message.case_id,
        channel=message.channel,
        recipient=message.sender,
        template=f"chat/{template}",
        body=render(f"chat/{language}/{template}.txt.j2", **context),
        meta={"case": case.number if case else None, "language": language},
        due_at=now,
        now=now,
    )
    log.info("command.applied", command=command.name, channel=message.channel)
