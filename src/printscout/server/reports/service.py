"""Reports as data: billing meter reads, supplies, devices not reporting; all within a scope.

Each function takes a read session and the caller's ``Scope`` and returns frozen dataclasses;
nothing outside the scope (the dealer, and the scoped user's customers) is ever read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.server.reports.meters import CounterChange, counter_change, level_usage
from printscout.server.reports.points import (
    CHUNK,
    DeviceInfo,
    Period,
    Point,
    device_points,
    period_anomalies,
    scoped_devices,
    split,
)
from printscout.storage.accounts import Scope
from printscout.storage.base import utcnow
from printscout.storage.fleet import DeviceSupply, SupplyEvent
from printscout.storage.readings import COUNTER_COLUMNS

# The counters of a billing row, in COUNTER_COLUMNS order, without the prefix.
COUNTERS: Final = tuple(c.removeprefix("counter_") for c in COUNTER_COLUMNS)
NO_READING: Final = "no_reading_in_period"
OPENED_IN_PERIOD: Final = "start_is_first_reading_in_period"


@dataclass(frozen=True, slots=True)
class BillingRow:
    """One device's counters over the period."""

    device: DeviceInfo
    unit: str | None  # of the total, as the device's last reading gives it
    counters: tuple[CounterChange, ...]  # in COUNTERS order
    flags: tuple[str, ...]  # NO_READING, OPENED_IN_PERIOD, "<counter>_reset", "<c>_glitch"
    anomalies: tuple[str, ...]  # what the collector flagged on readings of the period
    start_at: datetime | None
    end_at: datetime | None


@dataclass(frozen=True, slots=True)
class Subtotal:
    """The pages of a group of devices: per counter the sum of the deltas (None: none had it)."""

    level: str  # "site", "customer" or "total"
    customer_id: int | None
    customer: str | None
    site_id: int | None
    site: str | None
    devices: int
    deltas: tuple[int | None, ...]  # in COUNTERS order


@dataclass(frozen=True, slots=True)
class BillingReport:
    """The billing report: device rows, then subtotals per site and customer, and the total."""

    period: Period
    rows: tuple[BillingRow, ...]
    sites: tuple[Subtotal, ...]
    customers: tuple[Subtotal, ...]
    total: Subtotal


@dataclass(frozen=True, slots=True)
class SupplyRow:
    """One supply slot of one device over the period."""

    device: DeviceInfo
    supply_index: int
    kind: str
    color: str | None
    description: str | None
    cartridge_serial: str | None
    state: str
    level_percent: int | None  # now
    start_percent: int | None
    end_percent: int | None
    replacements: int
    used_percent: int | None  # percentage points used in the period (refills added back)
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SuppliesReport:
    """The supplies report."""

    period: Period
    rows: tuple[SupplyRow, ...]


@dataclass(frozen=True, slots=True)
class SilentDevice:
    """A device whose newest reading is older than the limit."""

    device: DeviceInfo
    silent_for: timedelta


@dataclass(frozen=True, slots=True)
class NotReportingReport:
    """Devices not reporting since ``since``."""

    now: datetime
    since: datetime
    rows: tuple[SilentDevice, ...]


def billing(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    customer_id: int | None = None,
    site_id: int | None = None,
) -> BillingReport:
    """Start, end and pages of every counter of every device in scope, 00:00 UTC of ``start``
    up to 00:00 UTC of ``end``."""
    period = Period(start, end)
    devices = scoped_devices(session, scope, customer_id, site_id)
    ids = [d.device_id for d in devices]
    points = device_points(session, ids, period)
    flagged = period_anomalies(session, ids, period)
    rows = tuple(
        billing_row(d, points[d.device_id], period, flagged.get(d.device_id, ())) for d in devices
    )
    return BillingReport(
        period,
        rows,
        tuple(_subtotals(rows, "site", lambda d: (d.customer_id, d.site_id))),
        tuple(_subtotals(rows, "customer", lambda d: (d.customer_id, None))),
        _sum("total", rows, None),
    )


