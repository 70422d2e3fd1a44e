"""What a handler does on the desk, each a form post with the session's CSRF token, each
through the code the CLI and the Telegram group use (bot/aftercare.py, bot/followups.py,
the intake's relay), recorded with who and when in the case's audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.followups import aftercare
from bot.web import coach, csrf
from bot.web.pages import logged_in
from bot.web.sessions import Visitor
from bot.web.state import DeskState
from common.logs import log
from storage import handlers, repo
from storage.db import transaction
from storage.models import Case, Message

MAX_TEXT = 10_000
# An agreement's date without a time is due at the end of that working day, as in the CLI.
END_OF_DAY = time(17)
Action = Callable[[AsyncSession, Case, Visitor, FormData, datetime], Awaitable[None]]


def routes(state: DeskState) -> list[Route]:
    async def away(request: Request, visitor: Visitor) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        if not csrf.form_is_ours(request, form, visitor.csrf_token):
            return Response(status_code=403)
        async with transaction(state.db) as session:
            await handlers.set_away(session, name=visitor.name, away=form.get("away") == "on")
        state.feed.wake()
        return RedirectResponse("/", status_code=303)

    async def claim(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        await aftercare.assign(session, case=case, actor=visitor.name, name=visitor.name, now=now)

    async def assign(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        if not visitor.coordinator:
            raise aftercare.CaseError("only a coordinator assigns cases to others")
        name = _text(form, "handler")
        await aftercare.assign(session, case=case, actor=visitor.name, name=name, now=now)

    async def note(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        await aftercare.note(
            session,
            case=case,
            actor=visitor.name,
            text=_required(form, "text"),
            contact=form.get("contact") == "1",
            now=now,
        )

    async def agree(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        due = _text(form, "due")
        try:
            due_at = (
                datetime.combine(
                    datetime.strptime(due, "%Y-%m-%d").date(), END_OF_DAY, state.tz
                ).astimezone(UTC)
                if due
                else None
            )
        except ValueError:
            raise aftercare.CaseError(f"not a date: {due!r}") from None
        await aftercare.agree(
            session,
            case=case,
            actor=visitor.name,
            what=_required(form, "what"),
            due_at=due_at,
            now=now,
        )

    async def resolve(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        await state.followups.resolve(
            session, case=case, actor=visitor.name, text=_text(form, "text"), now=now
        )

    async def reopen(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        await state.followups.reopen(
            session, case=case, actor=visitor.name, text=_text(form, "text"), now=now
        )

    async def reply(
        session: AsyncSession, case: Case, visitor: Visitor, form: FormData, now: datetime
    ) -> None:
        if case.status == aftercare.CLOSED:
            raise aftercare.CaseError(f"{case.number} is closed; reopen it first")
        # Kept as the handler wrote it, like a handler's mail or group reply; the customer
        # receives it through the outbox on the case's own channel.
        message = Message(
            case_id=case.id,
            customer_id=case.customer_id,
            direction="in",
            channel="desk",
            external_id=f"desk:{secrets.token_hex(8)}",
            sender=visitor.name,
            text=_required(form, "text"),
            created_at=now,
            processed_at=now,
        )
        session.add(message)
        await session.flush()
        await state.relay(session, case, visitor.name, message, now)

    def on_case(action: Action) -> Callable[[Request, Visitor], Awaitable[Response]]:
        async def post(request: Request, visitor: Visitor) -> Response:
            form = await request.form(max_files=0, max_fields=20)
            if not csrf.form_is_ours(request, form, visitor.csrf_token):
                return Response(status_code=403)
            number = request.path_params["number"]
            page = f"/cases/{number}"
            try:
                async with transaction(state.db) as session:
                    case = await repo.case_by_number(session, number=number)
                    if case is None:
                        return Response(status_code=404)
                    await action(session, case, visitor, form, state.clock())
            except aftercare.CaseError as exc:
                log.warning(
                    "web.action_refused", case=number, handler=visitor.name, reason=str(exc)
                )
                return RedirectResponse(f"{page}?problem=action_refused", status_code=303)
            state.feed.wake()
            state.wake_dispatcher()
            return RedirectResponse(page, status_code=303)

        return post

    actions: dict[str, Action] = {
        "claim": claim,
        "assign": assign,
        "note": note,
        "agree": agree,
        "resolve": resolve,
        "reopen": reopen,
        "reply": reply,
    }

    async def coach_hints(request: Request, visitor: Visitor) -> Response:
        """Hints on a draft reply while the handler types; changes nothing."""
        form = await request.form(max_files=0, max_fields=20)
        if not csrf.form_is_ours(request, form, visitor.csrf_token):
            return Response(status_code=403)
        language = state.language_of(visitor)
        found = coach.hints(_text(form, "text"), language)
        words = coach.words(language)
        return state.render("coach_hints", visitor=visitor, hints=found, c=words)

    return [
        Route("/away", logged_in(state, away), methods=["POST"]),
        Route("/cases/{number:str}/coach", logged_in(state, coach_hints), methods=["POST"]),
        *(
            Route(
                f"/cases/{{number:str}}/{name}", logged_in(state, on_case(action)), methods=["POST"]
            )
            for name, action in actions.items()
        ),
    ]


def _text(form: FormData, field: str) -> str:
    value = form.get(field, "")
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def _required(form: FormData, field: str) -> str:
    value = _text(form, field)
    if not value:
        raise aftercare.CaseError(f"{field} is empty")
    return value
