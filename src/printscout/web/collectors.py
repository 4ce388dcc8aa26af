"""The collectors page: every collector in scope with its last check-in; revoking one; their
recent commands and reported events; and per site its schedule and ranges (the actions on those
are in ``collector_sites``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Final
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from printscout.storage.accounts import revoke_collector
from printscout.storage.base import utcnow
from printscout.storage.collector_view import collectors_in_scope, recent_activity
from printscout.web.collector_sites import AUTH_PROTOCOLS, PRIV_PROTOCOLS, site_panels
from printscout.web.pages import render
from printscout.web.security import check_csrf, form
from printscout.web.sessions import Shared, SignedIn, Writer

router = APIRouter(include_in_schema=False)
SILENT_AFTER: Final = timedelta(hours=1)


@router.get("/collectors")
def collectors_page(request: Request, login: SignedIn, shared: Shared) -> Response:
    """The collectors of the user's customers, with when each last checked in."""
    with shared.db.reader() as session:
        rows = collectors_in_scope(session, login.scope)
        activity = recent_activity(session, login.scope)
    silent_before = utcnow() - SILENT_AFTER
    sites = site_panels(request, shared.db, login)
    return render(
        request, login, "collectors/collectors.html", rows=rows, silent_before=silent_before,
        sites=sites, auth_protocols=AUTH_PROTOCOLS, priv_protocols=PRIV_PROTOCOLS,
        activity=activity,
    )  # fmt: skip


@router.post("/collectors/{public_id}/revoke")
async def revoke(public_id: UUID, request: Request, login: Writer, shared: Shared) -> Response:
    """Refuse a collector's uploads from now on (admins and operators, within their scope)."""
    check_csrf(login.csrf, await form(request))

    def work() -> bool:
        with shared.db.reader() as session:
            if not collectors_in_scope(session, login.scope, public_id):
                return False
        with shared.db.writer() as session:
            revoke_collector(session, public_id)
        return True

    if not await run_in_threadpool(work):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such collector")
    return Response(status_code=303, headers={"location": "/collectors"})
