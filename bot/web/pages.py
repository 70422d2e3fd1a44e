"""The desk's pages: the case list (`/`), one case (`/cases/K-…`), its attachments, and the
stream of live updates (`/events`). Every page needs a logged-in handler; without one a page
is the login page, and a fragment htmx asks for sends the browser there."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import select
from sqlmodel import SQLModel, col
from sqlmodel import select as select_rows
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.handlers.handler_group import KIND_PREFIX
from bot.handlers.summary import handoff_summary, local
from bot.web.caselist import Filters, case_rows, choices, deadline_signal
from bot.web.sessions import Visitor
from bot.web.state import DeskState
from storage import handlers as roles
from storage import repo
from storage.db import core, transaction
from storage.models import Agreement, Attachment, AuditEvent, Case, Message

HANDLER_REPLY = "handler_reply"
# Shown in the browser as themselves; anything else is only offered as a download. Not SVG:
# it can carry script.
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
Page = Callable[[Request, Visitor], Awaitable[Response]]


def logged_in(state: DeskState, page: Page) -> Callable[[Request], Awaitable[Response]]:
    async def guarded(request: Request) -> Response:
        visitor = await state.logins.visitor(request)
        if visitor is None:
            if request.headers.get("hx-request"):
                return Response(status_code=401, headers={"HX-Redirect": "/login"})
            return RedirectResponse("/login", status_code=303)
        return await page(request, visitor)

    return guarded


def coordinator_only(state: DeskState, page: Page) -> Callable[[Request], Awaitable[Response]]:
    """A coordinator's page: logged in, and a handler gets 403."""

    async def guarded(request: Request, visitor: Visitor) -> Response:
        if not visitor.coordinator:
            return state.render("forbidden", visitor=visitor, away=False, status_code=403)
        return await page(request, visitor)

    return logged_in(state, guarded)


