"""Scoped queries of the integration API: every one filters by the caller's dealer and customers.

Devices are listed with their newest reading found by a correlated ``max(observed_at)`` per
device, which both databases answer from the readings' primary key (device, time) with one
index probe, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Customer, Scope, Site
from printscout.storage.fleet import Device, DeviceSupply
from printscout.storage.readings import ReadingRecord

Ts = TypeVarTuple("Ts")

OFFLINE = "offline"
DEVICE_STATES = ("running", "warning", "testing", "down", "unknown", OFFLINE)


def within(query: Select[*Ts], scope: Scope) -> Select[*Ts]:
    """``query`` (which joins Customer) narrowed to what ``scope`` may see."""
    query = query.where(Customer.dealer_id == scope.dealer_id)
    if scope.customer_ids is not None:
        query = query.where(Customer.id.in_(sorted(scope.customer_ids)))
    return query


@dataclass(frozen=True, slots=True)
class DeviceFilter:
    """Which devices a list asks for (None: any)."""

    customer_id: int | None = None
    site_id: int | None = None
    model: str | None = None
    state: str | None = None
    cursor: int | None = None


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """A device with its place in the account tree and its newest status."""

    device: Device
    site_name: str
    customer_id: int
    customer_name: str
    state: str
    device_status: str | None
    printer_status: str | None
    status_at: datetime | None


def _newest_at() -> Any:
    return (
        select(func.max(ReadingRecord.observed_at))
        .where(ReadingRecord.device_id == Device.id)
        .correlate(Device)
        .scalar_subquery()
    )


def _state(cutoff: datetime) -> ColumnElement[str]:
    """``offline`` when not heard from since ``cutoff``, else the newest hrDeviceStatus."""
    return case(
        (Device.last_seen_at < cutoff, literal(OFFLINE)),
        else_=func.coalesce(ReadingRecord.device_status, literal("unknown")),
    )


def _devices(scope: Scope, cutoff: datetime) -> Select[*tuple[Any, ...]]:
    state = _state(cutoff)
    newest = (ReadingRecord.device_id == Device.id) & (ReadingRecord.observed_at == _newest_at())
    query: Select[*tuple[Any, ...]] = (
        select(
            Device,
            Site.name,
            Customer.id,
            Customer.name,
            state.label("state"),
            ReadingRecord.device_status,
            ReadingRecord.printer_status,
            ReadingRecord.observed_at,
        )
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .outerjoin(ReadingRecord, newest)
    )
    return within(query, scope)


def list_devices(
    session: Session, scope: Scope, wanted: DeviceFilter, now: datetime, stale: timedelta, n: int
) -> list[DeviceRow]:
    """Up to ``n`` devices in scope matching ``wanted``, by id from ``wanted.cursor``."""
    cutoff = now - stale
    query = _devices(scope, cutoff).order_by(Device.id).limit(n)
    if wanted.cursor is not None:
        query = query.where(Device.id >= wanted.cursor)
    if wanted.customer_id is not None:
        query = query.where(Customer.id == wanted.customer_id)
    if wanted.site_id is not None:
        query = query.where(Site.id == wanted.site_id)
    if wanted.model is not None:
        query = query.where(func.lower(Device.model) == wanted.model.lower())
    if wanted.state is not None:
        query = query.where(_state(cutoff) == wanted.state)
    return [DeviceRow(*row) for row in session.execute(query)]


def device_row(
    session: Session, scope: Scope, device_id: int, now: datetime, stale: timedelta
) -> DeviceRow | None:
    """One device in scope, or None (unknown or someone else's: the caller cannot tell)."""
    query = _devices(scope, now - stale).where(Device.id == device_id)
    row = session.execute(query).one_or_none()
    return None if row is None else DeviceRow(*row)


def supplies_of(session: Session, device_id: int) -> list[DeviceSupply]:
    """The current supply slots of a device, by index."""
    return list(
        session.scalars(
            select(DeviceSupply)
            .where(DeviceSupply.device_id == device_id)
            .order_by(DeviceSupply.supply_index)
        )
    )


def newest_reading(session: Session, device_id: int) -> ReadingRecord | None:
    """The newest reading of a device."""
    return session.scalar(
        select(ReadingRecord)
        .where(ReadingRecord.device_id == device_id)
        .order_by(ReadingRecord.observed_at.desc())
        .limit(1)
    )


def readings_of(
    session: Session, device_id: int, since: datetime | None, until: datetime | None, n: int
) -> list[ReadingRecord]:
    """Up to ``n`` readings with ``since <= observed_at < until``, oldest first."""
    query = (
        select(ReadingRecord)
        .where(ReadingRecord.device_id == device_id)
        .order_by(ReadingRecord.observed_at)
        .limit(n)
    )
    if since is not None:
        query = query.where(ReadingRecord.observed_at >= since)
    if until is not None:
        query = query.where(ReadingRecord.observed_at < until)
    return list(session.scalars(query))
