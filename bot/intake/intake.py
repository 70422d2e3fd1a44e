"""From a stored customer message to dialogue state and outbox rows, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import (
    Action,
    ChoicePressed,
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
from bot.followups.confirmation import link_address
from bot.followups.followups import FollowUps
from bot.handlers import chat_commands, handler_group
from bot.handlers.handler_group import HandlerGroup
from bot.handlers.summary import handoff_summary
from bot.outbound.outbound import queue_reply
from bot.reading.read_ahead import ReadAhead
from channels.base import CustomerPaused, InboundMessage
from channels.email.case_token import find_case_token as case_token_in
from channels.email.reply_token import new_reply_token, reply_tokens_in
from channels.registry import mail_channel, traits_of
from common import metrics
from common.clock import Clock
from common.logs import log
from common.templates import render
from storage import handlers, mail, outbox, privacy, repo
from storage.db import SessionFactory, transaction
from storage.memo import remembered
from storage.models import Agreement, Case, Handler, Message

# The kinds of mail from a handler's address, once taken in: relayed to the customer, or
# kept as a note because it did not prove it answers our handoff mail.
HANDLER_REPLY = "handler_reply"
HANDLER_MAIL_UNVERIFIED = "handler_mail_unverified"


def state_of(case: Case) -> DialogueState:
    """The case's conversation, told what its channel is like by the channel's traits."""
    traits = traits_of(case.channel)
    return DialogueState.from_dict(
        case.dialogue_state,
        language=case.language,
        channel=case.channel,
        whole_story=traits.whole_story,
        channel_reaches_customer=traits.reaches_customer,
    )


@dataclass(frozen=True)
class Organisation:
    """What the wiring tells every message about who is speaking."""

    name: str
    default_language: str
    emergency_phone: str
    tz: ZoneInfo
    # Handlers with an address get each handoff summary by mail and can answer it.
    handlers_by_email: bool = False
    # A Telegram group where handlers get each handoff and act on it.
    handler_group: HandlerGroup | None = None


class Intake:
    def __init__(
        self,
        *,
        sessions: SessionFactory,
        dialogue: Dialogue,
        organisation: Organisation,
        clock: Clock,
        followups: FollowUps | None = None,
        read_ahead: ReadAhead | None = None,
        erased_key: bytes | None = None,
    ) -> None:
        """`erased_key`: the key of the hashes of erased people's messages
        (storage.privacy), which are not taken in again."""
        self._sessions = sessions
        self._erased_key = erased_key
        self._dialogue = dialogue
        self._read_ahead = read_ahead
        self._org = organisation
        self._clock = clock
        self._followups = followups or FollowUps(sender=organisation)

    async def store(self, message: InboundMessage) -> int | None:
        """Keep the message before anyone acknowledges it; None if it was stored before."""
        stored = await self.store_many([message])
        return stored[0] if stored else None

    async def store_many(self, messages: Sequence[InboundMessage]) -> list[int]:
        """Keep messages before anyone acknowledges them, in one transaction; returns the ids
        of those not stored before, in order."""
        edits = [m for m in messages if m.edited]
        messages = [m for m in messages if not m.edited]
        stored = await self._store_batch(messages) if messages else []
        # After the new ones: an edit may change a message that came in the same block.
        for edit in edits:
            await self._store_edit(edit)
        return stored

    async def _store_batch(self, messages: Sequence[InboundMessage]) -> list[int]:
        try:
            async with transaction(self._sessions) as session:
                stored = await self._store_new(session, messages)
        except IntegrityError:
            if len(messages) == 1:
                raise
            # Another writer stored some of them at the same moment: one at a time, so each
            # duplicate falls out on its own.
            return [message_id for one in messages for message_id in await self._store_batch([one])]
        for message, message_id in stored:
            metrics.INBOUND.labels(message.channel).inc()
            log.info("inbound.stored", channel=message.channel, message_id=message_id)
            log.debug(
                "inbound.text", message_id=message_id, sender=message.sender, text=message.text
            )
        if len(stored) < len(messages):
            log.info("inbound.duplicate", count=len(messages) - len(stored))
        if self._read_ahead is not None:
            self._read_ahead.start(
                (message_id, message.text)
                for message, message_id in stored
                if message.kind in ("text", "media")
                and not (message.email and message.email.automated)
            )
        return [message_id for _, message_id in stored]

    async def _store_new(
        self, session: AsyncSession, messages: Sequence[InboundMessage]
    ) -> list[tuple[InboundMessage, int]]:
        now = self._clock()
        new: list[InboundMessage] = []
        by_channel: dict[str, list[InboundMessage]] = {}
        for message in messages:
            by_channel.setdefault(message.channel, []).append(message)
        for channel, group in by_channel.items():
            known = await repo.stored_keys(
                session, channel=channel, external_ids=[m.external_id for m in group]
            )
            for message in group:
                key = (message.external_id, message.sender, message.content_hash)
                if key not in known:
                    known.add(key)  # the same message twice in one block
                    new.append(message)
        new = await self._not_erased(session, new)
        if not new:
            return []
        customers = await self._customers(session, new, now)
        ids = await repo.add_inbound_many(
            session,
            messages=[
                (
                    {
                        "customer_id": customers[(m.channel, m.sender)],
                        "case_id": None,
                        "direction": "in",
                        "channel": m.channel,
                        "external_id": m.external_id,
                        "sender": m.sender,
                        "text": m.text,
                        "created_at": m.received_at,
                        "processed_at": None,
                        "subject": m.email.subject if m.email else None,
                        "thread": list(m.thread),
                        "automated": m.email.automated if m.email else None,
                        "oversized": m.oversized,
                        "kind": m.kind,
                        "edited_at": None,
                        "content_hash": m.content_hash,
                        "digested_at": None,
                        "facts": dict(m.facts),
                    },
                    None if m.raw is None else (m.raw_content_type, m.raw),
                )
                for m in new
            ],
        )
        for message, message_id in zip(new, ids, strict=True):
            for attachment in message.attachments:
                await repo.add_attachment(
                    session,
                    message_id=message_id,
                    kind=attachment.kind,
                    file_name=attachment.file_name,
                    content_type=attachment.content_type,
                    size=attachment.size,
                    data=attachment.data,
                    detail=attachment.detail,
                )
        return list(zip(new, ids, strict=True))

    async def _not_erased(
        self, session: AsyncSession, messages: list[InboundMessage]
    ) -> list[InboundMessage]:
        """Without the messages of a person who was erased: their mail may still be on the
        IMAP server, and a new UIDVALIDITY or a second reader hands it over again."""
        if self._erased_key is None or not messages:
            return messages
        key = self._erased_key
        digests = [
            privacy.erased_digest(
                key, channel=m.channel, external_id=m.external_id, sender=m.sender
            )
            for m in messages
        ]
        erased = await privacy.erased_among(session, digests=digests)
        if not erased:
            return messages
        log.info("inbound.erased_skipped", count=sum(d in erased for d in digests))
        return [m for m, digest in zip(messages, digests, strict=True) if digest not in erased]

    async def _customers(
        self, session: AsyncSession, messages: Sequence[InboundMessage], now: datetime
    ) -> dict[tuple[str, str], int]:
        """Each sender's customer id, creating a customer for a sender we do not know yet."""
        found: dict[tuple[str, str], int] = {}
        for channel in {m.channel for m in messages}:
            senders = {m.sender: m for m in messages if m.channel == channel}
            known = await repo.customers_by_address(
                session, channel=channel, addresses=list(senders)
            )
            unknown = [
                (address, m.sender_name, m.language)
                for address, m in senders.items()
                if address not in known
            ]
            if unknown:
                added = await repo.add_identities(session, channel=channel, people=unknown, now=now)
                known |= {address: identity.customer_id for address, identity in added.items()}
            found |= {(channel, address): customer for address, customer in known.items()}
        return found

    async def _store_edit(self, message: InboundMessage) -> None:
        """A customer corrected a chat message: the stored text follows, the old one is kept
        in the audit trail. The dialogue is not run again; a handler sees the edit."""
        async with transaction(self._sessions) as session:
            stored = await repo.message_by_external_id(
                session, channel=message.channel, external_id=message.external_id
            )
            if stored is None:
                log.warning("inbound.edit_of_unknown", channel=message.channel)
                return
            if stored.text == message.text:
                return
            await repo.record_audit(
                session,
                case_id=stored.case_id,
                actor="customer",
                action="message.edited",
                now=self._clock(),
                detail={"message_id": stored.id, "before": stored.text},
            )
            stored.text = message.text
            stored.edited_at = message.received_at
            session.add(stored)
        log.info("inbound.edited", channel=message.channel, message_id=stored.id)

    async def _keep_automated(self, session: AsyncSession, message: Message, now: datetime) -> None:
        """Out-of-office, bounces and bulk mail join the case they answer but never start a
        dialogue and are never answered: two robots must not talk to each other. Taken in
        in turn with the rest, so an out-of-office finds the case of a mail that came in the
        same block. A bounce counts only for a mail we sent, and joins that mail's case;
        what joins no case reaches a handler in the daily digest."""
        detail: dict[str, Any] = {"message_id": message.id}
        if message.automated == "bounce":
            sent = await mail.sent_mail(session, message_ids=message.thread)
            case = await session.get(Case, sent.case_id) if sent and sent.case_id else None
            if sent is not None:
                detail |= {"outbox_id": sent.id, "recipient": sent.recipient}
        else:
            case = await mail.case_by_thread(session, message_ids=message.thread)
        message.case_id = case.id if case else None
        message.processed_at = now
        await repo.record_audit(
            session,
            case_id=message.case_id,
            actor="mail",
            action=f"mail.{message.automated}",
            now=now,
            detail=detail,
        )

    async def pending_message_ids(self) -> list[int]:
        async with transaction(self._sessions) as session:
            return await repo.unprocessed_inbound_ids(session)

    async def process(self, message_id: int) -> datetime | None:
        """Take a stored message into its case; returns when that case wants to be woken."""
        return await self.process_many([message_id])

    async def process_many(self, message_ids: Sequence[int]) -> datetime | None:
        """Take stored messages into their cases, in order and in one transaction; returns
        the earliest moment one of those cases wants to be woken."""
        if self._read_ahead is not None:
            # Before the transaction: it would hold storage while a helper finishes.
            await self._read_ahead.settle(message_ids)
        now = self._clock()
        try:
            async with transaction(self._sessions) as session:
                messages = await repo.messages_for_update(session, message_ids=message_ids)
                await repo.preload_customers(
                    session,
                    customer_ids={m.customer_id for m in messages.values() if m.customer_id},
                )
                taken = [
                    await self._take_in(session, messages.get(message_id), now)
                    for message_id in message_ids
                ]
                cases = list({id(case): case for case in taken if case is not None}.values())
                for case in cases:
                    if case.wake_at is not None and case.wake_at <= now:
                        # Due already (a listening pause of zero): the timer loop would only
                        # add a transaction and a wait. After the whole block, so messages
                        # that came in together still make one story.
                        await self._step(session, case, TimerDue(), now)
                wakes = [case.wake_at for case in cases]
        except Exception:
            if len(message_ids) == 1:
                raise
            # One message the dialogue cannot take must not hold up the others.
            wakes = []
            for message_id in message_ids:
                try:
                    wakes.append(await self.process_many([message_id]))
                except Exception:
                    log.exception("intake.failed", message_id=message_id)
        return min((wake for wake in wakes if wake is not None), default=None)

    async def _take_in(
        self, session: AsyncSession, message: Message | None, now: datetime
    ) -> Case | None:
        """Returns the case the message joined, if it joined one."""
        if message is None or message.processed_at is not None:
            return None
        assert message.customer_id is not None
        if message.automated:
            await self._keep_automated(session, message, now)
            return None
        if await self._handler_answered(session, message, now):
            return None
        if message.kind.startswith(handler_group.KIND_PREFIX):
            if self._org.handler_group is not None:
                await handler_group.apply(
                    session, self._org.handler_group, message, now, self._relay
                )
            message.processed_at = now
            return None
        if message.kind == "command":
            await chat_commands.apply(session, message, self._org.default_language, now)
            return None
        await chat_commands.resume(session, message)
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
        mail.remember_thread(session, case_id=case.id, message=message)
        if message.facts:
            await self._take_given_facts(session, case, message, now)
        # After resolution the customer may be answering our follow-up questions.
        if not await self._followups.take_answer(session, case=case, message=message, now=now):
            await self._converse(session, case, message, now)
        if message.kind == "media":
            await self._tell_media_kept(session, case, message, now)
        if message.oversized:
            await self._tell_too_large(session, case, message, now)
        log.info("inbound.processed", message_id=message.id, case=case.number)
        return case

    async def _take_given_facts(
        self, session: AsyncSession, case: Case, message: Message, now: datetime
    ) -> None:
        """Facts given in fields of their own (a form's) are known before the story is read:
        the dialogue asks only for what is still missing. A mail from the address given
        reaches the same customer, so an answer by mail joins this case."""
        state = state_of(case)
        case.dialogue_state = replace(state, facts={**message.facts, **state.facts}).to_dict()
        address, mail_to = message.facts.get("email"), mail_channel()
        if address and mail_to is not None and mail_to != message.channel:
            await link_address(session, case=case, channel=mail_to, address=address, now=now)

    async def _converse(
        self, session: AsyncSession, case: Case, message: Message, now: datetime
    ) -> None:
        assert message.id is not None
        if message.kind == "choice":
            await self._step(session, case, ChoicePressed(message.text), now)
        elif message.kind == "text" or (message.kind == "media" and message.text.strip()):
            # A caption is the customer's words; a button we no longer offer is not.
            await self._step(session, case, CustomerMessage(message.id, message.text), now)

    async def _tell_too_large(
        self, session: AsyncSession, case: Case, message: Message, now: datetime
    ) -> None:
        state = state_of(case)
        await self._reply(
            session, case, state, Reply("mail_too_large"), f"too-large:{message.id}", now
        )

    async def _tell_media_kept(
        self, session: AsyncSession, case: Case, message: Message, now: datetime
    ) -> None:
        """A photo, file, voice note, sticker or location is on the case; say so, and say
        when a file was too large to keep."""
        assert message.id is not None
        kept = await repo.attachments_of(session, message_id=message.id)
        state = state_of(case)
        reply = Reply(
            "media_received",
            {
                "kinds": sorted({a.kind for a in kept}),
                "too_large": next((a.kind for a in kept if a.detail.get("too_large")), None),
            },
        )
        await self._reply(session, case, state, reply, f"media:{message.id}", now)

    async def _handler_answered(
        self, session: AsyncSession, message: Message, now: datetime
    ) -> bool:
        """Mail from a handler's address. Only a reply to a handoff mail we sent to that
        address (it names the mail's secret Message-ID, see `channels.email.reply_token`)
        goes to the customer, on that mail's case: a From line and a thread are no proof,
        since anyone can write the one and a customer chooses the ids in the other. Any
        other mail from the address is kept as a note for the handler and never relayed."""
        if not traits_of(message.channel).mail_addresses or not self._org.handlers_by_email:
            return False
        by_email = await remembered(
            session, "handlers_by_email", lambda: handlers.handlers_by_email(session)
        )
        handler = by_email.get(message.sender.strip().casefold())
        if handler is None:
            return False
        message.processed_at = now
        case = await mail.case_by_reply_token(
            session, tokens=reply_tokens_in(message.thread), address=message.sender
        )
        if case is None:
            await self._keep_unverified(session, handler, message, now)
        else:
            message.kind = HANDLER_REPLY
            await self._relay(session, case, handler.name, message, now)
        return True

    async def _keep_unverified(
        self, session: AsyncSession, handler: Handler, message: Message, now: datetime
    ) -> None:
        """On the case the mail refers to, if any, for a handler to read; nobody answers it
        and no agreement counts it."""
        case = await mail.case_by_thread(session, message_ids=message.thread)
        number = case_token_in(message.subject or "")
        if case is None and number:
            case = await repo.case_by_number(session, number=number)
        message.case_id = case.id if case else None
        message.kind = HANDLER_MAIL_UNVERIFIED
        await repo.record_audit(
            session,
            case_id=message.case_id,
            actor="mail",
            action="handler.mail_unverified",
            now=now,
            detail={"message_id": message.id, "handler": handler.name},
        )
        log.warning(
            "handler_mail.unverified",
            message_id=message.id,
            handler=handler.name,
            case=case.number if case else None,
        )

    async def handler_replied(
        self, session: AsyncSession, case: Case, handler_name: str, message: Message, now: datetime
    ) -> None:
        """A handler's answer written on the web desk (`message`, stored by the caller): to
        the customer by the same road as one from the Telegram group or by mail."""
        message.kind = HANDLER_REPLY
        await self._relay(session, case, handler_name, message, now)

    async def _relay(
        self, session: AsyncSession, case: Case, handler_name: str, message: Message, now: datetime
    ) -> None:
        """A handler's answer on `case` goes to the customer and is recorded."""
        message.case_id = case.id
        state = state_of(case)
        reply = Reply("handler_reply", {"text": message.text, "handler_name": handler_name})
        await self._reply(session, case, state, reply, f"handler-reply:{message.id}", now)
        for agreement in await repo.open_agreements(session, case_id=case.id or 0):
            if agreement.what == "first_contact":
                agreement.done_at = now
                session.add(agreement)
        await repo.record_audit(
            session,
            case_id=case.id,
            actor=handler_name,
            action="handler.replied",
            now=now,
            detail={"message_id": message.id},
        )

    async def _case_for(
        self, session: AsyncSession, message: Message, now: datetime
    ) -> Case | None:
        """A reply joins the case it answers (by thread, then by the case number in the
        subject) when it comes from that case's customer; otherwise the customer's open case."""
        assert message.customer_id is not None
        answered = await mail.case_by_thread(
            session, message_ids=message.thread, customer_id=message.customer_id
        )
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
        return await repo.open_case_for(session, customer_id=message.customer_id, to_step=True)

    async def customer_paused(self, event: CustomerPaused) -> datetime | None:
        async with transaction(self._sessions) as session:
            identity = await repo.identity_for(session, channel=event.channel, address=event.sender)
            if identity is None:
                return None
            case = await repo.open_case_for(
                session, customer_id=identity.customer_id, to_step=True
            )
            if case is None:
                return None
            await self._step(session, case, PauseElapsed(), event.at)
            return case.wake_at

    async def wake_due(self) -> datetime | None:
        """Give every case whose timer ran out its TimerDue; return the next timer."""
        now = self._clock()
        async with transaction(self._sessions) as session:
            due = await repo.cases_due_to_wake(session, now=now)
            await repo.preload_customers(session, customer_ids={case.customer_id for case in due})
            for case in due:
                await self._step(session, case, TimerDue(), now)
            return await repo.next_wake_at(session)

    # -- applying the dialogue's decisions ---------------------------------------------------

    async def _step(self, session: AsyncSession, case: Case, event: Event, now: datetime) -> None:
        state = state_of(case)
        new_state, actions = self._dialogue.step(state, event, now)
        metrics.DIALOGUE_STEPS.inc()
        # Set before the replies are queued: their statements then flush the case once.
        wakes = [action.at for action in actions if isinstance(action, WakeAt)]
        case.wake_at = wakes[-1] if wakes else None
        case.language = new_state.language
        case.dialogue_state = new_state.to_dict()
        for index, action in enumerate(actions):
            if not isinstance(action, WakeAt):
                await self._apply(session, case, new_state, action, index, now)
        if case.handed_off_at is not None:
            # Keep what the handler reads current: consent, additions, corrections.
            case.summary = await handoff_summary(
                session, case=case, tz=self._org.tz, language=self._org.default_language
            )
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
            handler_id = case.handler_id
            return await remembered(
                session, ("handler", handler_id), lambda: session.get(Handler, handler_id)
            )
        return await remembered(session, "assignee", lambda: handlers.assignee(session))

    async def _reply(
        self,
        session: AsyncSession,
        case: Case,
        state: DialogueState,
        action: Reply,
        key: str,
        now: datetime,
    ) -> None:
        await queue_reply(
            session,
            case=case,
            sender=self._org,
            template=action.template,
            key=key,
            now=now,
            context=action.context,
            state=state,
            handler=await self._handler(session, case),
            choices=action.choices,
        )

    async def _hand_off(
        self, session: AsyncSession, case: Case, action: HandOff, now: datetime
    ) -> None:
        handler = await self._handler(session, case)
        metrics.HANDOFFS.inc()
        case.handler_id = handler.id if handler else None
        case.status = "handed_off"
        case.handed_off_at = case.handed_off_at or now
        case.urgent = case.urgent or action.urgent
        case.first_contact_due = action.promise_at or case.first_contact_due
        case.resolution_due = action.resolve_by or case.resolution_due
        # The resolution target is kept as an agreement too, so the same watch warns and
        # escalates it.
        for what, due in (("first_contact", action.promise_at), ("resolution", action.resolve_by)):
            if due is not None:
                session.add(
                    Agreement(
                        case_id=case.id or 0,
                        what=what,
                        who=handler.name if handler else "",
                        due_at=due,
                        created_at=now,
                    )
                )
        if self._org.handlers_by_email and handler is not None and handler.email:
            await self._mail_handler(session, case, handler.email, action, now)
        if self._org.handler_group is not None:
            summary = await handoff_summary(
                session, case=case, tz=self._org.tz, language=self._org.default_language
            )
            await handler_group.post_handoff(session, self._org.handler_group, case, summary, now)
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
        assert case.id is not None
        summary = await handoff_summary(
            session, case=case, tz=self._org.tz, language=self._org.default_language
        )
        token = new_reply_token()
        mail.add_reply_token(session, token=token, case_id=case.id, address=address, now=now)
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
                "subject": render(
                    f"handler/{self._org.default_language}/subject.txt.j2",
                    case=case,
                    urgent=action.urgent,
                ),
                "sender_name": self._org.name,
                "reply_token": token,
            },
            due_at=now,
            now=now,
        )
