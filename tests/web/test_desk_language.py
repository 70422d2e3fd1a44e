"""English per handler (`[[handlers]] language = "en"`): the desk speaks each handler's own
language once logged in; the login page, before anyone is known, the organisation's."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.web.support import HANDLERS, PASSWORD, running_desk
from tests.web.test_desk_http import TOKEN, log_in


async def test_each_handler_reads_the_desk_in_their_own_language(
    database_url: str, engine: AsyncEngine
) -> None:
    team = [{**HANDLERS[0], "language": "en"}, *HANDLERS[1:]]  # Sanne reads English
    async with running_desk(database_url, team=team) as desk:
        case = await desk.customer_writes("De voordeur klemt.", sender="lang")
        async with (
            httpx.AsyncClient(base_url=desk.url) as sanne,
            httpx.AsyncClient(base_url=desk.url) as carla,
        ):
            login = await sanne.get("/login")
            assert '<html lang="nl">' in login.text
            assert (await log_in(sanne, "Sanne", PASSWORD)).status_code == 303
            assert (await log_in(carla, "Carla", PASSWORD)).status_code == 303

            english = await sanne.get("/")
            assert '<html lang="en">' in english.text
            assert "Cases" in english.text
            assert "Zaken" not in english.text
            dutch = await carla.get("/")
            assert '<html lang="nl">' in dutch.text
            assert "Zaken" in dutch.text

            page = await sanne.get(f"/cases/{case.number}")
            assert '<html lang="en">' in page.text
            token = TOKEN.search(page.text)
            assert token is not None
            hints = await sanne.post(
                f"/cases/{case.number}/coach",
                data={"text": "According to our terms, yes.", "csrf_token": token[1]},
            )
            assert "Tips for your reply" in hints.text
