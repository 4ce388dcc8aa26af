"""The collectors page's per-site parts: enrolment tokens, schedules, ranges and their SNMP
credentials, and "discover now" / "poll now"; all through the collector service, all refused
outside the user's customers (404) and to viewers (403)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from printscout.domain.control import (
    RangeConfig,
    RangeCredentials,
    Schedule,
    V3Credential,
)
from printscout.server.api.common import MAX_ID
from printscout.server.collectors.service import CollectorService, RangeSummary, site_in_scope
from printscout.storage import dashboard
from printscout.storage.collector_view import collectors_in_scope
from printscout.storage.console import ConsoleLogin
from printscout.storage.errors import NotFound
from printscout.storage.session import Database
from printscout.web.pages import render
from printscout.web.security import check_csrf, field, form
from printscout.web.sessions import Shared, Writer

router = APIRouter(include_in_schema=False)
COMMANDS: Final = ("discover", "poll")
# The names the collector's SNMPv3 engine accepts (``printscout.protocols.snmp.usm_crypto``).
AUTH_PROTOCOLS: Final = ("SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "MD5")
PRIV_PROTOCOLS: Final = ("AES", "AES-192", "AES-256", "AES-192C", "AES-256C")


@dataclass(frozen=True, slots=True)
class SitePanel:
    """One site as the collectors page shows it."""

    site_id: int
    customer: str
    name: str
    schedule: Schedule
    ranges: list[RangeSummary]


def service_of(request: Request) -> CollectorService:
    """The collector service on ``app.state``."""
    found: CollectorService = request.app.state.collectors
    return found


def site_panels(request: Request, db: Database, login: ConsoleLogin) -> list[SitePanel]:
    """Every site the user sees with its schedule and ranges."""
    service = service_of(request)
    with db.reader() as session:
        choices = dashboard.choices(session, login.scope)
    customers = dict(choices.customers)
    return [
        SitePanel(site_id, customers.get(customer, ""), name, service.schedule(site_id),
                  service.ranges(site_id))
        for site_id, customer, name in choices.sites
    ]  # fmt: skip


async def _writable_site(
    request: Request, login: Writer, shared: Shared, site_id: int
) -> dict[str, list[str]]:
    data = await form(request)
    check_csrf(login.csrf, data)
    seen = 0 < site_id <= MAX_ID and await run_in_threadpool(
        site_in_scope, shared.db, login.scope, site_id
    )
    if not seen:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such site")
    return data


def _back() -> Response:
    return Response(status_code=303, headers={"location": "/collectors"})


def _number(data: dict[str, list[str]], name: str) -> int:
    value = field(data, name).strip()
    if not value.isdigit() or len(value) > 9:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{name}: a whole number, please")
    return int(value)


@router.post("/collectors/sites/{site_id}/token")
async def create_token(site_id: int, request: Request, login: Writer, shared: Shared) -> Response:
    """A one-time enrolment token for the site, shown once with the command line to run."""
    await _writable_site(request, login, shared, site_id)
    token = await run_in_threadpool(service_of(request).create_token, site_id)
    url = str(request.base_url).rstrip("/")
    command = f"printscout collector enroll {url} {token}"
    return render(request, login, "collectors/token.html", token=token, command=command)


@router.post("/collectors/sites/{site_id}/schedule")
async def set_schedule(site_id: int, request: Request, login: Writer, shared: Shared) -> Response:
    """Replace the site's schedule (seconds between discoveries, polls, identity reads)."""
    data = await _writable_site(request, login, shared, site_id)
    try:
        schedule = Schedule(
            discover_every_s=_number(data, "discover_every_s"),
            poll_every_s=_number(data, "poll_every_s"),
            identity_every_s=_number(data, "identity_every_s"),
            mask_addresses=field(data, "mask_addresses") == "on",
        )
    except ValidationError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the schedule is out of range") from exc
    await run_in_threadpool(service_of(request).set_schedule, site_id, schedule)
    return _back()


def range_from_form(data: dict[str, list[str]]) -> RangeConfig:
    """The range a form describes: targets, port, communities (one a line), one SNMPv3 user."""
    v3 = []
    auth, priv = field(data, "auth_protocol"), field(data, "priv_protocol")
    if auth not in ("", *AUTH_PROTOCOLS) or priv not in ("", *PRIV_PROTOCOLS):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unknown SNMPv3 protocol")
    if field(data, "v3_user").strip():
        v3.append(
            V3Credential(
                user=field(data, "v3_user").strip(),
                auth_protocol=auth or None,
                auth_key=field(data, "auth_key") or None,
                priv_protocol=priv or None,
                priv_key=field(data, "priv_key") or None,
            )
        )
    communities = [c.strip() for c in field(data, "communities").splitlines() if c.strip()]
    return RangeConfig(
        targets=field(data, "targets").replace(",", " ").split(),
        port=_number(data, "port") if field(data, "port").strip() else 161,
        credentials=RangeCredentials(communities=communities, v3=v3),
    )


@router.post("/collectors/sites/{site_id}/ranges")
async def add_range(site_id: int, request: Request, login: Writer, shared: Shared) -> Response:
    """Add a range with its credentials (stored encrypted, never shown back)."""
    data = await _writable_site(request, login, shared, site_id)
    try:
        config = range_from_form(data)
    except ValidationError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the range is not valid") from exc
    await run_in_threadpool(service_of(request).add_range, site_id, config)
    return _back()


@router.post("/collectors/sites/{site_id}/ranges/{range_id}/delete")
async def delete_range(
    site_id: int, range_id: int, request: Request, login: Writer, shared: Shared
) -> Response:
    """Remove one of the site's ranges."""
    await _writable_site(request, login, shared, site_id)
    if not 0 < range_id <= MAX_ID:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such range")
    try:
        await run_in_threadpool(service_of(request).delete_range, site_id, range_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such range") from exc
    return _back()


@router.post("/collectors/{public_id}/command")
async def queue_command(
    public_id: UUID, request: Request, login: Writer, shared: Shared
) -> Response:
    """Queue "discover now" or "poll now"; the collector gets it at its next check-in."""
    data = await form(request)
    check_csrf(login.csrf, data)
    kind = field(data, "kind")
    if kind not in COMMANDS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unknown command")

    def work() -> bool:
        with shared.db.reader() as session:
            if not collectors_in_scope(session, login.scope, public_id):
                return False
        service_of(request).queue_command(public_id, kind)
        return True

    if not await run_in_threadpool(work):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such collector")
    return _back()
