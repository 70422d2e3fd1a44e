"""`/healthz` and `/readyz` for a service manager or a load balancer; no login needed.

`/healthz`: the process answers. `/readyz`: the database answers and is at the newest
migration, every channel reaches its service, and no outbox message waits long past its due
time. Only which checks failed is said here (no host names or errors: anyone can ask); the
reasons are in the log and in `klachtbot run`'s status lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.web.state import DeskState
from channels.base import ChannelStatus
from common.logs import log
from storage.db import core, schema_is_current, transaction
from storage.models import OutboxRow
from storage.outbox import PENDING

# A message still unsent this long after it was due means the dispatcher is stuck or a
# channel keeps failing.
STUCK_AFTER = timedelta(minutes=15)
Statuses = Callable[[], Mapping[str, ChannelStatus]]


def routes(state: DeskState, statuses: Statuses) -> list[Route]:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})

    async def readyz(request: Request) -> Response:
        checks: dict[str, bool] = {}
        try:
            async with transaction(state.db) as session:
                checks["database"] = True
                checks["migrations"] = await schema_is_current(session)
                oldest = (
                    await (await core(session)).execute(
                        select(func.min(OutboxRow.due_at)).where(col(OutboxRow.status) == PENDING)
                    )
                ).scalar()
                checks["outbox"] = oldest is None or state.clock() - oldest < STUCK_AFTER
        except Exception as exc:  # the database is away: that is the answer, not a crash
            log.warning("web.not_ready", check="database", error=f"{type(exc).__name__}: {exc}")
            checks["database"] = False
        for name, status in statuses().items():
            checks[f"channel:{name}"] = status.connected
        ready = all(checks.values())
        if not ready:
            log.warning("web.not_ready", failing=[name for name, ok in checks.items() if not ok])
        return JSONResponse(
            {"ready": ready, "checks": checks},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
