"""A person's privacy request on the desk (coordinator): find them, download everything
stored about them, erase them after a confirmation page naming their cases, and the legal
hold that refuses erasure; through bot.privacy, as `klachtbot privacy export|erase` and
`klachtbot cases hold`, with the same audit trail. The address or number asked for travels
only in form posts, never in a URL."""

from __future__ import annotations

import asyncio
import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.privacy.export import write_export
from bot.privacy.items import Items
from bot.privacy.person import NoSuchPerson, find_person, matches
from bot.privacy.requests import OnHold, erase, everything_about, set_legal_hold
from bot.web import csrf
from bot.web.actions import MAX_TEXT
from bot.web.pages import coordinator_only
from bot.web.sessions import Visitor
from bot.web.state import DeskState
from common.logs import log
from storage import repo
from storage.db import transaction

MAX_ASKED = 200


def _field(form: FormData, name: str, limit: int = MAX_TEXT) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def export_files(
    items: Items, *, customer_id: int, language: str, now: datetime
) -> dict[str, bytes]:
    """The export `klachtbot privacy export` writes, as file name -> bytes."""
    with tempfile.TemporaryDirectory(prefix="klachtbot-export-") as folder:
        root = Path(folder)
        written = write_export(items, root, customer_id=customer_id, language=language, now=now)
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in written}


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _download(data: bytes, name: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def routes(state: DeskState) -> list[Route]:
    def page(visitor: Visitor, step: str, status_code: int = 200, **context: object) -> Response:
        return state.render(
            "privacy", visitor=visitor, away=False, step=step, status_code=status_code, **context
        )

    async def posted(request: Request, visitor: Visitor) -> FormData | None:
        form = await request.form(max_files=0, max_fields=10)
        return form if csrf.form_is_ours(request, form, visitor.csrf_token) else None

    async def start(request: Request, visitor: Visitor) -> Response:
        return page(visitor, "find")

    async def find(request: Request, visitor: Visitor) -> Response:
        if (form := await posted(request, visitor)) is None:
            return Response(status_code=403)
        asked = _field(form, "person", MAX_ASKED)
        async with transaction(state.db) as session:
            found = await matches(session, asked)
        if len(found) != 1:
            return page(visitor, "no_person", 404, problem=NoSuchPerson(asked, found))
        return page(visitor, "person", person=asked, match=found[0])

    async def export(request: Request, visitor: Visitor) -> Response:
        if (form := await posted(request, visitor)) is None:
            return Response(status_code=403)
        asked = _field(form, "person", MAX_ASKED)
        try:
            async with transaction(state.db) as session:
                customer_id = await find_person(session, asked)
                items = await everything_about(session, customer_id)
        except NoSuchPerson as exc:
            return page(visitor, "no_person", 404, problem=exc)
        files = await asyncio.to_thread(
            export_files, items, customer_id=customer_id, language=state.language, now=state.clock()
        )
        log.info("web.privacy_exported", customer_id=customer_id, handler=visitor.name)
        stem = f"privacy-export-{customer_id}"
        if form.get("as") == "html":
            return _download(files[f"{stem}.html"], f"{stem}.html", "text/html; charset=utf-8")
        return _download(await asyncio.to_thread(zipped, files), f"{stem}.zip", "application/zip")

    async def erasure(request: Request, visitor: Visitor) -> Response:
        """Without `confirmed`: the confirmation page naming the cases; with it: erased."""
        if (form := await posted(request, visitor)) is None:
            return Response(status_code=403)
        asked = _field(form, "person", MAX_ASKED)
        key = state.privacy_key
        if key is None:
            return page(visitor, "no_key", 409)
        try:
            async with transaction(state.db) as session:
                customer_id = await find_person(session, asked)
                if form.get("confirmed") != "yes":
                    found = await matches(session, asked)
                    return page(visitor, "confirm", person=asked, match=found[0])
                erased = await erase(
                    session, customer_id, key=key, by=visitor.name, now=state.clock()
                )
        except NoSuchPerson as exc:
            return page(visitor, "no_person", 404, problem=exc)
        except OnHold as exc:
            return page(visitor, "on_hold", 409, numbers=exc.numbers)
        return page(visitor, "erased", counts=erased.counts)

    async def hold(request: Request, visitor: Visitor) -> Response:
        if (form := await posted(request, visitor)) is None:
            return Response(status_code=403)
        number = request.path_params["number"]
        on, reason = form.get("hold") == "on", _field(form, "reason")
        if on and not reason:
            return RedirectResponse(f"/cases/{number}?problem=action_refused", status_code=303)
        async with transaction(state.db) as session:
            case = await repo.case_by_number(session, number=number)
            if case is None:
                return Response(status_code=404)
            await set_legal_hold(
                session, case, on=on, reason=reason, actor=visitor.name, now=state.clock()
            )
        state.feed.wake()
        return RedirectResponse(f"/cases/{number}", status_code=303)

    return [
        Route("/privacy", coordinator_only(state, start), methods=["GET"]),
        Route("/privacy/find", coordinator_only(state, find), methods=["POST"]),
        Route("/privacy/export", coordinator_only(state, export), methods=["POST"]),
        Route("/privacy/erase", coordinator_only(state, erasure), methods=["POST"]),
        Route("/cases/{number:str}/hold", coordinator_only(state, hold), methods=["POST"]),
    ]
