"""The alert API: rules, channels, alerts (list, detail, acknowledge, close), forecasts and
order suggestions, for console users and API tokens through the scope dependency."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy.orm import Session

from printscout.server.alerts import manage, queries
from printscout.server.alerts.notify import destinations
from printscout.server.alerts.queries import AlertState
from printscout.server.alerts.schemas import (
    AlertDetailOut,
    AlertOut,
    ChannelIn,
    ChannelOut,
    EventOut,
    RuleIn,
    RuleOut,
    RulePatch,
    Severity,
)
from printscout.server.alerts.service import AlertService
from printscout.server.alerts.supplies import (
    device_in_scope,
    forecasts_for_device,
    order_suggestions,
)
from printscout.server.api.common import ApiRoute, FilterId, ItemId, Text
from printscout.server.scope import CurrentScope, WritableScope
from printscout.storage.alerts import Delivery, DeliveryAttempt, NotificationChannel
from printscout.storage.base import utcnow
from printscout.storage.errors import NotFound
from printscout.storage.session import Database

router = APIRouter(prefix="/api/v1", tags=["alerts"], route_class=ApiRoute)
T = TypeVar("T")


@contextmanager
def _answers() -> Iterator[None]:
    """Storage and rule errors as HTTP answers."""
    try:
        yield
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except manage.Refused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


async def _read(request: Request, work: Callable[[Session], T]) -> T:
    db: Database = request.app.state.db

    def run() -> T:
        with _answers(), db.reader() as session:
            return work(session)

    return await anyio.to_thread.run_sync(run)


async def _write(request: Request, work: Callable[[Session], T]) -> T:
    db: Database = request.app.state.db

    def run() -> T:
        with _answers():
            return db.write(work)

    return await anyio.to_thread.run_sync(run)


@router.get("/alert-rules")
async def list_rules(request: Request, scope: CurrentScope) -> list[RuleOut]:
    """The alert rules the caller sees."""
    rows = await _read(request, lambda s: manage.list_rules(s, scope))
    return [RuleOut.model_validate(r) for r in rows]


@router.post("/alert-rules", status_code=status.HTTP_201_CREATED)
async def create_rule(request: Request, scope: WritableScope, body: RuleIn) -> RuleOut:
    """Add a rule (of a customer or site, or dealer-wide)."""
    values = body.model_dump() | {"kind": body.kind.value}
    row = await _write(request, lambda s: manage.create_rule(s, scope, values))
    return RuleOut.model_validate(row)


@router.patch("/alert-rules/{rule_id}")
async def update_rule(
    request: Request, scope: WritableScope, rule_id: ItemId, body: RulePatch
) -> RuleOut:
    """Change a rule; disabling it closes its open alerts."""
    values = body.model_dump(exclude_unset=True)
    row = await _write(request, lambda s: manage.update_rule(s, scope, rule_id, values, utcnow()))
    return RuleOut.model_validate(row)


@router.delete("/alert-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(request: Request, scope: WritableScope, rule_id: ItemId) -> Response:
    """Delete a rule and its alerts."""
    await _write(request, lambda s: manage.delete_rule(s, scope, rule_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _channel(row: NotificationChannel) -> ChannelOut:
    return ChannelOut(
        id=row.id, name=row.name, kind=row.kind, target=row.target, signed=bool(row.secret)
    )


@router.get("/notification-channels")
async def list_channels(request: Request, scope: CurrentScope) -> list[ChannelOut]:
    """The dealer's notification channels."""
    return [_channel(c) for c in await _read(request, lambda s: manage.list_channels(s, scope))]


@router.post("/notification-channels", status_code=status.HTTP_201_CREATED)
async def create_channel(request: Request, scope: WritableScope, body: ChannelIn) -> ChannelOut:
    """Add an email or webhook channel. A webhook whose host is an address (or ``localhost``)
    outside the public internet and ``alerts.webhook_allowed_networks`` is refused at once;
    names are resolved and checked before every post."""
    if body.kind == "webhook":
        allowed = tuple(request.app.state.settings.alerts.webhook_allowed_networks)
        refused = destinations.without_lookup(body.target, allowed)
        if refused is not None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"webhook destination refused: {refused}"
            )
    values = body.model_dump()
    return _channel(await _write(request, lambda s: manage.create_channel(s, scope, values)))


