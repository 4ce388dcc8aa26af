"""Reading what the rules look at from the database: rules, device and collector facts, level
histories."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.server.alerts.forecast import LevelPoint
from printscout.server.alerts.rules import (
    DEFAULT_ERRORS,
    CollectorFacts,
    DeviceFacts,
    Place,
    Rule,
    RuleKind,
    SupplyFact,
)
from printscout.storage.accounts import Collector, Customer, Site
from printscout.storage.alerts import AlertRule
from printscout.storage.fleet import Device, DeviceSupply
from printscout.storage.readings import ReadingRecord, latest_readings


def rule_of(row: AlertRule) -> Rule:
    """The engine's view of a stored rule."""
    renotify = timedelta(minutes=row.renotify_minutes) if row.renotify_minutes else None
    return Rule(
        id=row.id,
        dealer_id=row.dealer_id,
        kind=RuleKind(row.kind),
        name=row.name,
        customer_id=row.customer_id,
        site_id=row.site_id,
        threshold=row.threshold,
        errors=tuple(row.errors) if row.errors else DEFAULT_ERRORS,
        severity=row.severity,
        renotify=renotify,
        clear_after=timedelta(minutes=row.clear_minutes) if row.clear_minutes else None,
        channel_ids=tuple(row.channel_ids or ()),
    )


def enabled_rules(
    session: Session, kinds: Collection[RuleKind], dealer_ids: Collection[int] | None = None
) -> list[Rule]:
    """The enabled rules of these kinds (of these dealers, or of all)."""
    query = select(AlertRule).where(
        AlertRule.enabled.is_(True), AlertRule.kind.in_([k.value for k in kinds])
    )
    if dealer_ids is not None:
        query = query.where(AlertRule.dealer_id.in_(sorted(dealer_ids)))
    return [rule_of(r) for r in session.scalars(query.order_by(AlertRule.id))]


def dealers_with_rules(session: Session, kinds: Collection[RuleKind]) -> set[int]:
    """The dealers that have an enabled rule of one of these kinds."""
    query = select(AlertRule.dealer_id).where(
        AlertRule.enabled.is_(True), AlertRule.kind.in_([k.value for k in kinds])
    )
    return set(session.scalars(query.distinct()))


def device_facts(
    session: Session, device_ids: Sequence[int] | None = None, *, readings: bool = True
) -> list[DeviceFacts]:
    """The facts of the devices given (None: every device); errors and counters from the
    newest readings only with ``readings`` (time-driven rules do not need them)."""
    query = (
        select(Device, Site.customer_id, Customer.dealer_id)
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .order_by(Device.id)
    )
    if device_ids is not None:
        query = query.where(Device.id.in_(sorted(device_ids)))
    devices = session.execute(query).all()
    ids = [d.id for d, _, _ in devices]
    supplies: dict[int, list[SupplyFact]] = {}
    for s in session.scalars(
        select(DeviceSupply)
        .where(DeviceSupply.device_id.in_(ids))
        .order_by(DeviceSupply.device_id, DeviceSupply.supply_index)
    ):
        name = s.description or " ".join(p for p in (s.color, s.kind) if p)
        supplies.setdefault(s.device_id, []).append(
            SupplyFact(s.supply_index, name, s.level_percent, s.state)
        )
    latest = latest_readings(session, ids) if readings else {}
    out = []
    for device, customer_id, dealer_id in devices:
        reading = latest.get(device.id)
        out.append(
            DeviceFacts(
                device_id=device.id,
                place=Place(dealer_id, customer_id, device.site_id),
                name=device_name(device),
                last_seen_at=device.last_seen_at,
                supplies=tuple(supplies.get(device.id, ())),
                errors=tuple(reading.errors) if reading else (),
                anomalies=tuple(reading.counter_anomalies or ()) if reading else (),
                counter_total=reading.counter_total if reading else None,
                previous_total=_previous_total(session, reading) if reading else None,
            )
        )
    return out


def device_name(device: Device) -> str:
    """How a device is named in alerts: model, serial and address."""
    model = " ".join(p for p in (device.manufacturer, device.model) if p) or "printer"
    serial = f" {device.serial}" if device.serial else ""
    return f"{model}{serial} ({device.address})"


def _previous_total(session: Session, reading: ReadingRecord) -> int | None:
    return session.scalar(
        select(ReadingRecord.counter_total)
        .where(
            ReadingRecord.device_id == reading.device_id,
            ReadingRecord.observed_at < reading.observed_at,
        )
        .order_by(ReadingRecord.observed_at.desc())
        .limit(1)
    )


def collector_facts(session: Session, dealer_ids: Collection[int]) -> list[CollectorFacts]:
    """The active collectors of these dealers."""
    rows = session.execute(
        select(Collector, Site.customer_id, Customer.dealer_id)
        .join(Site, Site.id == Collector.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Collector.revoked_at.is_(None), Customer.dealer_id.in_(sorted(dealer_ids)))
        .order_by(Collector.id)
    )
    return [
        CollectorFacts(
            c.id, Place(dealer_id, customer_id, c.site_id), c.name, c.created_at, c.last_seen_at
        )
        for c, customer_id, dealer_id in rows
    ]


def devices_of_dealers(session: Session, dealer_ids: Collection[int]) -> list[int]:
    """Every device of these dealers."""
    return list(
        session.scalars(
            select(Device.id).where(Device.dealer_id.in_(sorted(dealer_ids))).order_by(Device.id)
        )
    )


def level_history(session: Session, device_id: int, since: datetime) -> dict[int, list[LevelPoint]]:
    """Each supply slot's levels since ``since`` from the raw readings, oldest first."""
    rows = session.execute(
        select(ReadingRecord.observed_at, ReadingRecord.counter_total, ReadingRecord.supplies)
        .where(ReadingRecord.device_id == device_id, ReadingRecord.observed_at >= since)
        .order_by(ReadingRecord.observed_at)
    )
    out: dict[int, list[LevelPoint]] = {}
    for at, total, supplies in rows:
        for s in supplies:
            percent = s.get("level_percent")
            if percent is not None and percent >= 0:
                point = LevelPoint(at, int(percent), total, s.get("serial"))
                out.setdefault(int(s["index"]), []).append(point)
    return out
