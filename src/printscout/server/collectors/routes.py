"""Collector service routes: enrolment (token, no certificate), the control channel (client
certificate), and admin routes (console session or API token with write access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import anyio
from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel

from printscout.domain.control import (
    CheckinReport,
    CollectorConfig,
    CollectorEvent,
    CommandKind,
    CommandResult,
    EnrolRequest,
    EnrolResponse,
    RangeConfig,
    RenewRequest,
    RenewResponse,
    Schedule,
)
from printscout.server.api.common import ItemId
from printscout.server.auth import CurrentCollector
from printscout.server.collectors.service import CollectorService, site_in_scope
from printscout.server.errors import EnrolmentRefused
from printscout.server.scope import CurrentScope, WritableScope
from printscout.storage.errors import NotFound

router = APIRouter(tags=["collectors"])


def _service(request: Request) -> CollectorService:
    found: CollectorService = request.app.state.collectors
    return found


@router.get("/api/v1/enrol/ca", response_class=Response)
async def ca_certificate(request: Request) -> Response:
    """The CA certificate (PEM); the collector checks it against its token's fingerprint."""
    pem = await anyio.to_thread.run_sync(lambda: _service(request).ca.pem)
    return Response(pem, media_type="application/x-pem-file")


@router.post("/api/v1/enrol", responses={403: {"description": "token unknown, used or expired"}})
async def enrol(request: Request, body: EnrolRequest) -> EnrolResponse:
    """Redeem a one-time token: a new collector and its client certificate."""
    service = _service(request)
    try:
        return await anyio.to_thread.run_sync(
            lambda: service.enrol(body.token, body.name, body.csr.encode())
        )
    except EnrolmentRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc


@router.post("/api/v1/collector/checkin")
async def checkin(
    request: Request, collector: CurrentCollector, report: CheckinReport
) -> CollectorConfig:
    """Record a check-in; answer with the collector's configuration and commands."""
    service = _service(request)
    return await anyio.to_thread.run_sync(lambda: service.checkin(collector, report))


@router.post("/api/v1/collector/certificate")
async def renew_certificate(
    request: Request, collector: CurrentCollector, body: RenewRequest
) -> RenewResponse:
    """A fresh certificate for the calling collector, from its new CSR."""
    service = _service(request)
    try:
        return await anyio.to_thread.run_sync(lambda: service.renew(collector, body.csr.encode()))
    except EnrolmentRefused as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


@router.post("/api/v1/collector/commands/{command_id}/done", status_code=204)
async def command_done(
    request: Request, collector: CurrentCollector, command_id: ItemId, result: CommandResult
) -> None:
    """A collector finished a command."""
    service = _service(request)
    try:
        await anyio.to_thread.run_sync(lambda: service.finish(collector, command_id, result))
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.post("/api/v1/collector/events", status_code=204)
async def collector_event(
    request: Request, collector: CurrentCollector, event: CollectorEvent
) -> None:
    """A collector reports something on its own (a refused update, say)."""
    service = _service(request)
    await anyio.to_thread.run_sync(lambda: service.record_event(collector, event))


class TokenAnswer(BaseModel):
    """A new enrolment token (shown once)."""

    token: str
    site_id: int


class CommandRequest(BaseModel):
    """A command to queue."""

    kind: CommandKind