def routes(state: DeskState) -> list[Route]:
    async def case_list(request: Request, visitor: Visitor) -> Response:
        filters = Filters.from_query(request.query_params)
        async with transaction(state.reads) as session:
            rows = await _rows(state, session, filters, visitor)
            offered = await choices(session)
        return state.render(
            "cases",
            visitor=visitor,
            away=visitor.away,
            filters=filters,
            choices=offered,
            rows=rows,
            query=urlencode(list(request.query_params.multi_items())),
        )

    async def case_table(request: Request, visitor: Visitor) -> Response:
        filters = Filters.from_query(request.query_params)
        async with transaction(state.reads) as session:
            rows = await _rows(state, session, filters, visitor)
        return state.render("case_table", visitor=visitor, rows=rows)

    async def case_page(request: Request, visitor: Visitor) -> Response:
        async with transaction(state.reads) as session:
            case = await repo.case_by_number(session, number=request.path_params["number"])
            if case is None:
                return state.render("not_found", visitor=visitor, away=False, status_code=404)
            context = await case_context(state, session, case, visitor)
            names = [
                h.name
                for h in await roles.list_handlers(session)
                if h.role in roles.CONFIGURED_ROLES
            ]
        return state.render(
            "case",
            visitor=visitor,
            away=visitor.away,
            case=case,
            handler_names=names,
            # Only a problem the page has words for: the query string is anyone's to write.
            problem="action_refused" if request.query_params.get("problem") else None,
            **context,
        )

    async def case_live(request: Request, visitor: Visitor) -> Response:
        async with transaction(state.reads) as session:
            case = await repo.case_by_number(session, number=request.path_params["number"])
            if case is None:
                return Response(status_code=404)
            context = await case_context(state, session, case, visitor)
        return state.render("case_live", visitor=visitor, case=case, **context)

    async def attachment(request: Request, visitor: Visitor) -> Response:
        async with transaction(state.reads) as session:
            found = (
                await session.exec(
                    select_rows(Attachment)
                    .join(Message, col(Message.id) == col(Attachment.message_id))
                    .join(Case, col(Case.id) == col(Message.case_id))
                    .where(
                        Attachment.id == request.path_params["attachment_id"],
                        Case.number == request.path_params["number"],
                    )
                )
            ).first()
        if found is None or found.data is None:
            return Response(status_code=404)
        return file_response(found, download=bool(request.query_params.get("download")))

    async def events(request: Request, visitor: Visitor) -> Response:
        async def while_logged_in() -> AsyncIterator[str]:
            async for chunk in state.feed.stream():
                # A handler logged out (or removed) meanwhile hears nothing more.
                if await state.logins.visitor(request) is None:
                    return
                yield chunk

        return StreamingResponse(
            while_logged_in(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return [
        Route("/", logged_in(state, case_list), methods=["GET"]),
        Route("/cases/table", logged_in(state, case_table), methods=["GET"]),
        Route("/events", logged_in(state, events), methods=["GET"]),
        Route("/cases/{number:str}", logged_in(state, case_page), methods=["GET"]),
        Route("/cases/{number:str}/live", logged_in(state, case_live), methods=["GET"]),
        Route(
            "/cases/{number:str}/attachments/{attachment_id:int}",
            logged_in(state, attachment),
            methods=["GET"],
        ),
    ]


async def _rows(state: DeskState, session: Any, filters: Filters, visitor: Visitor) -> list[Any]:
    return await case_rows(
        session, filters, handler_id=visitor.handler_id, now=state.clock(), tz=state.tz
    )


async def case_context(
    state: DeskState, session: Any, case: Case, visitor: Visitor
) -> dict[str, Any]:
    """Everything the case page shows of `case`, as it is now."""
    assert case.id is not None
    tz, now = state.tz, state.clock()
    customer = await repo.customer(session, customer_id=case.customer_id)
    # A handler's own reply (from the desk, the group or by mail: kind "handler_reply", see
    # bot.intake) is shown as what the customer received: the outbound copy.
    messages = [
        m
        for m in await repo.messages_of_case(session, case_id=case.id)
        if m.kind != HANDLER_REPLY and not m.kind.startswith(KIND_PREFIX)
    ]
    files: dict[int, list[dict[str, Any]]] = {}
    attachment = SQLModel.metadata.tables["attachments"].c
    for file in await (await core(session)).execute(
        select(
            attachment.id,
            attachment.message_id,
            attachment.file_name,
            attachment.kind,
            attachment.content_type,
        )
        .where(attachment.message_id.in_([m.id for m in messages]))
        .order_by(attachment.id)
    ):
        files.setdefault(file.message_id, []).append(
            {
                "url": f"/cases/{case.number}/attachments/{file.id}",
                "name": file.file_name or file.kind,
                "image": file.content_type in INLINE_IMAGES,
            }
        )
    agreements = (
        await session.exec(
            select_rows(Agreement).where(Agreement.case_id == case.id).order_by(col(Agreement.id))
        )
    ).all()
    audit = (
        await session.exec(
            select_rows(AuditEvent)
            .where(AuditEvent.case_id == case.id)
            .order_by(col(AuditEvent.id))
        )
    ).all()
    return {
        "customer": customer.name if customer and customer.name else "",
        "summary": await handoff_summary(
            session, case=case, tz=tz, language=state.language_of(visitor)
        ),
        "messages": [
            {
                "at": local(m.created_at, tz),
                "channel": m.channel,
                "direction": m.direction,
                "text": m.text,
                "attachments": files.get(m.id or 0, []),
            }
            for m in messages
        ],
        "agreements": [
            {
                "what": a.what,
                "due": local(a.due_at, tz),
                "done": a.done_at is not None,
                "signal": None if a.done_at else deadline_signal(a.due_at, now, tz),
            }
            for a in agreements
        ],
        "events": [
            {
                "at": local(e.at, tz),
                "actor": e.actor,
                "action": e.action,
                "text": e.detail.get("text") or e.detail.get("what") or e.detail.get("handler"),
            }
            for e in audit
        ],
    }


def file_response(file: Attachment, *, download: bool) -> Response:
    """The file as the customer sent it. Only known image types are shown inline; anything
    else goes out as an opaque download, so the browser never renders it as a page."""
    assert file.data is not None
    inline = file.content_type in INLINE_IMAGES and not download
    media_type = file.content_type if inline else "application/octet-stream"
    name = file.file_name or f"{file.kind}-{file.id}"
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100] or "file"
    disposition = "inline" if inline else "attachment"
    return Response(
        file.data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(name[:200], safe='')}",
            "Cache-Control": "private, no-store",
        },
    )
