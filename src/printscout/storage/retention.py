"""Retention: raw readings for N days, daily roll-ups for years, month-end meter reads forever;
closed alerts and finished notifications for as long as the policy says.

``roll_up`` recomputes, from the raw readings, every UTC day that a batch received since the
last run touched (plus a margin for transactions that were still open), then the meter read of
every month those days fall in. It is idempotent: running it twice changes nothing. ``purge``
deletes what has outlived its retention, after rolling up, so nothing is deleted unrolled.

Raw readings are purged by whole UTC days and ingest refuses readings of days that could
already be purged (``accept_from``), so a day's raw readings are either all there or all gone:
recomputing a day from them is exact, and a purged day keeps the roll-ups it had.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Final

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from printscout.storage.alerts import AlertRecord, Delivery
from printscout.storage.base import table_of, upsert, utcnow
from printscout.storage.console import sweep_stale
from printscout.storage.ingest import day_start, raw_cutoff
from printscout.storage.readings import (
    COUNTER_COLUMNS,
    IngestBatch,
    MeterRead,
    ReadingDay,
    ReadingRecord,
    RollupMark,
)
from printscout.storage.session import Database

MARK: Final = "daily"
# Batches committed up to this long after they were received are still rolled up.
MARGIN: Final = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of data is kept."""

    raw_days: int = 90
    daily_days: int = 5 * 366
    batch_days: int = 90
    alert_days: int = 400  # closed alerts, with their events and notifications
    delivery_days: int = 90  # finished notifications (and their attempts) of alerts still kept


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What a run did."""

    days_rolled_up: int = 0
    device_days: int = 0
    meter_reads: int = 0
    readings_purged: int = 0
    days_purged: int = 0
    batches_purged: int = 0
    sign_in_rows_purged: int = 0  # expired console sessions and forgotten login failures
    alerts_purged: int = 0
    deliveries_purged: int = 0


def roll_up(db: Database, policy: RetentionPolicy, now: datetime | None = None) -> RetentionReport:
    """Recompute the daily roll-ups and meter reads that new batches made stale."""
    now = now or utcnow()
    with db.writer() as session:
        mark = session.get(RollupMark, MARK)
        days = sorted(_stale_days(session, mark))
        device_days = sum(_roll_day(session, day) for day in days)
        months = sorted({d.replace(day=1) for d in days})
        reads = sum(_meter_reads(session, month) for month in months)
        if mark is None:
            session.add(RollupMark(name=MARK, done_before=now))
        else:
            mark.done_before = max(mark.done_before, now)
    return RetentionReport(days_rolled_up=len(days), device_days=device_days, meter_reads=reads)


def purge(db: Database, policy: RetentionPolicy, now: datetime | None = None) -> RetentionReport:
    """Roll up, then delete raw readings, daily roll-ups, batch ids, closed alerts and finished
    notifications past their retention (an open alert is kept however old it is; deleting an
    alert deletes its events, notifications and their attempts with it)."""
    now = now or utcnow()
    rolled = roll_up(db, policy, now)
    oldest_day = day_start(now).date() - timedelta(days=policy.daily_days)
    with db.writer() as session:
        readings = session.execute(
            delete(ReadingRecord).where(
                ReadingRecord.observed_at < raw_cutoff(now, policy.raw_days)
            )
        )
        days = session.execute(delete(ReadingDay).where(ReadingDay.day < oldest_day))
        batches = session.execute(
            delete(IngestBatch).where(
                IngestBatch.received_at < now - timedelta(days=policy.batch_days)
            )
        )
        sign_in = sweep_stale(session, now)
        alerts = session.execute(
            delete(AlertRecord).where(
                AlertRecord.closed_at < now - timedelta(days=policy.alert_days)
            )
        )
        deliveries = session.execute(
            delete(Delivery).where(
                Delivery.finished_at < now - timedelta(days=policy.delivery_days)
            )
        )
    return RetentionReport(
        rolled.days_rolled_up,
        rolled.device_days,
        rolled.meter_reads,
        _count(readings),
        _count(days),
        _count(batches),
        sign_in,
        _count(alerts),
        _count(deliveries),
    )


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _stale_days(session: Session, mark: RollupMark | None) -> set[date]:
    """Every day covered by a batch received since the last run (all days on the first run)."""
    query = select(IngestBatch.observed_from, IngestBatch.observed_to)
    if mark is not None:
        query = query.where(IngestBatch.received_at >= mark.done_before - MARGIN)
    days: set[date] = set()
    for start, end in session.execute(query):
        days.update(_days(start.date(), end.date()))
    if mark is None:
        span = session.execute(
            select(func.min(ReadingRecord.observed_at), func.max(ReadingRecord.observed_at))
        ).one()
        if span[0] is not None:
            days.update(_days(span[0].date(), span[1].date()))
    return days


def _days(first: date, last: date) -> Iterator[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def _roll_day(session: Session, day: date) -> int:
    """Recompute the roll-ups of one day; returns how many devices had readings."""
    start = datetime.combine(day, time(), UTC)
    cols = [
        ReadingRecord.device_id,
        ReadingRecord.observed_at,
        ReadingRecord.errors,
        ReadingRecord.supplies,
        ReadingRecord.counter_unit,
        *(getattr(ReadingRecord, c) for c in COUNTER_COLUMNS),
    ]
    rows = session.execute(
        select(*cols)
        .where(ReadingRecord.observed_at >= start, ReadingRecord.observed_at < start + timedelta(1))
        .order_by(ReadingRecord.device_id, ReadingRecord.observed_at)
    )
    out = [_summarise(day, group) for group in _by_device(rows)]
    # Upsert, never delete: a day whose raw readings are purged keeps its roll-ups.
    upsert(session, table_of(ReadingDay), out, ["device_id", "day"])
    return len(out)


def _by_device(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    group: list[tuple[Any, ...]] = []
    for row in rows:
        if group and group[0][0] != row[0]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _summarise(day: date, group: list[tuple[Any, ...]]) -> dict[str, Any]:
    """One device's day: counters at the last reading, pages printed, errors seen."""
    last = group[-1]
    counters = dict(zip(COUNTER_COLUMNS, last[5:], strict=True))
    totals = [row[5] for row in group if row[5] is not None]
    pages = sum(max(0, b - a) for a, b in pairwise(totals))
    errors = sorted({e for row in group for e in row[2]})
    return {
        "device_id": last[0],
        "day": day,
        "readings": len(group),
        "first_observed_at": group[0][1],
        "last_observed_at": last[1],
        **counters,
        "counter_unit": last[4],
        "pages": pages if totals else None,
        "errors": errors,
        "supplies": last[3],
    }


def _meter_reads(session: Session, month: date) -> int:
    """The month's meter read per device: its last daily roll-up of the month."""
    end = (month + timedelta(days=32)).replace(day=1)
    cols = [
        ReadingDay.device_id,
        ReadingDay.last_observed_at,
        ReadingDay.counter_unit,
        *(getattr(ReadingDay, c) for c in COUNTER_COLUMNS),
    ]
    latest: dict[int, tuple[Any, ...]] = {}
    query = (
        select(*cols)
        .where(ReadingDay.day >= month, ReadingDay.day < end)
        .order_by(ReadingDay.device_id, ReadingDay.day)
    )
    for row in session.execute(query):
        latest[row[0]] = row
    rows = [
        {
            "device_id": r[0],
            "month": month,
            "observed_at": r[1],
            "counter_unit": r[2],
            **dict(zip(COUNTER_COLUMNS, r[3:], strict=True)),
        }
        for r in latest.values()
    ]
    upsert(session, table_of(MeterRead), rows, ["device_id", "month"])
    return len(rows)
