"""What a handler does on the desk: each a form post with the session's CSRF token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web import csrf
from bot.web.pages import logged_in
from bot.web.sessions import Visitor
from bot.web.state import DeskState
from storage import handlers
from storage.db import transaction


def routes(state: DeskState) -> list[Route]:
    async def away(request: Request, visitor: Visitor) -> Response:
        form = await request.form(max_files=0, max_fields=10)
        if not csrf.form_is_ours(request, form, visitor.csrf_token):
            return Response(status_code=403)
        async with transaction(state.db) as session:
            await handlers.set_away(session, name=visitor.name, away=form.get("away") == "on")
        state.feed.wake()
        return RedirectResponse("/", status_code=303)

    return [Route("/away", logged_in(state, away), methods=["POST"])]
