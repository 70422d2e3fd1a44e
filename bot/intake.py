"""From a stored customer message to dialogue state and outbox rows, in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.dialogue import (
    Action,
    CustomerMessage,
    Dialogue,
    DialogueState,
    Event,
    MarkAcknowledged,
    PauseElapsed,
    Reply,
    WakeAt,
)
from bot.logs import log
from bot.templates import render_message
from channels.base import CustomerPaused, InboundMessage
from storage import outbox, repo
from storage.db import SessionFactory, transaction
from storage.models import Case, Message


class Intake:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        dialogue: Dialogue,
        organisation: str,
        default_language: str,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._dialogue = dialogue
        self._organisation = organisation
        self._default_language = default_language
        self._clock = clock

    async def store(self, message: InboundMessage) -> int | None:
        """Keep the message before anyone acknowledges it; None if it was stored before."""
        async with transaction(self._sessions) as session:
            identity = await repo.get_or_create_identity(
                session,
                channel=message.channel,
                address=message.sender,
                display_name=message.sender_name,
                language=message.language,
                now=self._clock(),
            )
            stored = await repo.add_inbound(
                session,
                customer_id=identity.customer_id,
                channel=message.channel,
                external_id=message.external_id,
                sender=message.sender,
                text=message.text,
                raw=message.raw,
                raw_content_type=message.raw_content_type,
                received_at=message.received_at,
            )
        if stored is None:
            log.info("inbound.duplicate", channel=message.channel)
            return None
        log.info("inbound.stored", channel=message.channel, message_id=stored.id)
        log.debug("inbound.text", message_id=stored.id, sender=message.sender, text=message.text)
        return stored.id

    async def pending_message_ids(self) -> list[int]:
        async with transaction(self._sessions) as session:
            return await repo.unprocessed_inbound_ids(session)

    async def process(self, message_id: int) -> None:
        now = self._clock()
        async with transaction(self._sessions) as session:
            message = await session.get(Message, message_id, with_for_update=True)
            if message is None or message.processed_at is not None:
                return
            assert message.customer_id is not None
            case = await repo.open_case_for(session, customer_id=message.customer_id)
            if case is None:
                customer = await repo.customer(session, customer_id=message.customer_id)
                language = (customer.language if customer else None) or self._default_language
                case = await repo.create_case(
                    session,
                    customer_id=message.customer_id,
                    channel=message.channel,
                    language=language,
                    now=message.created_at,
                )
                await repo.record_audit(
                    session, case_id=case.id, actor="bot", action="case.created", now=now
                )
            message.case_id = case.id
            message.processed_at = now
            await self._step(session, case, CustomerMessage(message_id, message.text), now)
        log.info("inbound.processed", message_id=message_id, case=case.number)

    async def customer_paused(self, event: CustomerPaused) -> None:
        async with transaction(self._sessions) as session:
            identity = await repo.identity_for(session, channel=event.channel, address=event.sender)
            if identity is None:
                return
            case = await repo.open_case_for(session, customer_id=identity.customer_id)
            if case is not None:
                await self._step(session, case, PauseElapsed(), event.at)

    async def wake_due(self) -> datetime | None:
        """Give every case whose timer ran out its PauseElapsed; return the next timer."""
        now = self._clock()
        async with transaction(self._sessions) as session:
            for case in await repo.cases_due_to_wake(session, now=now):
                await self._step(session, case, PauseElapsed(), now)
            return await repo.next_wake_at(session)

    async def _step(self, session: AsyncSession, case: Case, event: Event, now: datetime) -> None:
        state = DialogueState.from_dict(case.dialogue_state, language=case.language)
        new_state, actions = self._dialogue.step(state, event, now)
        case.wake_at = None
        for index, action in enumerate(actions):
            await self._apply(session, case, new_state, action, index, now)
        case.dialogue_state = new_state.to_dict()
        session.add(case)

    async def _apply(
        self,
        session: AsyncSession,
        case: Case,
        state: DialogueState,
        action: Action,
        index: int,
        now: datetime,
    ) -> None:
        assert case.id is not None
        match action:
            case Reply(template=template, context=context, choices=choices):
                body = render_message(
                    state.language,
                    template,
                    organisation=self._organisation,
                    case_number=case.number,
                    **context,
                )
                row = await outbox.enqueue(
                    session,
                    idempotency_key=f"case:{case.id}:turn:{state.turn}:{index}",
                    case_id=case.id,
                    channel=case.channel,
                    recipient=await repo.reply_address(session, case=case),
                    template=template,
                    body=body,
                    meta={"case": case.number, "state": state.step, "choices": list(choices)},
                    due_at=now,
                    now=now,
                )
                log.info("outbound.queued", case=case.number, outbox_id=row.id, template=template)
            case WakeAt(at=at):
                case.wake_at = at
            case MarkAcknowledged():
                case.acknowledged_at = case.acknowledged_at or now
