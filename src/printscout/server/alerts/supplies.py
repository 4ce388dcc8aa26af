"""Forecasts per device and order suggestions per customer, for the console, the API and rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.server.alerts.facts import device_name, level_history
from printscout.server.alerts.forecast import (
    DEFAULT_RULES,
    Forecast,
    ForecastRules,
    ForecastStatus,
    forecast,
)
from printscout.storage.accounts import Customer, Scope, Site
from printscout.storage.fleet import Device, DeviceSupply

HISTORY: timedelta = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class SupplyForecast:
    """One supply slot of a device with its forecast."""

    device_id: int
    supply_index: int
    name: str
    kind: str
    color: str | None
    state: str
    forecast: Forecast


@dataclass(frozen=True, slots=True)
class OrderSuggestion:
    """A supply to order: which printer, which cartridge, and by when it runs out."""

    device_id: int
    device: str
    site_id: int
    supply_index: int
    supply: str
    kind: str
    color: str | None
    level_percent: int | None
    state: str
    days_left: float | None
    empty_at: datetime | None
    confidence: float
    pages_per_cartridge: int | None
    reason: str


def device_in_scope(session: Session, scope: Scope, device_id: int) -> Device | None:
    """The device if the scope sees it, else None."""
    row = session.execute(
        select(Device, Site.customer_id)
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Device.id == device_id, Customer.dealer_id == scope.dealer_id)
    ).one_or_none()
    if row is None or not scope.sees_customer(row[1]):
        return None
    return row[0]


def forecasts_for_device(
    session: Session,
    device_id: int,
    now: datetime,
    rules: ForecastRules = DEFAULT_RULES,
    history: timedelta = HISTORY,
) -> list[SupplyForecast]:
    """Every supply slot of the device with its forecast from the last ``history`` of levels."""
    levels = level_history(session, device_id, now - history)
    slots = session.scalars(
        select(DeviceSupply)
        .where(DeviceSupply.device_id == device_id)
        .order_by(DeviceSupply.supply_index)
    )
    return [
        SupplyForecast(
            device_id,
            s.supply_index,
            s.description or " ".join(p for p in (s.color, s.kind) if p),
            s.kind,
            s.color,
            s.state,
            forecast(levels.get(s.supply_index, []), now, rules),
        )
        for s in slots
    ]


def order_suggestions(
    session: Session,
    scope: Scope,
    customer_id: int,
    now: datetime,
    horizon: timedelta = timedelta(days=21),
    rules: ForecastRules = DEFAULT_RULES,
) -> list[OrderSuggestion]:
    """Supplies of the customer's printers to order: low or empty now, or forecast to run out
    within ``horizon``; the soonest first. Empty when the scope does not see the customer."""
    if not scope.sees_customer(customer_id):
        return []
    devices = session.scalars(
        select(Device)
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Site.customer_id == customer_id, Customer.dealer_id == scope.dealer_id)
        .order_by(Device.id)
    ).all()
    out = []
    for device in devices:
        for slot in forecasts_for_device(session, device.id, now, rules):
            suggestion = _suggest(device, slot, horizon)
            if suggestion is not None:
                out.append(suggestion)
    return sorted(out, key=lambda s: (s.days_left if s.days_left is not None else 0, s.device_id))


def _suggest(device: Device, slot: SupplyForecast, horizon: timedelta) -> OrderSuggestion | None:
    f = slot.forecast
    if slot.kind == "waste_toner" and slot.state not in ("low", "empty"):
        return None
    soon = f.status in (ForecastStatus.OK, ForecastStatus.EMPTY) and (
        f.days_left is not None and f.days_left <= horizon.total_seconds() / 86_400
    )
    if not soon and slot.state not in ("low", "empty"):
        return None
    reason = (
        f"runs out in {f.days_left:.0f} days" if soon and f.days_left else f"state {slot.state}"
    )
    return OrderSuggestion(
        device.id,
        device_name(device),
        device.site_id,
        slot.supply_index,
        slot.name,
        slot.kind,
        slot.color,
        f.level_percent,
        slot.state,
        f.days_left,
        f.empty_at,
        f.confidence,
        f.pages_per_cartridge,
        reason,
    )
