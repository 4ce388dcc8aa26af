"""The device page: identity, addresses, status, supplies, counters, charts, replacements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import orjson
from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy.orm import Session

from printscout.server.alerts.supplies import forecasts_for_device
from printscout.server.api.common import MAX_ID
from printscout.storage import device_view
from printscout.storage.base import utcnow
from printscout.storage.console import ConsoleLogin
from printscout.storage.fleet import identity_history, replacements
from printscout.storage.readings import COUNTER_COLUMNS
from printscout.web.pages import render
from printscout.web.sessions import Shared, SignedIn

router = APIRouter(include_in_schema=False)
RAW_DAYS: Final = 31  # beyond this, charts use the daily roll-ups
MAX_DAYS: Final = 5 * 366


def _device(session: Session, login: ConsoleLogin, device_id: int) -> device_view.DeviceHead:
    """The device if the user sees it, else 404 (also for ids no database column holds)."""
    head = None
    if 0 < device_id <= MAX_ID:
        head = device_view.device_in_scope(session, login.scope, device_id)
    if head is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device")
    return head


@router.get("/devices/{device_id}")
def device_page(device_id: int, request: Request, login: SignedIn, shared: Shared) -> Response:
    """Everything known about one device the user may see (404 for any other)."""
    with shared.db.reader() as session:
        head = _device(session, login, device_id)
        reading = device_view.newest_reading(session, head.device)
        counters = []
        if reading is not None:
            counters = [(c.removeprefix("counter_"), getattr(reading, c)) for c in COUNTER_COLUMNS]
        context: dict[str, Any] = {
            "head": head,
            "device": head.device,
            "reading": reading,
            "counters": [(name, value) for name, value in counters if value is not None],
            "addresses": device_view.addresses(session, device_id),
            "supplies": device_view.supplies(session, device_id),
            "replacements": replacements(session, device_id)[-50:],
            "events": identity_history(session, device_id)[-50:],
            "forecasts": forecasts_for_device(session, device_id, utcnow()),
        }
    return render(request, login, "devices/device.html", **context)


@router.get("/devices/{device_id}/history.json")
def device_history(device_id: int, login: SignedIn, shared: Shared, days: int = 30) -> Response:
    """The chart data: times (Unix s), total pages and each supply's level, as columns."""
    days = max(1, min(days, MAX_DAYS))
    since = utcnow() - timedelta(days=days)
    with shared.db.reader() as session:
        _device(session, login, device_id)
        read = device_view.raw_history if days <= RAW_DAYS else device_view.daily_history
        points = read(session, device_id, since)
        slots = device_view.supplies(session, device_id)
    series = [
        {
            "label": s.description or s.color or s.kind,
            "color": s.color,
            "levels": [p.levels.get(s.supply_index) for p in points],
        }
        for s in slots
    ]
    body = {
        "times": [int(p.at.timestamp()) for p in points],
        "pages": [p.pages for p in points],
        "supplies": series,
    }
    return Response(orjson.dumps(body), media_type="application/json")
