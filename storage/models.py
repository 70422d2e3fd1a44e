"""The tables. One customer can reach us through several channel identities; every
inbound and outbound message, agreement and audit event hangs off a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _at(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Customer(SQLModel, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    name: str | None = None
    language: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ChannelIdentity(SQLModel, table=True):
    """A way to reach a customer: a Telegram user id, an email address, a console name."""

    __tablename__ = "channel_identities"
    __table_args__ = (
        UniqueConstraint("channel", "address", name="uq_identity_channel_address"),
        # A customer's identities in order: the first is the one the desk's list shows.
        Index("ix_channel_identities_customer_id_id", "customer_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customers.id")
    channel: str
    address: str
    display_name: str | None = None
    # The customer asked us to stop writing (Telegram /stop) until they write again.
    paused: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Handler(SQLModel, table=True):
    __tablename__ = "handlers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str = "handler"
    email: str | None = None
    telegram_user_id: int | None = Field(default=None, sa_type=BigInteger)
    substitute_id: int | None = Field(default=None, foreign_key="handlers.id")
    away: bool = False


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    # A handler's own cases (and the unassigned ones), newest first: the desk's "mine".
    __table_args__ = (Index("ix_cases_handler_id_id", "handler_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, unique=True)
    customer_id: int = Field(foreign_key="customers.id", index=True)
    channel: str
    status: str = Field(default="open", index=True)
    intent: str | None = None
    category: str | None = None
    explicit: bool | None = None
    # Handed off as an emergency: also a complaint that reports a danger, whose intent stays
    # the complaint's so that reports count it.
    urgent: bool = False
    language: str = "nl"
    anger: int = 0
    summary: str | None = None
    dialogue_state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # When the dialogue wants to be woken (end of a listening pause, a timer).
    wake_at: datetime | None = _at(index=True)
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    acknowledged_at: datetime | None = _at()
    handed_off_at: datetime | None = _at()
    resolved_at: datetime | None = _at()
    closed_at: datetime | None = _at()
    first_contact_due: datetime | None = _at()
    resolution_due: datetime | None = _at()
    handler_id: int | None = Field(default=None, foreign_key="handlers.id")
    # A legal hold (GDPR art. 17(3)(e)): the case is needed for a legal claim, so neither an
    # erasure request nor the retention term may touch it while it is set.
    legal_hold: bool = False
    hold_reason: str | None = None
    # When the case's personal data was erased or its retention term anonymised it.
    anonymised_at: datetime | None = _at()


class RawPayload(SQLModel, table=True):
    """The bytes exactly as a channel delivered them (a whole mail, an update's JSON)."""

    __tablename__ = "raw_payloads"

    id: int | None = Field(default=None, primary_key=True)
    content_type: str
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    # A mail's Message-ID is the sender's choice, and anyone can reuse it: a message is the
    # same only with the same sender and content too (channels.base.InboundMessage).
    __table_args__ = (
        UniqueConstraint(
            "channel",
            "external_id",
            "sender",
            "content_hash",
            name="uq_message_channel_external_sender_content",
        ),
        # A case's messages in order; its newest without reading the others (PostgreSQL
        # would otherwise walk the primary key backwards looking for the case).
        Index("ix_messages_case_id_id", "case_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    customer_id: int | None = Field(default=None, foreign_key="customers.id", index=True)
    direction: str  # "in" | "out"
    channel: str
    external_id: str
    sender: str
    text: str
    raw_id: int | None = Field(default=None, foreign_key="raw_payloads.id")
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Set once the dialogue has taken the message in; unset rows are replayed on start.
    processed_at: datetime | None = _at(index=True)
    # Email: the subject, the ids this mail answers (In-Reply-To, References), and what kind
    # of automatic mail it is (auto_reply, bounce, list), if any.
    subject: str | None = None
    thread: list[str] = Field(default_factory=list, sa_type=JSON)
    automated: str | None = None
    # Over the size limit: the text is kept, the customer hears that attachments were not.
    oversized: bool = False
    # "text", or what else the customer did: "choice" (pressed a button; text is the choice),
    # "command" (/start, /stop, /taal), "media" (a photo, file, voice note, sticker, location).
    kind: str = "text"
    edited_at: datetime | None = _at()
    content_hash: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # Kept without a case (or a bounce of our mail on one): when a handler's daily digest
    # listed it.
    digested_at: datetime | None = _at()
    # Facts given in fields of their own (a web form's), by the dialogue's names for them.
    facts: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class Agreement(SQLModel, table=True):
    __tablename__ = "agreements"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    what: str
    who: str
    due_at: datetime | None = _at()
    done_at: datetime | None = _at()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # The handler was warned that due_at is near; due_at passed unmet and was escalated.
    warned_at: datetime | None = _at()
    escalated_at: datetime | None = _at()


class OutboxRow(SQLModel, table=True):
    """One message to send, now or later. The dispatcher is the only sender."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    channel: str
    recipient: str
    template: str
    body: str
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = "pending"  # pending | sending | sent | failed | cancelled
    attempts: int = 0
    last_error: str | None = None
    # The first failed send since the row was (re)queued: transient failures are retried
    # until `outbox.retry_hours` after it.
    failing_since: datetime | None = _at()
    claimed_by: str | None = None
    lease_until: datetime | None = _at()
    sent_at: datetime | None = _at()
    # The channel's id for what we sent (our Message-ID for mail): a reply is threaded by it.
    external_id: str | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class HandlerReplyToken(SQLModel, table=True):
    """The secret in the Message-ID of a handoff mail: only the handler it went to has it, so
    a reply naming it may speak to the customer (see
    `bot.intake.intake.Intake._handler_answered`)."""

    __tablename__ = "handler_reply_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    address: str  # the handler's address the mail went to, case-folded
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    actor: str
    action: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MailboxCursor(SQLModel, table=True):
    """How far a mailbox has been read; UIDs only mean something within one UIDVALIDITY."""

    __tablename__ = "mailbox_cursors"
    __table_args__ = (UniqueConstraint("account", "folder", name="uq_mailbox_account_folder"),)

    id: int | None = Field(default=None, primary_key=True)
    account: str
    folder: str
    uidvalidity: int = Field(sa_type=BigInteger)
    last_uid: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class QuarantinedMail(SQLModel, table=True):
    """A mail we could not parse: kept with its error until someone retries it."""

    __tablename__ = "quarantine"

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    source: str  # where it came from, e.g. "imap:INBOX:uidvalidity:uid"
    error: str
    raw_id: int = Field(foreign_key="raw_payloads.id")
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    retried_at: datetime | None = _at()


class FollowUp(SQLModel, table=True):
    """One step after resolution, kept until it is answered, runs out or no longer applies:
    the execution check, the satisfaction survey (its answers are stored here, per case)
    and the closing of the case."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str  # execution_check | survey | close
    status: str = "scheduled"  # scheduled | answered | done | cancelled
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # The customer's replies so far, in order: the flow is replayed from them, so a restart
    # or a second worker picks up where the conversation was.
    answers: list[str] = Field(default_factory=list, sa_type=JSON)
    outcome: str | None = None  # execution check: "yes" or "no"
    overall: int | None = None
    listened: int | None = None
    informed: int | None = None
    resolved: int | None = None
    comment: str | None = None
    answered_at: datetime | None = _at()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class TelegramOffset(SQLModel, table=True):
    """The next update a bot asks Telegram for; moved on only after the updates are stored."""

    __tablename__ = "telegram_offsets"

    bot_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    next_update_id: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Attachment(SQLModel, table=True):
    """A file, sticker or location a customer sent with a message."""

    __tablename__ = "attachments"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    kind: str  # photo | document | voice | sticker | location
    file_name: str | None = None
    content_type: str | None = None
    size: int | None = None
    # The bytes, when downloaded; None when over the size limit or not a file (a location).
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class HandlerPassword(SQLModel, table=True):
    """A handler's desk password, as an argon2id hash (`klachtbot handlers passwd`)."""

    __tablename__ = "handler_passwords"

    handler_id: int = Field(
        foreign_key="handlers.id", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    hash: str
    set_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class DeskSession(SQLModel, table=True):
    """A handler logged in on the web desk. The browser holds a random id; the table holds
    only its HMAC (`key`), so reading the table does not let anyone in."""

    __tablename__ = "desk_sessions"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    handler_id: int = Field(foreign_key="handlers.id", index=True)
    csrf_token: str
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ErasedMessage(SQLModel, table=True):
    """A keyed hash (storage.privacy.erased_digest) of a message whose person was erased: the
    intake skips it when a mailbox hands it over again. Never the Message-ID itself."""

    __tablename__ = "erased_messages"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(unique=True)
    erased_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ImprovementAction(SQLModel, table=True):
    """What the organisation changed because of complaints: the improvement cycle. The
    report counts the complaints on its topic before and after, to see whether it helped."""

    __tablename__ = "improvement_actions"

    id: int | None = Field(default=None, primary_key=True)
    what: str
    why: str = ""
    topic: str | None = None  # a category, as cases store it
    pattern: str | None = None  # what the report named, e.g. "complex: parkweg, amersfoort"
    example_cases: list[str] = Field(default_factory=list, sa_type=JSON)  # case numbers
    owner: str = ""
    due: date | None = None
    status: str = "open"  # open | done
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    done_at: datetime | None = _at()
