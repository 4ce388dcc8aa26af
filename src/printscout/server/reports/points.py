"""The devices a report covers and their meter points over a period, read from storage.

A device's points are its daily roll-ups (the counters and supply levels of each day's last
reading) plus the raw readings newer than its last roll-up: the roll-up runs from cron, so the
most recent days are read raw. Points are looked for from ``LOOKBACK`` before the period on, so
the period's opening value is the last point before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Collector, Customer, Scope, Site
from printscout.storage.fleet import Device
from printscout.storage.readings import COUNTER_COLUMNS, ReadingDay, ReadingRecord

# How far before the period an opening reading is looked for.
LOOKBACK: Final = timedelta(days=35)
# Devices per query: well under SQLite's bound-parameter limit.
CHUNK: Final = 2000


@dataclass(frozen=True, slots=True)
class Period:
    """From 00:00 UTC of ``start`` up to (not including) 00:00 UTC of ``end``."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        """The first moment of the period."""
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end, time(), UTC)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """Who and where a device is, as a report names it."""

    device_id: int
    customer_id: int
    customer: str
    site_id: int
    site: str
    manufacturer: str | None
    model: str | None
    serial: str | None
    asset_number: str | None
    location: str | None
    address: str
    last_seen_at: datetime
    collector: str | None
    collector_last_seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class Point:
    """One device's counters and supply levels at one moment."""

    at: datetime
    counters: tuple[int | None, ...]  # in COUNTER_COLUMNS order
    supplies: tuple[dict[str, Any], ...]


def scoped_devices(
    session: Session,
    scope: Scope,
    customer_id: int | None = None,
    site_id: int | None = None,
) -> list[DeviceInfo]:
    """The devices the scope sees (optionally one customer's or site's), by customer and site."""
    query = (
        select(
            Device.id,
            Site.customer_id,
            Customer.name,
            Device.site_id,
            Site.name,
            Device.manufacturer,
            Device.model,
            Device.serial,
            Device.asset_number,
            Device.location,
            Device.address,
            Device.last_seen_at,
            Collector.name,
            Collector.last_seen_at,
        )
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .outerjoin(Collector, Collector.id == Device.collector_id)
        .where(Customer.dealer_id == scope.dealer_id)
        .order_by(Customer.name, Customer.id, Site.name, Site.id, Device.serial, Device.id)
    )
    if scope.customer_ids is not None:
        query = query.where(Site.customer_id.in_(sorted(scope.customer_ids)))
    if customer_id is not None:
        query = query.where(Site.customer_id == customer_id)
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    rows: Iterable[Sequence[Any]] = session.execute(query)
    return [DeviceInfo(*row) for row in rows]


def device_points(
    session: Session, device_ids: Sequence[int], period: Period
) -> dict[int, list[Point]]:
    """Each device's points from ``LOOKBACK`` before the period to its end, oldest first."""
    found: dict[int, list[Point]] = {d: [] for d in device_ids}
    for chunk in _chunks(device_ids):
        for device_id, point in _daily(session, chunk, period):
            found[device_id].append(point)
        for device_id, point in _raw(session, chunk, period):
            found[device_id].append(point)
    for points in found.values():
        points.sort(key=_moment)
    return found


def _moment(point: Point) -> datetime:
    return point.at


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


def _daily(session: Session, ids: list[int], period: Period) -> Iterator[tuple[int, Point]]:
    """The daily roll-ups: one point at each day's last reading."""
    first = (period.start_at - LOOKBACK).date()
    cols = [getattr(ReadingDay, c) for c in COUNTER_COLUMNS]
    query = select(
        ReadingDay.device_id, ReadingDay.last_observed_at, ReadingDay.supplies, *cols
    ).where(
        ReadingDay.device_id.in_(ids),
        ReadingDay.day >= first,
        ReadingDay.day < period.end,
    )
    for row in session.execute(query):
        yield row[0], Point(row[1], tuple(row[3:]), tuple(row[2] or ()))


def _raw(session: Session, ids: list[int], period: Period) -> Iterator[tuple[int, Point]]:
    """The raw readings after each device's last roll-up (all of them where none exists)."""
    first = (period.start_at - LOOKBACK).date()
    rolled = (
        select(ReadingDay.device_id, func.max(ReadingDay.last_observed_at).label("upto"))
        .where(ReadingDay.device_id.in_(ids), ReadingDay.day >= first, ReadingDay.day < period.end)
        .group_by(ReadingDay.device_id)
        .subquery()
    )
    cols = [getattr(ReadingRecord, c) for c in COUNTER_COLUMNS]
    query = (
        select(ReadingRecord.device_id, ReadingRecord.observed_at, ReadingRecord.supplies, *cols)
        .outerjoin(rolled, rolled.c.device_id == ReadingRecord.device_id)
        .where(
            ReadingRecord.device_id.in_(ids),
            ReadingRecord.observed_at >= period.start_at - LOOKBACK,
            ReadingRecord.observed_at < period.end_at,
            or_(rolled.c.upto.is_(None), ReadingRecord.observed_at > rolled.c.upto),
        )
    )
    for row in session.execute(query):
        yield row[0], Point(row[1], tuple(row[3:]), tuple(row[2] or ()))


def period_anomalies(
    session: Session, device_ids: Sequence[int], period: Period
) -> dict[int, tuple[str, ...]]:
    """What the collector flagged on each device's counters in the period (raw readings only:
    the roll-ups do not keep it, so a period older than the raw retention shows none)."""
    found: dict[int, dict[str, None]] = {}
    for chunk in _chunks(device_ids):
        query = select(ReadingRecord.device_id, ReadingRecord.counter_anomalies).where(
            ReadingRecord.device_id.in_(chunk),
            ReadingRecord.observed_at >= period.start_at,
            ReadingRecord.observed_at < period.end_at,
            ReadingRecord.counter_anomalies.is_not(None),
        )
        for device_id, anomalies in session.execute(query.order_by(ReadingRecord.observed_at)):
            found.setdefault(device_id, {}).update(dict.fromkeys(anomalies or ()))
    return {d: tuple(names) for d, names in found.items()}


def split(points: Sequence[Point], period: Period) -> tuple[Point | None, list[Point]]:
    """The last point before the period, and the points inside it."""
    before = [p for p in points if p.at < period.start_at]
    inside = [p for p in points if period.start_at <= p.at < period.end_at]
    return (before[-1] if before else None), inside


def scope_label(
    session: Session, scope: Scope, customer_id: int | None, site_id: int | None
) -> str | None:
    """What a report covers, in words; None when the customer or site is outside the scope."""
    query = (
        select(Customer.id, Customer.name, Site.name)
        .outerjoin(Site, Site.customer_id == Customer.id)
        .where(Customer.dealer_id == scope.dealer_id)
    )
    if customer_id is None and site_id is None:
        if scope.customer_ids is None:
            return "all customers"
        return f"{len(scope.customer_ids)} customer(s)"
    if customer_id is not None:
        query = query.where(Customer.id == customer_id)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    found = session.execute(query.limit(1)).first()
    if found is None or not scope.sees_customer(found[0]):
        return None
    return (
        f"customer {found[1]}, site {found[2]}" if site_id is not None else f"customer {found[1]}"
    )
