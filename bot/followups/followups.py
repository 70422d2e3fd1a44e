"""What happens after the intake, in one place the wiring hands to the intake and the CLI:
the written confirmation, and (in the modules it calls) the work after resolution.

Holds configuration only; every method takes the open session of the caller's transaction,
so a state change and the messages it causes are written together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogue import DialogueState
from bot.followups import aftercare, digest, progress
from bot.followups.confirmation import queue_confirmation
from bot.followups.survey_links import SurveyLinks
from bot.outbound.outbound import Sender
from bot.policy.calendar import Calendar
from bot.policy.deadlines import Deadlines
from storage.models import Case, FollowUp, Message


@dataclass(frozen=True)
class Timing:
    """How long after resolution each follow-up step comes
    (bot.config.settings.FollowUpSettings)."""

    execution_check_days: float = 3
    survey_days: float = 14
    reminder_days: float = 5
    warning_hours: float = 4
    digest_hour: int = 8


@dataclass(frozen=True)
class PlainSender:
    name: str = "Ons bedrijf"
    emergency_phone: str = ""
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))


@dataclass(frozen=True)
class FollowUps:
    sender: Sender = field(default_factory=PlainSender)
    calendar: Calendar = field(default_factory=Calendar)
    deadlines: Deadlines = field(default_factory=Deadlines)
    timing: Timing = field(default_factory=Timing)
    # Whether an email channel runs: only then can a chat customer get mail from us.
    email_enabled: bool = False
    # What handlers read when no case decides it (the daily digest).
    language: str = "nl"
    # Links to answer the survey and the execution check on a web page, when the bot's web
    # server has a public address.
    links: SurveyLinks | None = None

    async def confirm(
        self, session: AsyncSession, *, case: Case, state: DialogueState, now: datetime
    ) -> None:
        await queue_confirmation(
            session,
            case=case,
            state=state,
            sender=self.sender,
            calendar=self.calendar,
            email_enabled=self.email_enabled,
            now=now,
        )

    async def resolve(
        self, session: AsyncSession, *, case: Case, actor: str, text: str, now: datetime
    ) -> list[FollowUp]:
        return await aftercare.resolve(session, self, case=case, actor=actor, text=text, now=now)

    async def reopen(
        self, session: AsyncSession, *, case: Case, actor: str, text: str, now: datetime
    ) -> int:
        return await aftercare.reopen(session, self, case=case, actor=actor, text=text, now=now)

    async def take_answer(
        self, session: AsyncSession, *, case: Case, message: Message, now: datetime
    ) -> bool:
        return await aftercare.take_answer(session, self, case=case, message=message, now=now)

    async def tick(self, session: AsyncSession, *, now: datetime) -> None:
        """Timed work: deadline warnings and escalations, closing cases whose survey went
        unanswered, and the daily digest of mail kept without a case."""
        await progress.check_deadlines(session, self, now=now)
        await aftercare.close_due(session, self, now=now)
        await digest.send_when_due(session, self, now=now)