def _require_site(request: Request, scope: Any, site_id: int) -> None:
    if not site_in_scope(request.app.state.db, scope, site_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no site {site_id}")


@router.post("/api/v1/sites/{site_id}/enrolment-tokens", status_code=201)
async def create_token(request: Request, scope: WritableScope, site_id: ItemId) -> TokenAnswer:
    """A one-time, expiring enrolment token for the site."""
    _require_site(request, scope, site_id)
    token = await anyio.to_thread.run_sync(lambda: _service(request).create_token(site_id))
    return TokenAnswer(token=token, site_id=site_id)


@router.put("/api/v1/sites/{site_id}/schedule", status_code=204)
async def put_schedule(
    request: Request, scope: WritableScope, site_id: ItemId, schedule: Schedule
) -> None:
    """Replace the site's discover and poll schedule."""
    _require_site(request, scope, site_id)
    await anyio.to_thread.run_sync(lambda: _service(request).set_schedule(site_id, schedule))


@router.post("/api/v1/sites/{site_id}/ranges", status_code=201)
async def add_range(
    request: Request, scope: WritableScope, site_id: ItemId, config: RangeConfig
) -> dict[str, int]:
    """Add a range (and its SNMP credentials, stored encrypted) to the site."""
    _require_site(request, scope, site_id)
    return {
        "id": await anyio.to_thread.run_sync(lambda: _service(request).add_range(site_id, config))
    }


class RangeItem(BaseModel):
    """A site's range; its secrets only counted (communities) or named (SNMPv3 users)."""

    id: int
    site_id: int
    targets: list[str]
    port: int
    communities: int
    v3_users: list[str]
    created_at: datetime


class RangePage(BaseModel):
    """The site's ranges (all of them: a site has few)."""

    items: list[RangeItem]
    next_cursor: int | None = None


@router.get("/api/v1/sites/{site_id}/ranges")
async def list_ranges(request: Request, scope: CurrentScope, site_id: ItemId) -> RangePage:
    """The site's ranges, oldest first; secrets are never sent back."""
    _require_site(request, scope, site_id)
    rows = await anyio.to_thread.run_sync(lambda: _service(request).ranges(site_id))
    items = [
        RangeItem(
            id=r.id, site_id=r.site_id, targets=list(r.targets), port=r.port,
            communities=r.communities, v3_users=list(r.v3_users), created_at=r.created_at,
        )
        for r in rows
    ]  # fmt: skip
    return RangePage(items=items)


@router.delete("/api/v1/sites/{site_id}/ranges/{range_id}", status_code=204)
async def delete_range(
    request: Request, scope: WritableScope, site_id: ItemId, range_id: ItemId
) -> None:
    """Remove one of the site's ranges (404 for another site's)."""
    _require_site(request, scope, site_id)
    try:
        await anyio.to_thread.run_sync(lambda: _service(request).delete_range(site_id, range_id))
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc


@router.get("/api/v1/sites/{site_id}/schedule")
async def get_schedule(request: Request, scope: CurrentScope, site_id: ItemId) -> Schedule:
    """The site's discover and poll schedule (the defaults until one is set)."""
    _require_site(request, scope, site_id)
    return await anyio.to_thread.run_sync(lambda: _service(request).schedule(site_id))


def _visible(request: Request, scope: Any, public_id: UUID) -> None:
    if not any(s.public_id == public_id for s in _service(request).statuses(scope)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no collector {public_id}")


@router.post("/api/v1/collectors/{public_id}/revoke", status_code=204)
async def revoke(request: Request, scope: WritableScope, public_id: UUID) -> None:
    """Refuse the collector from its next request on."""
    _visible(request, scope, public_id)
    await anyio.to_thread.run_sync(lambda: _service(request).revoke(public_id))


@router.post("/api/v1/collectors/{public_id}/commands", status_code=201)
async def queue_command(
    request: Request, scope: WritableScope, public_id: UUID, command: CommandRequest
) -> dict[str, int]:
    """Queue discover now, poll now or send logs; delivered at the next check-in."""
    _visible(request, scope, public_id)
    service = _service(request)
    return {
        "id": await anyio.to_thread.run_sync(lambda: service.queue_command(public_id, command.kind))
    }


@router.get("/api/v1/collectors")
async def list_collectors(request: Request, scope: CurrentScope) -> list[dict[str, Any]]:
    """The collectors in scope, with their last check-in and whether they went silent."""
    statuses = await anyio.to_thread.run_sync(lambda: _service(request).statuses(scope))
    return [
        {
            "id": str(s.public_id), "name": s.name, "site_id": s.site_id,
            "last_seen_at": s.last_seen_at.isoformat() if s.last_seen_at else None,
            "revoked": s.revoked, "silent": s.silent, "report": s.report,
        }
        for s in statuses
    ]  # fmt: skip
