"""Logging in and out of the desk (`/login`, `/logout`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web import csrf
from bot.web.passwords import password_matches
from bot.web.sessions import LIFETIME, desk_role
from bot.web.state import DeskState
from common.logs import log
from storage import desk
from storage import handlers as repo
from storage.db import transaction

MAX_NAME = 200
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte of "password" is only CPU for nothing


def routes(state: DeskState) -> list[Route]:
    async def login_page(request: Request) -> Response:
        if await state.logins.visitor(request) is not None:
            return RedirectResponse("/", status_code=303)
        return _form(state, name="", problem=None, status_code=200)

    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        if not csrf.form_is_ours(request, form, request.cookies.get(csrf.LOGIN_COOKIE)):
            return _form(state, name="", problem="form_expired", status_code=403)
        name = str(form.get("name", "")).strip()[:MAX_NAME]
        password = str(form.get("password", ""))[:MAX_PASSWORD]
        client = request.client.host if request.client else "?"
        keys = (f"name:{name.casefold()}", f"client:{client}")
        if state.throttle.wait(*keys):
            log.warning("web.login_throttled", handler=name, client=client)
            return _form(state, name=name, problem="login_slowed", status_code=429)
        async with transaction(state.db) as session:
            handler = await repo.handler_by_name(session, name=name) if name else None
            stored = (
                await desk.password_hash(session, handler_id=handler.id)
                if handler is not None and handler.id is not None and desk_role(handler)
                else None
            )
        if handler is None or not await password_matches(stored, password):
            state.throttle.failed(*keys)
            log.warning("web.login_failed", handler=name, client=client)
            return _form(state, name=name, problem="login_failed", status_code=401)
        state.throttle.succeeded(keys[0])
        log.info("web.logged_in", handler=handler.name)
        response = RedirectResponse("/", status_code=303)
        await state.logins.open(handler, response)
        response.delete_cookie(csrf.LOGIN_COOKIE, path="/")
        return response

    async def logout(request: Request) -> Response:
        visitor = await state.logins.visitor(request)
        form = await request.form(max_files=0, max_fields=10)
        if visitor is None or not csrf.form_is_ours(request, form, visitor.csrf_token):
            return Response(status_code=403)
        response = RedirectResponse("/login", status_code=303)
        await state.logins.close(request, response)
        return response

    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


def _form(state: DeskState, *, name: str, problem: str | None, status_code: int) -> Response:
    token = csrf.new_token()
    response = state.render(
        "login",
        visitor=None,
        status_code=status_code,
        csrf_token=token,
        given_name=name,
        problem=problem,
    )
    state.logins.set_cookie(response, csrf.LOGIN_COOKIE, token, max_age=LIFETIME)
    return response
