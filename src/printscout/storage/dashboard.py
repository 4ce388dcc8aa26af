"""Console queries: the fleet at a glance, filtered pages of devices, one device in full.

Every query is limited to the caller's dealer and allowed customers. A device's state comes
from its newest reading, found by primary key: ``devices.last_seen_at`` is that reading's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Customer, Scope, Site
from printscout.storage.fleet import Device, DeviceSupply
from printscout.storage.readings import ReadingRecord

SILENT_AFTER: Final = timedelta(hours=2)
STATES: Final = ("ok", "warning", "error", "silent")
PAGE: Final = 50
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True, slots=True)
class FleetFilter:
    """What the dashboard's filter form asks for (empty: no filter)."""

    q: str = ""
    customer_id: int | None = None
    site_id: int | None = None
    model: str = ""
    state: str = ""


@dataclass(frozen=True, slots=True)
class FleetRow:
    """One device in a fleet list."""

    device_id: int
    customer: str
    site: str
    manufacturer: str | None
    model: str | None
    serial: str | None
    address: str
    hostname: str | None
    location: str | None
    last_seen_at: datetime
    state: str


@dataclass(frozen=True, slots=True)
class SupplyRow:
    """A supply with its device, for the lowest-supplies list."""

    device_id: int
    model: str | None
    location: str | None
    kind: str
    color: str | None
    description: str | None
    level_percent: int | None
    state: str


@dataclass(frozen=True, slots=True)
class Choices:
    """What the filter form offers: the customers, sites and models in scope."""

    customers: list[tuple[int, str]]
    sites: list[tuple[int, int, str]]
    models: list[str]


def state_of(now: datetime) -> ColumnElement[str]:
    """SQL for a device's state: silent, else from its newest reading's device status."""
    return case(
        (Device.last_seen_at < now - SILENT_AFTER, "silent"),
        (ReadingRecord.device_status == "down", "error"),
        (ReadingRecord.device_status == "warning", "warning"),
        else_="ok",
    )


def _newest(query: Q) -> Q:
    return query.outerjoin(
        ReadingRecord,
        and_(
            ReadingRecord.device_id == Device.id,
            ReadingRecord.observed_at == Device.last_seen_at,
        ),
    )


def _in_scope(query: Q, scope: Scope) -> Q:
    query = query.join(Site, Site.id == Device.site_id).where(Device.dealer_id == scope.dealer_id)
    if scope.customer_ids is not None:
        query = query.where(Site.customer_id.in_(sorted(scope.customer_ids)))
    return query


def _filtered(query: Q, flt: FleetFilter) -> Q:
    if flt.customer_id is not None:
        query = query.where(Site.customer_id == flt.customer_id)
    if flt.site_id is not None:
        query = query.where(Device.site_id == flt.site_id)
    if flt.model:
        query = query.where(Device.model == flt.model)
    if flt.q.strip():
        text = flt.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{text}%"
        columns = (Device.serial, Device.model, Device.hostname, Device.location, Device.address)
        query = query.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))
    return query


def fleet_page(
    session: Session, scope: Scope, flt: FleetFilter, now: datetime, after: int | None = None
) -> tuple[list[FleetRow], int | None]:
    """One page of devices by id after ``after`` (keyset paging); returns the next ``after``."""
    state = state_of(now).label("state")
    query = (
        select(
            Device.id,
            Customer.name,
            Site.name,
            Device.manufacturer,
            Device.model,
            Device.serial,
            Device.address,
            Device.hostname,
            Device.location,
            Device.last_seen_at,
            state,
        )
        .select_from(Device)
        .order_by(Device.id)
        .limit(PAGE + 1)
    )
    query = _filtered(_newest(_in_scope(query, scope)), flt)
    query = query.join(Customer, Customer.id == Site.customer_id)
    if flt.state in STATES:
        query = query.where(state_of(now) == flt.state)
    if after is not None:
        query = query.where(Device.id > after)
    rows = [FleetRow(*row) for row in session.execute(query)]
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return rows, (rows[-1].device_id if more else None)


def state_counts(session: Session, scope: Scope, flt: FleetFilter, now: datetime) -> dict[str, int]:
    """How many devices are in each state, under the filter except its state."""
    state = state_of(now)
    query = select(state, func.count()).select_from(Device).group_by(state)
    query = _filtered(_newest(_in_scope(query, scope)), flt)
    counts = dict.fromkeys(STATES, 0)
    counts.update({str(row[0]): int(row[1]) for row in session.execute(query)})
    return counts


def lowest_supplies(session: Session, scope: Scope, limit: int = 10) -> list[SupplyRow]:
    """The emptiest low or empty supplies in scope."""
    query = (
        select(
            Device.id,
            Device.model,
            Device.location,
            DeviceSupply.kind,
            DeviceSupply.color,
            DeviceSupply.description,
            DeviceSupply.level_percent,
            DeviceSupply.state,
        )
        .select_from(DeviceSupply)
        .join(Device, Device.id == DeviceSupply.device_id)
        .where(DeviceSupply.state.in_(("low", "empty")))
        .order_by(DeviceSupply.level_percent.asc().nulls_first(), DeviceSupply.id)
        .limit(limit)
    )
    rows = session.execute(_in_scope(query, scope))
    return [SupplyRow(*row) for row in rows]


def choices(session: Session, scope: Scope) -> Choices:
    """The customers, sites and device models the filter form offers."""
    customers = select(Customer.id, Customer.name).where(Customer.dealer_id == scope.dealer_id)
    sites = (
        select(Site.id, Site.customer_id, Site.name)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Customer.dealer_id == scope.dealer_id)
    )
    if scope.customer_ids is not None:
        allowed = sorted(scope.customer_ids)
        customers = customers.where(Customer.id.in_(allowed))
        sites = sites.where(Site.customer_id.in_(allowed))
    models = _in_scope(select(Device.model).select_from(Device), scope)
    models = models.where(Device.model.is_not(None)).distinct().order_by(Device.model)
    return Choices(
        [(i, n) for i, n in session.execute(customers.order_by(Customer.name))],
        [(i, c, n) for i, c, n in session.execute(sites.order_by(Site.name))],
        [m for m in session.scalars(models) if m],
    )
