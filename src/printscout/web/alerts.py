"""The alerts page: open or closed alerts in scope with filters, one alert's history,
acknowledging and closing (admins and operators), and a customer's supplies to order."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.server.alerts import queries
from printscout.server.alerts.supplies import order_suggestions
from printscout.server.api.common import MAX_ID
from printscout.storage import dashboard
from printscout.storage.base import utcnow
from printscout.storage.errors import NotFound
from printscout.storage.fleet import Device
from printscout.web.pages import render
from printscout.web.security import check_csrf, form
from printscout.web.sessions import Shared, SignedIn, Writer

router = APIRouter(include_in_schema=False)
STATES: Final = ("open", "closed", "all")
SEVERITIES: Final = ("critical", "warning", "info")
PAGE: Final = 200


def _bounded(value: str | None) -> int | None:
    """A filter id from the query string; anything else (junk, out of range) is no filter."""
    if not value or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _device_names(session: Session, ids: set[int]) -> dict[int, str]:
    """What to call each device in the list: its model, else host name, else address."""
    found = session.execute(
        select(Device.id, Device.model, Device.hostname, Device.address).where(
            Device.id.in_(sorted(ids))
        )
    )
    return {i: model or host or address or str(i) for i, model, host, address in found}


@router.get("/alerts")
def alerts_page(request: Request, login: SignedIn, shared: Shared) -> Response:
    """Alerts the user sees, newest first, filtered by state, customer, site and severity."""
    args = request.query_params
    state = args.get("state", "open")
    state = state if state in STATES else "open"
    severity = args.get("severity", "")
    severity = severity if severity in SEVERITIES else ""
    customer_id, site_id = _bounded(args.get("customer")), _bounded(args.get("site"))
    with shared.db.reader() as session:
        rows = queries.list_alerts(
            session, login.scope, state=state,  # type: ignore[arg-type]
            customer_id=customer_id, site_id=site_id, severity=severity or None, limit=PAGE,
        )  # fmt: skip
        choices = dashboard.choices(session, login.scope)
        devices = _device_names(session, {a.device_id for a in rows if a.device_id})
    return render(
        request, login, "alerts/alerts.html", rows=rows, choices=choices, state=state,
        severity=severity, customer_id=customer_id, site_id=site_id, states=STATES,
        severities=SEVERITIES, devices=devices,
    )  # fmt: skip


@router.get("/alerts/{alert_id}")
def alert_page(alert_id: int, request: Request, login: SignedIn, shared: Shared) -> Response:
    """One alert with its history and delivery log (404 outside the user's scope)."""
    if not 0 < alert_id < 2**63:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such alert")
    with shared.db.reader() as session:
        try:
            detail = queries.alert_detail(session, login.scope, alert_id)
        except NotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such alert") from exc
    return render(request, login, "alerts/alert.html", detail=detail, alert=detail.alert)


async def _act(
    alert_id: int, request: Request, login: Writer, shared: Shared, close: bool
) -> Response:
    check_csrf(login.csrf, await form(request))
    if not 0 < alert_id < 2**63:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such alert")
    action = queries.close_by_user if close else queries.acknowledge

    def work() -> None:
        with shared.db.writer() as session:
            action(session, login.scope, alert_id, utcnow())

    try:
        await run_in_threadpool(work)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such alert") from exc
    return Response(status_code=303, headers={"location": f"/alerts/{alert_id}"})


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge(alert_id: int, request: Request, login: Writer, shared: Shared) -> Response:
    """Mark the alert as seen (it stays open until its condition clears)."""
    return await _act(alert_id, request, login, shared, close=False)


@router.post("/alerts/{alert_id}/close")
async def close(alert_id: int, request: Request, login: Writer, shared: Shared) -> Response:
    """Close the alert by hand."""
    return await _act(alert_id, request, login, shared, close=True)


@router.get("/customers/{customer_id}/orders")
def orders_page(customer_id: int, request: Request, login: SignedIn, shared: Shared) -> Response:
    """Supplies of one customer's printers to order soon (404 outside the user's scope)."""
    with shared.db.reader() as session:
        choices = dashboard.choices(session, login.scope)
        names = dict(choices.customers)
        if customer_id not in names:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such customer")
        rows = order_suggestions(session, login.scope, customer_id, utcnow())
    return render(request, login, "alerts/orders.html", rows=rows, customer=names[customer_id])