@router.delete("/notification-channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_channel(request: Request, scope: WritableScope, channel_id: ItemId) -> Response:
    """Delete a channel."""
    await _write(request, lambda s: manage.delete_channel(s, scope, channel_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/alerts")
async def list_alerts(
    request: Request,
    scope: CurrentScope,
    state: AlertState = "open",
    customer_id: FilterId = None,
    site_id: FilterId = None,
    device_id: FilterId = None,
    kind: Text | None = None,
    severity: Severity | None = None,
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[AlertOut]:
    """Alerts the caller sees, newest first."""
    filters: dict[str, Any] = {
        "state": state, "customer_id": customer_id, "site_id": site_id,
        "device_id": device_id, "kind": kind, "severity": severity, "limit": limit,
    }  # fmt: skip
    rows = await _read(request, lambda s: queries.list_alerts(s, scope, **filters))
    return [AlertOut.model_validate(r) for r in rows]


@router.get("/alerts/{alert_id}")
async def get_alert(request: Request, scope: CurrentScope, alert_id: ItemId) -> AlertDetailOut:
    """One alert with its history and delivery log."""
    found = await _read(request, lambda s: queries.alert_detail(s, scope, alert_id))
    deliveries = [_delivery(d, attempts) for d, attempts in found.deliveries]
    return AlertDetailOut(
        alert=AlertOut.model_validate(found.alert),
        events=[EventOut.model_validate(e) for e in found.events],
        deliveries=deliveries,
    )


def _delivery(d: Delivery, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    log = [
        {"at": a.at, "ok": a.ok, "status_code": a.status_code, "error": a.error} for a in attempts
    ]
    return {
        "id": d.id,
        "channel_id": d.channel_id,
        "event": d.event,
        "state": d.state,
        "attempts": log,
    }


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge(request: Request, scope: WritableScope, alert_id: ItemId) -> AlertOut:
    """Mark an alert as seen; it stays open until its condition clears."""
    row = await _write(request, lambda s: queries.acknowledge(s, scope, alert_id, utcnow()))
    return AlertOut.model_validate(row)


@router.post("/alerts/{alert_id}/close")
async def close(request: Request, scope: WritableScope, alert_id: ItemId) -> AlertOut:
    """Close an alert by hand."""
    row = await _write(request, lambda s: queries.close_by_user(s, scope, alert_id, utcnow()))
    return AlertOut.model_validate(row)


@router.get("/devices/{device_id}/forecasts")
async def device_forecasts(
    request: Request, scope: CurrentScope, device_id: ItemId
) -> list[dict[str, Any]]:
    """Each supply of a device with days until empty, confidence, or why there is no answer."""
    service: AlertService = request.app.state.alerts

    def work(session: Session) -> list[dict[str, Any]]:
        if device_in_scope(session, scope, device_id) is None:
            raise NotFound(f"no device {device_id}")
        c = service.config
        slots = forecasts_for_device(session, device_id, utcnow(), c.forecast, c.history)
        return [dataclasses.asdict(s) for s in slots]

    return await _read(request, work)


@router.get("/customers/{customer_id}/order-suggestions")
async def suggestions(
    request: Request, scope: CurrentScope, customer_id: ItemId
) -> list[dict[str, Any]]:
    """Supplies to order for a customer, the soonest to run out first."""
    service: AlertService = request.app.state.alerts
    if not scope.sees_customer(customer_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no customer {customer_id}")
    horizon = timedelta(days=request.app.state.settings.alerts.order_horizon_days)

    def work(session: Session) -> list[dict[str, Any]]:
        found = order_suggestions(
            session, scope, customer_id, utcnow(), horizon, service.config.forecast
        )
        return [dataclasses.asdict(s) for s in found]

    return await _read(request, work)
