"""Console queries for one device: who may see it, what it is now, how it got there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Customer, Scope, Site
from printscout.storage.fleet import Device, DeviceAddress, DeviceSupply
from printscout.storage.readings import ReadingDay, ReadingRecord


@dataclass(frozen=True, slots=True)
class DeviceHead:
    """A device the caller may see, with its customer and site names."""

    device: Device
    customer: str
    site: str


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One point of a device's charts: time, total pages, supply levels by slot."""

    at: datetime
    pages: int | None
    levels: dict[int, int | None]


def device_in_scope(session: Session, scope: Scope, device_id: int) -> DeviceHead | None:
    """The device if it belongs to the caller's dealer and an allowed customer, else None."""
    row = session.execute(
        select(Device, Customer.name, Site.name, Site.customer_id)
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Device.id == device_id, Device.dealer_id == scope.dealer_id)
    ).one_or_none()
    if row is None or not scope.sees_customer(row[3]):
        return None
    return DeviceHead(row[0], row[1], row[2])


def addresses(session: Session, device_id: int) -> list[DeviceAddress]:
    """The addresses a device had, current ones first."""
    return list(
        session.scalars(
            select(DeviceAddress)
            .where(DeviceAddress.device_id == device_id)
            .order_by(DeviceAddress.since.desc())
            .limit(20)
        )
    )


def newest_reading(session: Session, device: Device) -> ReadingRecord | None:
    """The device's newest reading (the one at its ``last_seen_at``)."""
    return session.get(ReadingRecord, (device.id, device.last_seen_at))


def supplies(session: Session, device_id: int) -> list[DeviceSupply]:
    """The device's supply slots in index order."""
    return list(
        session.scalars(
            select(DeviceSupply)
            .where(DeviceSupply.device_id == device_id)
            .order_by(DeviceSupply.supply_index)
        )
    )


def raw_history(session: Session, device_id: int, since: datetime) -> list[HistoryPoint]:
    """Pages and supply levels from every reading since ``since``."""
    rows = session.execute(
        select(ReadingRecord.observed_at, ReadingRecord.counter_total, ReadingRecord.supplies)
        .where(ReadingRecord.device_id == device_id, ReadingRecord.observed_at >= since)
        .order_by(ReadingRecord.observed_at)
    )
    return [HistoryPoint(at, pages, _levels(levels)) for at, pages, levels in rows]


def daily_history(session: Session, device_id: int, since: datetime) -> list[HistoryPoint]:
    """Pages and supply levels from the daily roll-ups since ``since`` (older data)."""
    rows = session.execute(
        select(ReadingDay.last_observed_at, ReadingDay.counter_total, ReadingDay.supplies)
        .where(ReadingDay.device_id == device_id, ReadingDay.day >= since.date())
        .order_by(ReadingDay.day)
    )
    return [HistoryPoint(at, pages, _levels(levels)) for at, pages, levels in rows]


def _levels(supplies: list[dict[str, Any]] | None) -> dict[int, int | None]:
    return {int(s["index"]): s.get("level_percent") for s in supplies or () if "index" in s}
