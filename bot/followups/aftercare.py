"""What handlers record on a case, and the steps after resolution.

resolve → execution check after N days → survey after D days → one reminder after R days →
the case is closed with a thank-you. Each step is an outbox row (and a follow-up record);
reopening cancels what no longer applies. A customer's answer is replayed through its flow.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.followups.flows import SCORES, Ask, CheckOutcome, SurveyOutcome, replay
from bot.outbound.outbound import queue_reply
from storage import followups, handlers, repo
from storage.models import Agreement, Case, FollowUp, Handler, Message

if TYPE_CHECKING:
    from bot.followups.followups import FollowUps

RESOLVED, HANDED_OFF, CLOSED = "resolved", "handed_off", "closed"
# Messages planned ahead for the time after resolution; cancelled when they no longer
# apply. Replies within a follow-up conversation are answers to the customer: never cancelled.
FOLLOWUP_TEMPLATES = ("execution_check", "survey", "survey_reminder")
FOLLOWUP_KINDS = ("execution_check", "survey", "close")
EXPIRED = "expired"


class CaseError(Exception):
    """A handler action that does not fit the case as it stands; the message says why."""


async def _audit(
    session: AsyncSession, case: Case, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    await repo.record_audit(
        session, case_id=case.id, actor=actor, action=action, now=now, detail=detail
    )


def _set_step(case: Case, step: str) -> None:
    # A new dict, so the JSON column sees the change.
    case.dialogue_state = {**case.dialogue_state, "step": step}


async def _made_contact(session: AsyncSession, case: Case, now: datetime) -> None:
    for agreement in await repo.open_agreements(session, case_id=case.id or 0):
        if agreement.what == "first_contact":
            agreement.done_at = now
            session.add(agreement)


# -- handler actions -------------------------------------------------------------------------


async def note(
    session: AsyncSession, *, case: Case, actor: str, text: str, contact: bool, now: datetime
) -> None:
    """A note on the case; `contact` says the handler spoke to the customer."""
    if contact:
        await _made_contact(session, case, now)
    await _audit(session, case, actor, "handler.note", now, text=text, contact=contact)


async def agree(
    session: AsyncSession,
    *,
    case: Case,
    actor: str,
    what: str,
    due_at: datetime | None,
    now: datetime,
) -> Agreement:
    """An agreement made with the customer; making one means contact was made."""
    if case.status == CLOSED:
        raise CaseError(f"{case.number} is closed; reopen it first")
    await _made_contact(session, case, now)
    agreement = Agreement(case_id=case.id or 0, what=what, who=actor, due_at=due_at, created_at=now)
    session.add(agreement)
    await _audit(
        session,
        case,
        actor,
        "handler.agreed",
        now,
        what=what,
        due_at=due_at.isoformat() if due_at else None,
    )
    return agreement


async def assign(
    session: AsyncSession, *, case: Case, actor: str, name: str, now: datetime
) -> Handler:
    handler = await handlers.handler_by_name(session, name=name)
    if handler is None or handler.role == handlers.FORMER:
        raise CaseError(f"no handler named {name!r}")
    case.handler_id = handler.id
    session.add(case)
    await _audit(session, case, actor, "case.assigned", now, handler=handler.name)
    return handler


async def resolve(
    session: AsyncSession, fu: FollowUps, *, case: Case, actor: str, text: str, now: datetime
) -> list[FollowUp]:
    """Resolved: agreements done, and the steps after resolution planned."""
    if case.status in (RESOLVED, CLOSED):
        raise CaseError(f"{case.number} is already {case.status}")
    assert case.id is not None
    case.status = RESOLVED
    case.resolved_at = now
    session.add(case)
    for agreement in await repo.open_agreements(session, case_id=case.id):
        agreement.done_at = now
        session.add(agreement)
    await _audit(session, case, actor, "case.resolved", now, text=text)
    timing, calendar = fu.timing, fu.calendar
    check_at = calendar.deliver_at(now + timedelta(days=timing.execution_check_days))
    survey_at = calendar.deliver_at(now + timedelta(days=timing.survey_days))
    reminder_at = calendar.deliver_at(survey_at + timedelta(days=timing.reminder_days))
    # Unanswered after the reminder, the case closes as long after it again.
    close_at = calendar.deliver_at(reminder_at + timedelta(days=timing.reminder_days))
    planned = []
    for kind, at in (("execution_check", check_at), ("survey", survey_at)):
        step = await followups.schedule(session, case_id=case.id, kind=kind, due_at=at, now=now)
        first = replay(kind, [])
        assert isinstance(first, Ask)
        if fu.links is not None and step.id is not None:
            link = fu.links.link(step.id, sent_at=at)
            first = replace(first, context={**first.context, "link": link})
        await _ask(session, fu, case, first, f"{kind}:{step.id}:0", at, now)
        planned.append(step)
    survey_step = planned[-1]
    await queue_reply(
        session,
        case=case,
        sender=fu.sender,
        calendar=calendar,
        template="survey_reminder",
        key=f"survey_reminder:{survey_step.id}",
        at=reminder_at,
        now=now,
        context={"survey_at": survey_at},
        choices=SCORES,
    )
    planned.append(
        await followups.schedule(session, case_id=case.id, kind="close", due_at=close_at, now=now)
    )
    return planned


async def reopen(
    session: AsyncSession, fu: FollowUps, *, case: Case, actor: str, text: str, now: datetime
) -> int:
    """Back to the handler; what was planned for after resolution is cancelled. Returns how
    many unsent messages were cancelled."""
    if case.status not in (RESOLVED, CLOSED):
        raise CaseError(f"{case.number} is {case.status}, not resolved or closed")
    assert case.id is not None
    case.status = HANDED_OFF
    case.resolved_at = None
    case.closed_at = None
    case.resolution_due = fu.deadlines.resolution_due(
        now, intent=case.intent, category=case.category, urgent=case.urgent
    )
    _set_step(case, HANDED_OFF)
    session.add(case)
    handler = await session.get(Handler, case.handler_id) if case.handler_id else None
    session.add(
        Agreement(
            case_id=case.id,
            what="resolution",
            who=handler.name if handler else "",
            due_at=case.resolution_due,
            created_at=now,
        )
    )
    cancelled = await followups.cancel_pending(
        session, case_id=case.id, templates=FOLLOWUP_TEMPLATES, kinds=FOLLOWUP_KINDS
    )
    await _audit(session, case, actor, "case.reopened", now, text=text, cancelled=cancelled)
    return cancelled


# -- the customer's side ---------------------------------------------------------------------


async def _ask(
    session: AsyncSession,
    fu: FollowUps,
    case: Case,
    ask: Ask,
    key: str,
    at: datetime,
    now: datetime,
    *,
    urgent: bool = False,
) -> None:
    await queue_reply(
        session,
        case=case,
        sender=fu.sender,
        calendar=fu.calendar,
        template=ask.template,
        key=key,
        at=at,
        now=now,
        context=ask.context,
        choices=ask.choices,
        urgent=urgent,
    )


async def take_answer(
    session: AsyncSession, fu: FollowUps, *, case: Case, message: Message, now: datetime
) -> bool:
    """If the customer is answering a question put after resolution, carry that
    conversation on and return True; otherwise leave the message to the dialogue."""
    if case.status != RESOLVED or case.id is None:
        return False
    step = await followups.asking(session, case_id=case.id, now=now)
    if step is None:
        return False
    step.answers = [*step.answers, message.text]
    session.add(step)
    where = replay(step.kind, step.answers)
    key = f"{step.kind}:{step.id}:{len(step.answers)}"
    if step.kind == "survey" and len(step.answers) == 1:
        # They are answering; a reminder would only be noise now.
        await followups.cancel_pending(
            session, case_id=case.id, templates=("survey_reminder",), kinds=()
        )
    if isinstance(where, Ask):
        # A reply in a conversation the customer is having now, not a message out of the blue.
        await _ask(session, fu, case, where, key, now, now, urgent=True)
    elif isinstance(where, CheckOutcome):
        await _checked(session, fu, case, step, where, key, now)
    else:
        await _surveyed(session, fu, case, step, where, key, now)
    return True


async def answer_on_page(
    session: AsyncSession, fu: FollowUps, *, step: FollowUp, answers: list[str], now: datetime
) -> bool:
    """The customer answered every question of `step` at once on the web page its link
    opens: the same flow as answers by reply. False when the step is no longer open (it
    was answered already, or no longer applies)."""
    case = await session.get(Case, step.case_id)
    if case is None or case.status != RESOLVED or step.status != followups.SCHEDULED:
        return False
    where = replay(step.kind, answers)
    if isinstance(where, Ask):
        return False  # not every question answered: the page names what is missing first
    step.answers = list(answers)
    session.add(step)
    key = f"{step.kind}:{step.id}:page"
    if step.kind == "survey":
        assert case.id is not None
        await followups.cancel_pending(
            session, case_id=case.id, templates=("survey_reminder",), kinds=()
        )
    if isinstance(where, CheckOutcome):
        await _checked(session, fu, case, step, where, key, now)
    else:
        await _surveyed(session, fu, case, step, where, key, now)
    return True


async def _checked(
    session: AsyncSession,
    fu: FollowUps,
    case: Case,
    step: FollowUp,
    outcome: CheckOutcome,
    key: str,
    now: datetime,
) -> None:
    step.status = followups.ANSWERED
    step.outcome = "yes" if outcome.as_agreed else "no"
    step.answered_at = now
    await _audit(
        session,
        case,
        "customer",
        "followup.execution_checked",
        now,
        **{"as_agreed": outcome.as_agreed, "words": outcome.words},
    )
    if outcome.as_agreed:
        await _ask(
            session,
            fu,
            case,
            Ask("execution_check_reply", {"step": "thanks"}),
            key,
            now,
            now,
            urgent=True,
        )
        return
    await reopen(session, fu, case=case, actor="customer", text=outcome.words, now=now)
    await _ask(
        session,
        fu,
        case,
        Ask("execution_check_reply", {"step": "reopened"}),
        key,
        now,
        now,
        urgent=True,
    )


async def _surveyed(
    session: AsyncSession,
    fu: FollowUps,
    case: Case,
    step: FollowUp,
    outcome: SurveyOutcome,
    key: str,
    now: datetime,
) -> None:
    step.status = followups.ANSWERED
    step.answered_at = now
    step.overall = outcome.overall
    step.listened = outcome.listened
    step.informed = outcome.informed
    step.resolved = outcome.resolved
    step.comment = outcome.comment
    await _audit(session, case, "customer", "followup.surveyed", now, overall=outcome.overall)
    # The customer just answered: thank them now, even late in the evening.
    await close(session, fu, case=case, actor="customer", now=now, key=key, urgent=True)


async def close(
    session: AsyncSession,
    fu: FollowUps,
    *,
    case: Case,
    actor: str,
    now: datetime,
    key: str,
    urgent: bool = False,
) -> None:
    """Close the case with a message that thanks the customer; questions still open lapse."""
    assert case.id is not None
    await followups.cancel_pending(
        session, case_id=case.id, templates=FOLLOWUP_TEMPLATES, kinds=("close",)
    )
    for step in await followups.of_case(session, case_id=case.id):
        if step.status == followups.SCHEDULED and step.kind in followups.CONVERSATIONS:
            step.status = EXPIRED  # asked, never answered
            session.add(step)
    case.status = CLOSED
    case.closed_at = now
    _set_step(case, CLOSED)
    session.add(case)
    await queue_reply(
        session,
        case=case,
        sender=fu.sender,
        calendar=fu.calendar,
        template="followup_closing",
        key=f"followup_closing:{key}",
        at=now,
        now=now,
        urgent=urgent,
    )
    await _audit(session, case, actor, "case.closed", now, reason="after follow-up")


async def close_due(session: AsyncSession, fu: FollowUps, *, now: datetime) -> int:
    """Close every resolved case whose survey went unanswered past its reminder."""
    closed = 0
    for step in await followups.due(session, kind="close", now=now):
        case = await session.get(Case, step.case_id)
        step.status = followups.DONE
        session.add(step)
        await session.flush()
        if case is None or case.status != RESOLVED:
            continue
        await close(session, fu, case=case, actor="bot", now=now, key=f"close:{step.id}")
        closed += 1
    return closed
