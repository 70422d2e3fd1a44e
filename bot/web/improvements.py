"""Improvement actions on the desk (coordinator): the list with each action's effect,
a form to record one, and marking one done; through storage/improvements.py and
bot/reports/improvements.py, as `klachtbot improvements add|list|done`."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.reports.document import value_labels
from bot.reports.improvements import effect
from bot.web import csrf
from bot.web.actions import MAX_TEXT
from bot.web.pages import coordinator_only
from bot.web.sessions import Visitor
from bot.web.state import DeskState
from common.logs import log
from storage import improvements as repo
from storage.db import transaction

CATEGORY = "category."


class NotAnAction(ValueError):
    """What the form asks cannot be recorded (no 'what', a date that is not one)."""


def topics(language: str) -> dict[str, str]:
    """The topics an action can be linked to, in the desk's language."""
    return {
        key.removeprefix(CATEGORY): text
        for key, text in value_labels(language).items()
        if key.startswith(CATEGORY)
    }


def _field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def routes(state: DeskState) -> list[Route]:
    named = topics(state.language)  # the keys are the same in every language

    async def listing(request: Request, visitor: Visitor) -> Response:
        now = state.clock()
        async with transaction(state.db) as session:
            shown = []
            for action in await repo.listed(session):
                before, after = await effect(session, action, now=now)
                shown.append({"action": action, "before": before, "after": after})
        return state.render(
            "improvements",
            visitor=visitor,
            away=False,
            actions=shown,
            topics=topics(state.language_of(visitor)),
            problem=bool(request.query_params.get("problem")),
        )

    async def add(request: Request, visitor: Visitor) -> Response:
        form = await request.form(max_files=0, max_fields=20)
        if not csrf.form_is_ours(request, form, visitor.csrf_token):
            return Response(status_code=403)
        try:
            what = _field(form, "what")
            if not what:
                raise NotAnAction("what is empty")
            topic = _field(form, "topic") or None
            if topic is not None and topic not in named:
                raise NotAnAction(f"no such topic: {topic!r}")
            due = _field(form, "due")
            due_date = date.fromisoformat(due) if due else None
        except ValueError as exc:
            log.warning("web.improvement_refused", handler=visitor.name, reason=str(exc))
            return RedirectResponse("/improvements?problem=1", status_code=303)
        async with transaction(state.db) as session:
            await repo.add(
                session,
                what=what,
                why=_field(form, "why"),
                topic=topic,
                pattern=_field(form, "pattern") or None,
                example_cases=_field(form, "cases").replace(",", " ").split(),
                owner=_field(form, "owner"),
                due=due_date,
                now=state.clock(),
            )
        return RedirectResponse("/improvements", status_code=303)

    async def done(request: Request, visitor: Visitor) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        if not csrf.form_is_ours(request, form, visitor.csrf_token):
            return Response(status_code=403)
        async with transaction(state.db) as session:
            found = await repo.mark_done(session, request.path_params["number"], now=state.clock())
        if not found:
            return Response(status_code=404)
        return RedirectResponse("/improvements", status_code=303)

    return [
        Route("/improvements", coordinator_only(state, listing), methods=["GET"]),
        Route("/improvements", coordinator_only(state, add), methods=["POST"]),
        Route("/improvements/{number:int}/done", coordinator_only(state, done), methods=["POST"]),
    ]
