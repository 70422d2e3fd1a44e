"""The page a survey or execution-check link opens (`/survey/<signed token>`): the same
questions as by reply, answered at once; a link that was used already says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.followups import aftercare
from bot.followups.flows import RATINGS, SCORES
from bot.followups.survey_links import PATH, SurveyLinks
from bot.web import csrf
from bot.web.state import DeskState
from common.logs import log
from common.templates import environment, template
from storage import followups
from storage.db import transaction
from storage.models import Case, FollowUp

SURVEY_COOKIE = "klachtbot_survey"
COOKIE_LIFETIME = timedelta(hours=12)
SCORED = ("overall", *RATINGS)
MAX_COMMENT = 2000
# What the page sends for "no comment": the flows read it as no comment at all.
NO_COMMENT = "-"


def routes(state: DeskState, links: SurveyLinks) -> list[Route]:
    def page(language: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        words = environment().get_template(f"web/{language}/survey_words.html.j2").module
        html = template("web/survey.html.j2").render(
            w=words, organisation=state.organisation, scores=SCORES, scored=SCORED, **context
        )
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    async def open_step(token: str) -> tuple[FollowUp | None, str]:
        """The step a link names and the case's language; None for a link that is no good."""
        step_id = links.step_of(token, now=state.clock())
        async with transaction(state.db) as session:
            step = await session.get(FollowUp, step_id) if step_id is not None else None
            case = await session.get(Case, step.case_id) if step is not None else None
        if step is None or case is None or step.kind not in followups.CONVERSATIONS:
            return None, state.language
        return step, case.language

    def form(step: FollowUp, language: str, status_code: int = 200, **context: Any) -> Response:
        token = csrf.new_token()
        response = page(
            language,
            view="form",
            kind=step.kind,
            csrf_token=token,
            status_code=status_code,
            **{"values": {}, "problems": {}, **context},
        )
        state.logins.set_cookie(response, SURVEY_COOKIE, token, max_age=COOKIE_LIFETIME)
        return response

    async def show(request: Request) -> Response:
        step, language = await open_step(request.path_params["token"])
        if step is None:
            return page(language, view="invalid", status_code=404)
        if step.status != followups.SCHEDULED:
            return page(language, view="answered")
        return form(step, language)

    async def answer(request: Request) -> Response:
        step, language = await open_step(request.path_params["token"])
        if step is None:
            return page(language, view="invalid", status_code=404)
        data = await request.form(max_files=0, max_fields=12, max_part_size=16 * 1024)
        if not csrf.form_is_ours(request, data, request.cookies.get(SURVEY_COOKIE)):
            return form(step, language, refused=True, status_code=403)
        values, problems, answers = _read(step.kind, data)
        if problems:
            return form(step, language, values=values, problems=problems, status_code=422)
        async with transaction(state.db) as session:
            current = await session.get(FollowUp, step.id)
            taken = current is not None and await aftercare.answer_on_page(
                session, state.followups, step=current, answers=answers, now=state.clock()
            )
        if not taken:
            return page(language, view="answered")
        log.info("followup.answered_on_page", kind=step.kind, step=step.id)
        state.wake_dispatcher()  # the thank-you goes out now
        return page(language, view="thanks")

    return [
        Route(PATH + "{token}", show, methods=["GET"]),
        Route(PATH + "{token}", answer, methods=["POST"]),
    ]


def _read(kind: str, data: FormData) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The values given, the problem per field, and the answers in the flow's order."""

    def given(name: str, longest: int = 10) -> str:
        value = data.get(name, "")
        return value.strip()[:longest] if isinstance(value, str) else ""

    if kind == "execution_check":
        values = {"done": given("done"), "words": given("words", MAX_COMMENT)}
        problems = {}
        if values["done"] not in ("yes", "no"):
            problems["done"] = "missing_done"
        elif values["done"] == "no" and not values["words"]:
            problems["words"] = "missing_words"
        answers = [values["done"]] + ([values["words"]] if values["done"] == "no" else [])
        return values, problems, answers
    values = {name: given(name) for name in SCORED}
    values["comment"] = given("comment", MAX_COMMENT)
    problems = {name: "missing_score" for name in SCORED if values[name] not in SCORES}
    answers = [values[name] for name in SCORED] + [values["comment"] or NO_COMMENT]
    return values, problems, answers
