"""The devices a report covers and their meter points over a period, read from storage.

A device's points are its daily roll-ups (the counters and supply levels of each day's last
reading) plus the raw readings newer than its last roll-up: the roll-up runs from cron, so the
most recent days are read raw. Points are looked for from ``LOOKBACK`` before the period on, so
the period's opening value is the last point before it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from printscout.storage.accounts import Collector, Customer, Scope, Site
from printscout.storage.fleet import Device
from printscout.storage.readings import COUNTER_COLUMNS, ReadingDay, ReadingRecord

# How far before the period an opening reading is looked for.
LOOKBACK: Final = timedelta(days=35)
# Devices per query: well under SQLite's bound-parameter limit.
CHUNK: Final = 2000

Measure = Literal["counters", "supplies"]


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
    unit: str | None  # what the total counts: pages, impressions, sheets... (None: unknown)
    levels: dict[int, int | None]  # supply index -> level percent


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
    rows: Iterable[Sequence[Any]] = session.connection().execute(query)
    return [DeviceInfo(*row) for row in rows]


def device_points(
    session: Session, device_ids: Sequence[int], period: Period, what: Measure = "counters"
) -> dict[int, list[Point]]:
    """Each device's points from ``LOOKBACK`` before the period to its end, oldest first,
    with its counters or with its supply levels (decoding the other costs half the time)."""
    found: dict[int, list[Point]] = {d: [] for d in device_ids}
    for chunk in _chunks(device_ids):
        for query in (_daily(chunk, period, what), _raw(chunk, period, what)):
            for row in session.connection().execute(query):
                if what == "counters":
                    point = Point(row[1], tuple(row[3:]), row[2], {})
                else:
                    point = Point(row[1], (), None, _levels(row[2]))
                found[row[0]].append(point)
    for points in found.values():
        points.sort(key=_moment)
    return found


def _levels(supplies: list[dict[str, Any]] | None) -> dict[int, int | None]:
    """Supply index -> level percent, from a reading's supplies JSON."""
    out: dict[int, int | None] = {}
    for supply in supplies or ():
        index, level = supply.get("index"), supply.get("level_percent")
        if isinstance(index, int):
            out[index] = level if isinstance(level, int) else None
    return out


def _moment(point: Point) -> datetime:
    return point.at


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


def _measured(model: type[ReadingDay] | type[ReadingRecord], what: Measure) -> list[Any]:
    if what == "counters":
        return [model.counter_unit, *(getattr(model, c) for c in COUNTER_COLUMNS)]
    return [model.supplies]


def _daily(ids: list[int], period: Period, what: Measure) -> Select[Any]:
    """The daily roll-ups: one point at each day's last reading."""
    first = (period.start_at - LOOKBACK).date()
    return select(
        ReadingDay.device_id, ReadingDay.last_observed_at, *_measured(ReadingDay, what)
    ).where(
        ReadingDay.device_id.in_(ids),
        ReadingDay.day >= first,
        ReadingDay.day < period.end,
    )


def _raw(ids: list[int], period: Period, what: Measure) -> Select[Any]:
    """The raw readings after each device's last roll-up (all of them where none exists)."""
    first = (period.start_at - LOOKBACK).date()
    rolled = (
        select(ReadingDay.device_id, func.max(ReadingDay.last_observed_at).label("upto"))
        .where(ReadingDay.device_id.in_(ids), ReadingDay.day >= first, ReadingDay.day < period.end)
        .group_by(ReadingDay.device_id)
        .subquery()
    )
    return (
        select(
            ReadingRecord.device_id,
            ReadingRecord.observed_at,
            *_measured(ReadingRecord, what),
        )
        .outerjoin(rolled, rolled.c.device_id == ReadingRecord.device_id)
        .where(
            ReadingRecord.device_id.in_(ids),
            ReadingRecord.observed_at >= period.start_at - LOOKBACK,
            ReadingRecord.observed_at < period.end_at,
            or_(rolled.c.upto.is_(None), ReadingRecord.observed_at > rolled.c.upto),
        )
    )


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
        rows = session.connection().execute(query.order_by(ReadingRecord.observed_at))
        for device_id, anomalies in rows:
            found.setdefault(device_id, {}).update(dict.fromkeys(anomalies or ()))
    return {d: tuple(names) for d, names in found.items()}


def split(points: Sequence[Point], period: Period) -> tuple[Point | None, list[Point]]:
    """The last point before the period, and the points inside it (``points`` oldest first)."""
    first = bisect_left(points, period.start_at, key=_moment)
    after = bisect_left(points, period.end_at, key=_moment)
    return (points[first - 1] if first else None), list(points[first:after])


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
