"""From a stored customer message to dialogue state and outbox rows, in one transaction."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.dialogue import (
    Action,
    Classify,
    CloseCase,
    CustomerMessage,
    Dialogue,
    DialogueState,
    Event,
    HandOff,
    MarkAcknowledged,
    NotifyHandler,
    PauseElapsed,
    Reply,
    SendConfirmation,
    TimerDue,
    WakeAt,
)
from bot.followups import FollowUps
from bot.logs import log
from bot.summary import handoff_summary
from bot.templates import render, render_message
from channels.base import CustomerPaused, InboundMessage
from channels.email.case_token import find_case_token as case_token_in
from storage import handlers, mail, outbox, repo
from storage.db import SessionFactory, transaction
from storage.models import Agreement, Case, Handler, Message


@dataclass(frozen=True)
class Organisation:
    """What the wiring tells every message about who is speaking."""

    name: str
    default_language: str
    emergency_phone: str
    tz: ZoneInfo
    # Handlers with an address get each handoff summary by mail and can answer it.
    handlers_by_email: bool = False


def _readable(value: str, language: str) -> str:
    """Dates the understanding found are ISO; the customer reads them as people write them."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return format_date(day, "EEEE d MMMM yyyy", locale=language)


class Intake:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        dialogue: Dialogue,
        organisation: Organisation,
        clock: Clock,
        followups: FollowUps | None = None,
    ) -> None:
        self._sessions = sessions
        self._dialogue = dialogue
        self._org = organisation
        self._clock = clock
        self._followups = followups or FollowUps(sender=organisation)

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
                subject=message.subject,
                thread=message.thread,
                automated=message.automated,
                oversized=message.oversized,
            )
            if stored is not None and message.automated:
                await self._keep_automated(session, stored, message)
        if stored is None:
            log.info("inbound.duplicate", channel=message.channel)
            return None
        log.info("inbound.stored", channel=message.channel, message_id=stored.id)
        log.debug("inbound.text", message_id=stored.id, sender=message.sender, text=message.text)
        return stored.id

    async def _keep_automated(
        self, session: AsyncSession, stored: Message, message: InboundMessage
    ) -> None:
        """Out-of-office, bounces and list mail join their case but never start a dialogue
        and are never answered: two robots must not talk to each other."""
        now = self._clock()
        case = await mail.case_by_thread(session, message_ids=message.thread)
        stored.case_id = case.id if case else None
        stored.processed_at = now
        if message.automated == "bounce" and message.bounced_address:
            bounced = await repo.identity_for(
                session, channel="email", address=message.bounced_address.lower()
            )
            if bounced is not None:
                bounced.bouncing = True
                session.add(bounced)
        await repo.record_audit(
            session,
            case_id=stored.case_id,
            actor="mail",
            action=f"mail.{message.automated}",
            now=now,
            detail={"message_id": stored.id},
        )

    async def pending_message_ids(self) -> list[int]:
        async with transaction(self._sessions) as session:
            return await repo.unprocessed_inbound_ids(session)

    async def process(self, message_id: int) -> datetime | None:
        """Take a stored message into its case; returns when that case wants to be woken."""
        now = self._clock()
        async with transaction(self._sessions) as session:
            message = await session.get(Message, message_id, with_for_update=True)
            if message is None or message.processed_at is not None:
                return None
            assert message.customer_id is not None
            if await self._handler_answered(session, message, now):
                return None
            case = await self._case_for(session, message, now)
            if case is None:
                customer = await repo.customer(session, customer_id=message.customer_id)
                language = (customer.language if customer else None) or self._org.default_language
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
            # After resolution the customer may be answering our follow-up questions.
            if not await self._followups.take_answer(
                session, case=case, message=message, now=now
            ):
                await self._step(session, case, CustomerMessage(message_id, message.text), now)
            if message.oversized:
                await self._tell_too_large(session, case, message, now)
        log.info("inbound.processed", message_id=message_id, case=case.number)
        return case.wake_at

    async def _tell_too_large(
        self, session: AsyncSession, case: Case, message: Message, now: datetime
    ) -> None:
        state = DialogueState.from_dict(
            case.dialogue_state, language=case.language, channel=case.channel
        )
        await self._reply(
            session, case, state, Reply("mail_too_large"), f"too-large:{message.id}", now
        )

    async def _handler_answered(
        self, session: AsyncSession, message: Message, now: datetime
    ) -> bool:
        """A handler's reply to a handoff mail goes to the customer through the customer's
        own channel, and is recorded on the case."""
        if message.channel != "email" or not self._org.handlers_by_email:
            return False
        handler = await handlers.handler_by_email(session, address=message.sender)
        if handler is None:
            return False
        case = await mail.case_by_thread(session, message_ids=message.thread)
        if case is None:
            return False
        message.case_id = case.id
        message.processed_at = now
        state = DialogueState.from_dict(
            case.dialogue_state, language=case.language, channel=case.channel
        )
        reply = Reply("handler_reply", {"text": message.text, "handler_name": handler.name})
        await self._reply(session, case, state, reply, f"handler-reply:{message.id}", now)
        for agreement in await repo.open_agreements(session, case_id=case.id or 0):
            if agreement.what == "first_contact":
                agreement.done_at = now
                session.add(agreement)
        await repo.record_audit(
            session,
            case_id=case.id,
            actor=handler.name,
            action="handler.replied",
            now=now,
            detail={"message_id": message.id},
        )
        return True

    async def _case_for(
        self, session: AsyncSession, message: Message, now: datetime
    ) -> Case | None:
        """A reply joins the case it answers (by thread, then by the case number in the
        subject) when it comes from that case's customer; otherwise the customer's open case."""
        assert message.customer_id is not None
        answered = await mail.case_by_thread(session, message_ids=message.thread)
        token = case_token_in(message.subject or "")
        if answered is None and token:
            answered = await repo.case_by_number(session, number=token)
        if answered is not None and answered.status not in repo.CLOSED_STATUSES:
            if answered.customer_id == message.customer_id:
                return answered
            await repo.record_audit(
                session,
                case_id=answered.id,
                actor="mail",
                action="mail.reply_from_someone_else",
                now=now,
                detail={"message_id": message.id},
            )
            return None  # a new case for this sender; the handler sees the flag on the old one
        return await repo.open_case_for(session, customer_id=message.customer_id)

    async def customer_paused(self, event: CustomerPaused) -> datetime | None:
        async with transaction(self._sessions) as session:
            identity = await repo.identity_for(session, channel=event.channel, address=event.sender)
            if identity is None:
                return None
            case = await repo.open_case_for(session, customer_id=identity.customer_id)
            if case is None:
                return None
            await self._step(session, case, PauseElapsed(), event.at)
            return case.wake_at

    async def wake_due(self) -> datetime | None:
        """Give every case whose timer ran out its TimerDue; return the next timer."""
        now = self._clock()
        async with transaction(self._sessions) as session:
            for case in await repo.cases_due_to_wake(session, now=now):
                await self._step(session, case, TimerDue(), now)
            return await repo.next_wake_at(session)

    # -- applying the dialogue's decisions ---------------------------------------------------

    async def _step(self, session: AsyncSession, case: Case, event: Event, now: datetime) -> None:
        state = DialogueState.from_dict(
            case.dialogue_state, language=case.language, channel=case.channel
        )
        new_state, actions = self._dialogue.step(state, event, now)
        case.wake_at = None
        case.language = new_state.language
        case.dialogue_state = new_state.to_dict()
        for index, action in enumerate(actions):
            await self._apply(session, case, new_state, action, index, now)
        if case.handed_off_at is not None:
            # Keep what the handler reads current: consent, additions, corrections.
            await session.flush()
            case.summary = await handoff_summary(session, case=case, tz=self._org.tz)
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
            case Reply():
                await self._reply(session, case, state, action, f"turn:{state.turn}:{index}", now)
            case WakeAt(at=at):
                case.wake_at = at
            case MarkAcknowledged():
                case.acknowledged_at = case.acknowledged_at or now
            case Classify():
                case.language = action.language
                case.intent = action.intent
                case.category = action.category
                case.explicit = action.explicit
                case.anger = action.anger
            case HandOff():
                await self._hand_off(session, case, action, now)
            case SendConfirmation():
                await self._followups.confirm(session, case=case, state=state, now=now)
            case NotifyHandler(message_id=message_id):
                await repo.record_audit(
                    session,
                    case_id=case.id,
                    actor="customer",
                    action="case.customer_added",
                    now=now,
                    detail={"message_id": message_id},
                )
            case CloseCase(reason=reason):
                case.status = "closed"
                case.closed_at = now
                await repo.record_audit(
                    session,
                    case_id=case.id,
                    actor="bot",
                    action="case.closed",
                    now=now,
                    detail={"reason": reason},
                )

    async def _handler(self, session: AsyncSession, case: Case) -> Handler | None:
        if case.handler_id is not None:
            return await session.get(Handler, case.handler_id)
        return await handlers.assignee(session)

    async def _reply(
        self,
        session: AsyncSession,
        case: Case,
        state: DialogueState,
        action: Reply,
        key: str,
        now: datetime,
    ) -> None:
        assert case.id is not None
        handler = await self._handler(session, case)
        context: dict[str, Any] = {
            "organisation": self._org.name,
            "case_number": case.number,
            "variant": zlib.crc32(f"{case.number}/{action.template}".encode()),
            "anger": state.anger,
            "category": state.category,
            "intent": state.intent,
            "language": state.language,
            "emergency_phone": self._org.emergency_phone,
            "handler_name": handler.name if handler else None,
            **action.context,
        }
        if "facts" in context:
            context["facts"] = [
                {**fact, "value": _readable(fact["value"], state.language)}
                for fact in context["facts"]
            ]
        promised = context.pop("promise_at", None)
        if isinstance(promised, datetime):
            moment = promised.astimezone(self._org.tz)
            context["promise_day"] = format_date(moment, "EEEE d MMMM", locale=state.language)
            context["promise_time"] = format_time(moment, "HH:mm", locale=state.language)
        body = render_message(state.language, action.template, **context)
        meta: dict[str, Any] = {
            "case": case.number,
            "state": state.step,
            "choices": list(action.choices),
        }
        if case.channel == "email":
            parent, references = await mail.thread_of_case(session, case=case)
            meta |= {
                "subject": render_message(state.language, "email_subject", **context),
                "sender_name": self._org.name,
                "parent_id": parent,
                "references": references,
            }
        row = await outbox.enqueue(
            session,
            idempotency_key=f"case:{case.id}:{key}",
            case_id=case.id,
            channel=case.channel,
            recipient=await repo.reply_address(session, case=case),
            template=action.template,
            body=body,
            meta=meta,
            due_at=now,
            now=now,
        )
        log.info("outbound.queued", case=case.number, outbox_id=row.id, template=action.template)

    async def _hand_off(
        self, session: AsyncSession, case: Case, action: HandOff, now: datetime
    ) -> None:
        handler = await self._handler(session, case)
        case.handler_id = handler.id if handler else None
        case.status = "handed_off"
        case.handed_off_at = case.handed_off_at or now
        case.first_contact_due = action.promise_at or case.first_contact_due
        case.resolution_due = action.resolve_by or case.resolution_due
        if action.promise_at is not None:
            session.add(
                Agreement(
                    case_id=case.id or 0,
                    what="first_contact",
                    who=handler.name if handler else "",
                    due_at=action.promise_at,
                    created_at=now,
                )
            )
        if action.resolve_by is not None:
            # Kept as an agreement too, so the same watch warns and escalates it.
            session.add(
                Agreement(
                    case_id=case.id or 0,
                    what="resolution",
                    who=handler.name if handler else "",
                    due_at=action.resolve_by,
                    created_at=now,
                )
            )
        if self._org.handlers_by_email and handler is not None and handler.email:
            await self._mail_handler(session, case, handler.email, action, now)
        await repo.record_audit(
            session,
            case_id=case.id,
            actor="bot",
            action="case.handed_off",
            now=now,
            detail={
                "urgent": action.urgent,
                "reason": action.reason,
                "handler": handler.name if handler else None,
            },
        )
        log.info(
            "case.handed_off",
            case=case.number,
            urgent=action.urgent,
            handler=handler.name if handler else None,
        )

    async def _mail_handler(
        self, session: AsyncSession, case: Case, address: str, action: HandOff, now: datetime
    ) -> None:
        await session.flush()
        summary = await handoff_summary(session, case=case, tz=self._org.tz)
        await outbox.enqueue(
            session,
            idempotency_key=f"case:{case.id}:handoff-mail:{now.isoformat()}",
            case_id=case.id,
            channel="email",
            recipient=address,
            template="handler/summary",
            body=summary,
            meta={
                "case": case.number,
                "subject": render("handler/subject.txt.j2", case=case, urgent=action.urgent),
                "sender_name": self._org.name,
            },
            due_at=now,
            now=now,
        )
