"""Console queries: the fleet at a glance, filtered pages of devices, one device in full.

Every query is limited to the caller's dealer and allowed customers. A device's state comes
from its newest reading, found by primary key: ``devices.last_seen_at`` is that reading's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
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


def state_of(now: datetime, status: ColumnElement[str | None]) -> ColumnElement[str]:
    """SQL for a device's state: silent, else from its newest reading's device status."""
    return case(
        (Device.last_seen_at < now - SILENT_AFTER, "silent"),
        (status == "down", "error"),
        (status == "warning", "warning"),
        else_="ok",
    )


def _with_state(query: Q, session: Session, now: datetime) -> tuple[Q, ColumnElement[str]]:
    """Join each device's newest reading by primary key; returns the query and its state.

    PostgreSQL gets a LATERAL subquery so it probes the index once per device: a plain outer
    join lets it hash the whole readings table instead (months of readings, not 10,000 rows).
    SQLite always probes the primary key in a nested loop.
    """
    at_last_seen = and_(
        ReadingRecord.device_id == Device.id, ReadingRecord.observed_at == Device.last_seen_at
    )
    if session.get_bind().dialect.name == "postgresql":
        # LIMIT keeps the planner from flattening the subquery back into that join.
        newest = select(ReadingRecord.device_status).where(at_last_seen).limit(1).lateral("newest")
        return query.outerjoin(newest, true()), state_of(now, newest.c.device_status)
    return query.outerjoin(ReadingRecord, at_last_seen), state_of(
        now, ReadingRecord.device_status.expression
    )


def _sites_of(customers: list[int]) -> Select[int]:
    return select(Site.id).where(Site.customer_id.in_(customers))


def _in_scope(query: Q, scope: Scope, session: Session | None = None) -> Q:
    """Only the caller's devices. Sites are matched by a subquery, not a join, so the planner
    can walk devices in id order and stop at the page's end."""
    dealer: ColumnElement[int] = Device.dealer_id.expression
    if session is not None and session.get_bind().dialect.name == "sqlite":
        # "+ 0" hides the (dealer_id, serial) index from SQLite, which would otherwise take
        # it and sort the whole fleet; a dealer owns nearly every row anyway.
        dealer = Device.dealer_id + 0
    query = query.where(dealer == scope.dealer_id)
    if scope.customer_ids is not None:
        query = query.where(Device.site_id.in_(_sites_of(sorted(scope.customer_ids))))
    return query


def _filtered(query: Q, flt: FleetFilter) -> Q:
    if flt.customer_id is not None:
        query = query.where(Device.site_id.in_(_sites_of([flt.customer_id])))
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
    session: Session,
    scope: Scope,
    flt: FleetFilter,
    now: datetime,
    after: int | None = None,
    limit: int = PAGE,
    ids: Sequence[int] | None = None,
) -> tuple[list[FleetRow], int | None]:
    """One page of devices by id after ``after`` (keyset paging); returns the next ``after``.

    ``ids`` limits the page to those devices (still only those in scope)."""
    query: Select[*tuple[Any, ...]] = select(
        Device.id,
        Device.site_id,
        Device.manufacturer,
        Device.model,
        Device.serial,
        Device.address,
        Device.hostname,
        Device.location,
        Device.last_seen_at,
    ).select_from(Device)
    query, state = _with_state(_filtered(_in_scope(query, scope, session), flt), session, now)
    query = query.add_columns(state)
    if flt.state in STATES:
        query = query.where(state == flt.state)
    if after is not None:
        query = query.where(Device.id > after)
    if ids is not None:
        query = query.where(Device.id.in_(sorted(ids)))
    found = list(session.execute(query.order_by(Device.id).limit(limit + 1)))
    names = _site_names(session, {row[1] for row in found[:limit]})
    rows = [FleetRow(row[0], *names[row[1]], *row[2:]) for row in found[:limit]]
    return rows, (rows[-1].device_id if len(found) > limit else None)


def _site_names(session: Session, site_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Customer and site name of each site (a page holds a few dozen at most)."""
    if not site_ids:
        return {}
    rows = session.execute(
        select(Site.id, Customer.name, Site.name)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Site.id.in_(sorted(site_ids)))
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def device_states(
    session: Session, scope: Scope, flt: FleetFilter, now: datetime
) -> list[tuple[int, str]]:
    """Every device under the filter (except its state) with its state, in one pass: the
    dashboard counts them and picks the troubled ones from this instead of scanning again."""
    query = _filtered(_in_scope(select(Device.id).select_from(Device), scope, session), flt)
    query, state = _with_state(query, session, now)
    return [(int(row[0]), str(row[1])) for row in session.execute(query.add_columns(state))]


def state_counts(states: list[tuple[int, str]]) -> dict[str, int]:
    """How many devices are in each state."""
    counts = dict.fromkeys(STATES, 0)
    for _, state in states:
        counts[state] += 1
    return counts


def first_in_state(states: list[tuple[int, str]], state: str, limit: int = 10) -> list[int]:
    """The lowest ids of devices in ``state``."""
    return sorted(i for i, s in states if s == state)[:limit]


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
    rows = session.execute(_in_scope(query, scope, session))
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
    models = _in_scope(select(Device.model).select_from(Device), scope, session)
    models = models.where(Device.model.is_not(None)).distinct().order_by(Device.model)
    return Choices(
        [(i, n) for i, n in session.execute(customers.order_by(Customer.name))],
        [(i, c, n) for i, c, n in session.execute(sites.order_by(Site.name))],
        [m for m in session.scalars(models) if m],
    )