def billing_row(
    device: DeviceInfo, points: Sequence[Point], period: Period, anomalies: tuple[str, ...] = ()
) -> BillingRow:
    """One device's billing line from its points (see ``meters`` for the reset rule)."""
    opening, inside = split(points, period)
    series = ([opening] if opening else []) + inside
    changes = tuple(counter_change([p.counters[i] for p in series]) for i in range(len(COUNTERS)))
    flags: list[str] = []
    if not inside:
        flags.append(NO_READING)
    elif opening is None:
        flags.append(OPENED_IN_PERIOD)
    for name, change in zip(COUNTERS, changes, strict=True):
        if change.resets:
            flags.append(f"{name}_reset")
        if change.glitches:
            flags.append(f"{name}_glitch")
    units = [p.unit for p in series if p.unit is not None]
    return BillingRow(
        device,
        units[-1] if units else None,
        changes,
        tuple(flags),
        anomalies,
        series[0].at if series else None,
        series[-1].at if series else None,
    )


def _subtotals(
    rows: Sequence[BillingRow], level: str, key: Callable[[DeviceInfo], tuple[int, int | None]]
) -> Iterable[Subtotal]:
    groups: dict[tuple[int, int | None], list[BillingRow]] = {}
    for row in rows:
        groups.setdefault(key(row.device), []).append(row)
    for members in groups.values():
        yield _sum(level, members, members[0].device)


def _sum(level: str, rows: Sequence[BillingRow], first: DeviceInfo | None) -> Subtotal:
    deltas = tuple(_add(r.counters[i].delta for r in rows) for i in range(len(COUNTERS)))
    by_site = level == "site"
    return Subtotal(
        level,
        first.customer_id if first else None,
        first.customer if first else None,
        first.site_id if first and by_site else None,
        first.site if first and by_site else None,
        len(rows),
        deltas,
    )


def _add(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def supplies(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    customer_id: int | None = None,
    site_id: int | None = None,
) -> SuppliesReport:
    """Every supply of every device in scope: level now, at start and end, replacements, use."""
    period = Period(start, end)
    devices = scoped_devices(session, scope, customer_id, site_id)
    ids = [d.device_id for d in devices]
    points = device_points(session, ids, period, "supplies")
    slots: dict[int, list[DeviceSupply]] = {i: [] for i in ids}
    changes: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        query = select(DeviceSupply).where(DeviceSupply.device_id.in_(chunk))
        for slot in session.scalars(query.order_by(DeviceSupply.supply_index)):
            slots[slot.device_id].append(slot)
        events = select(SupplyEvent.supply_id).where(
            SupplyEvent.device_id.in_(chunk),
            SupplyEvent.observed_at >= period.start_at,
            SupplyEvent.observed_at < period.end_at,
        )
        for supply_id in session.scalars(events):
            changes[supply_id] = changes.get(supply_id, 0) + 1
    rows = [
        _supply_row(d, slot, points[d.device_id], period, changes.get(slot.id, 0))
        for d in devices
        for slot in slots[d.device_id]
    ]
    return SuppliesReport(period, tuple(rows))


def _supply_row(
    device: DeviceInfo, slot: DeviceSupply, points: Sequence[Point], period: Period, replaced: int
) -> SupplyRow:
    opening, inside = split(points, period)
    series = ([opening] if opening else []) + inside
    levels = [p.levels.get(slot.supply_index) for p in series]
    known = [v for v in levels if v is not None]
    flags = [NO_READING] if not inside else [OPENED_IN_PERIOD] if opening is None else []
    return SupplyRow(
        device,
        slot.supply_index,
        slot.kind,
        slot.color,
        slot.description,
        slot.serial,
        slot.state,
        slot.level_percent,
        known[0] if known else None,
        known[-1] if known else None,
        replaced,
        level_usage(levels),
        tuple(flags),
    )


def not_reporting(
    session: Session,
    scope: Scope,
    silent_for: timedelta,
    customer_id: int | None = None,
    site_id: int | None = None,
    now: datetime | None = None,
) -> NotReportingReport:
    """Devices in scope whose newest reading is older than ``silent_for``, longest silent first."""
    now = now or utcnow()
    since = now - silent_for
    devices = scoped_devices(session, scope, customer_id, site_id)
    silent = sorted(
        (SilentDevice(d, now - d.last_seen_at) for d in devices if d.last_seen_at < since),
        key=lambda s: (-s.silent_for, s.device.customer, s.device.site, s.device.device_id),
    )
    return NotReportingReport(now, since, tuple(silent))
