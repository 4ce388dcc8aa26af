"""Storing one batch of readings: once, atomically, whoever else is storing at the same time.

One batch is one transaction. Its id is inserted first (ON CONFLICT DO NOTHING): a second
transaction with the same id waits for the first and then finds it, so a resent or
concurrently duplicated batch changes nothing. Device rows are locked (FOR UPDATE, in id order)
before they are read, so batches about the same printers serialise while the rest run in
parallel; two servers creating the same new printer collide on its unique serial and the loser
runs again. Readings are unique per device and moment as a second line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.orm import Session

from printscout.domain.wire import ObservedReading, ReadingBatch
from printscout.storage.accounts import Collector, CollectorRecord
from printscout.storage.base import insert_ignoring, table_of, utcnow
from printscout.storage.bulk import insert_rows
from printscout.storage.errors import BatchRefused
from printscout.storage.identity import Resolver
from printscout.storage.readings import IngestBatch, ReadingRecord
from printscout.storage.session import Database
from printscout.storage.supplies import DEFAULT_JUMP, SupplyTracker

# A collector's last_seen_at is refreshed at most this often (one write less per batch).
SEEN_PRECISION: Final = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IngestRules:
    """Ingest limits that come from the settings."""

    raw_days: int = 90
    clock_skew: timedelta = timedelta(hours=1)
    replacement_jump: int = DEFAULT_JUMP


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What storing a batch did."""

    batch_id: UUID
    duplicate: bool
    readings: int = 0
    duplicate_readings: int = 0
    expired_readings: int = 0
    # The devices the batch's readings were assigned to (what alert rules look at next).
    device_ids: frozenset[int] = frozenset()


def day_start(moment: datetime) -> datetime:
    """Midnight UTC of the day of ``moment``."""
    return datetime.combine(moment.astimezone(UTC).date(), time(), UTC)


def raw_cutoff(now: datetime, raw_days: int) -> datetime:
    """Raw readings before this moment are purged (whole UTC days)."""
    return day_start(now) - timedelta(days=raw_days)


def accept_from(now: datetime, raw_days: int) -> datetime:
    """Readings before this moment are not stored: a day after the purge line, so a day is
    either complete in the raw table or already rolled up for good, never half purged."""
    return raw_cutoff(now, raw_days) + timedelta(days=1)


def store_batch(
    db: Database,
    collector: CollectorRecord,
    batch: ReadingBatch,
    rules: IngestRules,
    now: datetime | None = None,
) -> BatchOutcome:
    """Store ``batch`` for ``collector`` unless its id is already stored."""
    now = now or utcnow()
    latest = max(r.observed_at for r in batch.readings)
    if latest > now + rules.clock_skew:
        raise BatchRefused(
            f"reading observed at {latest.isoformat()} is in the future "
            f"(server time {now.isoformat()}); check the collector's clock"
        )
    return db.write(lambda session: _store(session, collector, batch, rules, now))


def _store(
    session: Session,
    collector: CollectorRecord,
    batch: ReadingBatch,
    rules: IngestRules,
    now: datetime,
) -> BatchOutcome:
    if not _claim(session, collector, batch, now):
        return BatchOutcome(batch.batch_id, duplicate=True)
    floor = accept_from(now, rules.raw_days)
    kept = sorted((r for r in batch.readings if r.observed_at >= floor), key=_moment)
    expired = len(batch.readings) - len(kept)
    stored, devices = (
        _store_readings(session, collector, batch.batch_id, kept, rules) if kept else (0, [])
    )
    seen = collector.last_seen_at
    if seen is None or now - seen > SEEN_PRECISION:
        collectors = table_of(Collector)
        session.connection().execute(
            update(collectors).where(collectors.c.id == collector.id).values(last_seen_at=now)
        )
    return BatchOutcome(
        batch.batch_id, False, stored, len(kept) - stored, expired, frozenset(devices)
    )


def _moment(r: ObservedReading) -> datetime:
    return r.observed_at


def _claim(
    session: Session, collector: CollectorRecord, batch: ReadingBatch, now: datetime
) -> bool:
    """Insert the batch id; False when it is already there (or another transaction has it)."""
    times = [r.observed_at for r in batch.readings]
    row = {
        "batch_id": batch.batch_id,
        "collector_id": collector.id,
        "created_at": batch.created_at,
        "received_at": now,
        "readings": len(batch.readings),
        "observed_from": min(times),
        "observed_to": max(times),
    }
    table = table_of(IngestBatch)
    stmt = insert_ignoring(session, table, ["batch_id"]).values(row).returning(table.c.batch_id)
    return session.connection().execute(stmt).first() is not None


def _store_readings(
    session: Session,
    collector: CollectorRecord,
    batch_id: UUID,
    readings: list[ObservedReading],
    rules: IngestRules,
) -> tuple[int, list[int]]:
    """Resolve devices, update their supplies and insert the readings; returns how many were
    new, and the devices."""
    resolver = Resolver(session, collector)
    resolver.load(tuple(readings))
    assigned = [(*resolver.resolve(r), r) for r in readings]
    resolver.flush()
    tracker = SupplyTracker(session, rules.replacement_jump)
    tracker.load(state.final().id for state, _, _ in assigned)
    for state, fresh, r in assigned:
        if fresh:
            tracker.observe(state.final().id, r.observed_at, r.reading)
    tracker.flush()
    if resolver.touched:
        _widen(session, batch_id, resolver.touched)
    rows = [reading_row(state.final().id, collector.id, r) for state, _, r in assigned]
    added = insert_rows(
        session,
        table_of(ReadingRecord),
        rows,
        skip_conflicts_on=("device_id", "observed_at"),
        returning=("device_id",),
    )
    return len(added), [row["device_id"] for row in rows]


def _widen(session: Session, batch_id: UUID, moments: list[datetime]) -> None:
    """Readings moved by a merge: their days must be rolled up again, so the batch covers them."""
    batch = session.get_one(IngestBatch, batch_id)
    batch.observed_from = min(batch.observed_from, *moments)
    batch.observed_to = max(batch.observed_to, *moments)
    session.flush()


def reading_row(device_id: int, collector_id: int, observed: ObservedReading) -> dict[str, Any]:
    """The ``readings`` row of one reading."""
    r = observed.reading
    c, s = r.counters, r.status
    return {
        "device_id": device_id,
        "collector_id": collector_id,
        "observed_at": observed.observed_at,
        "uptime_s": r.identity.uptime_s,
        "counter_total": c.total,
        "counter_mono": c.mono,
        "counter_color": c.color,
        "counter_print": c.print,
        "counter_copy": c.copy,
        "counter_fax": c.fax,
        "counter_scan": c.scan,
        "counter_large": c.large,
        "counter_unit": c.unit,
        "counter_anomalies": list(c.anomalies) or None,
        "device_status": s.device,
        "printer_status": s.printer,
        "errors": list(s.errors),
        "display": list(s.display),
        "alerts": [
            {"severity": a.severity, "code": a.code, "description": a.description} for a in s.alerts
        ],
        "supplies": [
            {
                "index": p.index,
                "level_percent": p.level_percent,
                "state": p.state.value,
                "level": p.level,
                "serial": p.serial,
            }
            for p in r.supplies
        ],
        "trays": [
            {"index": t.index, "level": t.level, "max_capacity": t.max_capacity} for t in r.trays
        ],
    }
