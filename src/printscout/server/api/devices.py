"""GET /api/v1/devices, /devices/{id} and /devices/{id}/readings: the fleet, read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query, Request, status

from printscout.server.api.common import (
    DEFAULT_PAGE,
    Cursor,
    FilterId,
    ItemId,
    Limit,
    Text,
    UtcTime,
    feature_router,
    page_of,
)
from printscout.server.api.queries import (
    DeviceFilter,
    device_row,
    list_devices,
    newest_reading,
    readings_of,
    supplies_of,
)
from printscout.server.api.schemas import (
    DeviceDetail,
    DevicePage,
    DeviceSummary,
    ReadingPage,
    detail_of,
    reading_of,
    summary_of,
)
from printscout.server.scope import CurrentScope
from printscout.storage.base import utcnow
from printscout.storage.session import Database

router = feature_router("devices")

State = Literal["running", "warning", "testing", "down", "unknown", "offline"]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such device in your scope"}}


def _stale(request: Request) -> timedelta:
    return timedelta(seconds=request.app.state.settings.api.stale_after_s)


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


@router.get("/devices", response_model=DevicePage)
def get_devices(
    request: Request,
    scope: CurrentScope,
    customer_id: FilterId = None,
    site_id: FilterId = None,
    model: Annotated[Text | None, Query(description="exact, any case")] = None,
    state: Annotated[State | None, Query(description="offline: not heard from lately")] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_PAGE,
) -> DevicePage:
    """The devices you may see, by id, optionally of one customer, site, model or state."""
    wanted = DeviceFilter(customer_id, site_id, model, state, cursor)
    with _db(request).reader() as session:
        rows = list_devices(session, scope, wanted, utcnow(), _stale(request), limit + 1)
    page, following = page_of(rows, limit, lambda row: row.device.id)
    return DevicePage(items=[DeviceSummary(**summary_of(r)) for r in page], next_cursor=following)


@router.get("/devices/{device_id}", response_model=DeviceDetail, responses=NOT_FOUND)
def get_device(request: Request, scope: CurrentScope, device_id: ItemId) -> DeviceDetail:
    """A device: identity, place, status, supplies and counters."""
    with _db(request).reader() as session:
        row = device_row(session, scope, device_id, utcnow(), _stale(request))
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
        return detail_of(row, supplies_of(session, device_id), newest_reading(session, device_id))


@router.get("/devices/{device_id}/readings", response_model=ReadingPage, responses=NOT_FOUND)
def get_readings(
    request: Request,
    scope: CurrentScope,
    device_id: ItemId,
    since: Annotated[UtcTime | None, Query(description="from this time on (inclusive)")] = None,
    until: Annotated[UtcTime | None, Query(description="before this time (exclusive)")] = None,
    limit: Limit = DEFAULT_PAGE,
) -> ReadingPage:
    """A device's raw readings (meter history), oldest first; older ones live in roll-ups."""
    with _db(request).reader() as session:
        if device_row(session, scope, device_id, utcnow(), _stale(request)) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
        rows = readings_of(session, device_id, since, until, limit + 1)
    page, following = page_of(rows, limit, lambda r: r.observed_at)
    return ReadingPage(items=[reading_of(r) for r in page], next_since=following)
