"""The complaint form on the organisation's site: `/klacht` in Dutch, `/complaint` in
English, and the page that says it was received, with the case number.

A form is one whole story through the same intake as a mail (channels/webform): stored
before the page says "received", then the dialogue answers by mail to the address given.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.dialogue.answers import email_in
from bot.web import csrf
from bot.web.form_guard import HONEYPOT, STARTED, FormGuard
from bot.web.state import DeskState
from channels.base import InboundMessage
from channels.webform.channel import WebFormChannel
from common.logs import log
from common.templates import environment, render, template
from storage import repo
from storage.db import transaction
from storage.models import Case

FORM_COOKIE = "klachtbot_form"
FORM_LIFETIME = timedelta(days=1)
# Field → longest accepted value; the ones in REQUIRED must be filled in.
FIELDS = {
    "name": 200,
    "address": 300,
    "phone": 50,
    "email": 254,
    "story": 10_000,
    "when": 300,
    "product": 300,
    "wish": 2_000,
}
REQUIRED = ("name", "email", "story")
# The form's fields under the dialogue's names for the facts they give.
FACT_OF_FIELD = {
    "name": "name",
    "address": "address",
    "phone": "phone",
    "email": "email",
    "when": "when",
    "product": "product",
    "wish": "outcome",
}
# The received page asks again this often until the case has its number.
REFRESH_SECONDS = 2


@dataclass(frozen=True)
class _Form:
    path: str
    received: str
    language: str


FORMS = (
    _Form("/klacht", "/klacht/ontvangen", "nl"),
    _Form("/complaint", "/complaint/received", "en"),
)


def routes(state: DeskState, channel: WebFormChannel, guard: FormGuard, key: bytes) -> list[Route]:
    receipts = URLSafeSerializer(key, salt="klachtbot.webform.receipt")

    def page(form: _Form, name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        words = environment().get_template(f"web/{form.language}/form_words.html.j2").module
        html = template(f"web/{name}.html.j2").render(
            w=words, organisation=state.organisation, form=form, **context
        )
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    def blank(
        form: _Form,
        *,
        values: dict[str, str] | None = None,
        problems: dict[str, str] | None = None,
        refused: str | None = None,
        status_code: int = 200,
    ) -> Response:
        token = csrf.new_token()
        response = page(
            form,
            "complaint",
            status_code=status_code,
            values=values or {},
            problems=problems or {},
            refused=refused,
            csrf_token=token,
            started=guard.started(),
            fields=FIELDS,
            required=REQUIRED,
        )
        state.logins.set_cookie(response, FORM_COOKIE, token, max_age=FORM_LIFETIME)
        return response

    def show(form: _Form) -> Any:
        async def endpoint(request: Request) -> Response:
            return blank(form)

        return endpoint

    def submit(form: _Form) -> Any:
        async def endpoint(request: Request) -> Response:
            data = await request.form(max_files=0, max_fields=20, max_part_size=64 * 1024)
            values = _values(data)
            if not csrf.form_is_ours(request, data, request.cookies.get(FORM_COOKIE)):
                return blank(form, values=values, refused="form_expired", status_code=403)
            client = request.client.host if request.client else "?"
            spam = guard.refusal(
                started=str(data.get(STARTED, "")), honeypot=str(data.get(HONEYPOT, ""))
            )
            if spam is not None:
                log.warning("webform.refused", reason=spam, client=client)
                return blank(form, values=values, refused="not_sent", status_code=400)
            problems = _problems(values)
            if problems:
                return blank(form, values=values, problems=problems, status_code=422)
            if not guard.allow(client):
                log.warning("webform.refused", reason="rate_limit", client=client)
                return blank(form, values=values, refused="too_many", status_code=429)
            message = _message(form, values, state)
            try:
                await channel.submit(message)
            except asyncio.QueueFull:
                log.warning("webform.busy", client=client)
                return blank(form, values=values, refused="busy", status_code=503)
            log.info("webform.received", external_id=message.external_id)
            receipt = receipts.dumps(message.external_id)
            return RedirectResponse(f"{form.received}?r={receipt}", status_code=303)

        return endpoint

    def received(form: _Form) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                external_id = str(receipts.loads(request.query_params.get("r", "")))
            except BadSignature:
                return page(form, "complaint_received", status_code=404, number=None, known=False)
            async with transaction(state.db) as session:
                message = await repo.message_by_external_id(
                    session, channel=channel.name, external_id=external_id
                )
                case = (
                    await session.get(Case, message.case_id)
                    if message is not None and message.case_id is not None
                    else None
                )
            number = case.number if case is not None else None
            response = page(
                form,
                "complaint_received",
                status_code=200 if message is not None else 404,
                number=number,
                known=message is not None,
            )
            if message is not None and number is None:
                # Stored, not yet taken in: the page looks again in a moment (no script).
                response.headers["Refresh"] = str(REFRESH_SECONDS)
            return response

        return endpoint

    return [
        route
        for form in FORMS
        for route in (
            Route(form.path, show(form), methods=["GET"]),
            Route(form.path, submit(form), methods=["POST"]),
            Route(form.received, received(form), methods=["GET"]),
        )
    ]


def _values(data: FormData) -> dict[str, str]:
    values = {}
    for name, longest in FIELDS.items():
        given = data.get(name, "")
        values[name] = given.strip()[:longest] if isinstance(given, str) else ""
    return values


def _problems(values: dict[str, str]) -> dict[str, str]:
    """Per field the reason it cannot be taken: "missing" or "not_an_address"."""
    problems = {name: "missing" for name in REQUIRED if not values[name]}
    if values["email"] and email_in(values["email"]) != values["email"].lower():
        problems["email"] = "not_an_address"
    return problems


def _message(form: _Form, values: dict[str, str], state: DeskState) -> InboundMessage:
    address = values["email"].lower()
    facts = {fact: values[name] for name, fact in FACT_OF_FIELD.items() if values[name]}
    facts["email"] = address
    return InboundMessage(
        channel=WebFormChannel.name,
        external_id=uuid.uuid4().hex,
        sender=address,
        sender_name=values["name"],
        language=form.language,
        text=render(f"web/{form.language}/form_story.txt.j2", **values).strip(),
        received_at=state.clock(),
        facts=facts,
    )
