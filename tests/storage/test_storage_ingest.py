"""Storing batches: once, atomically, with readings never doubled, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from printscout.storage.accounts import CollectorRecord
from printscout.storage.errors import BatchRefused
from printscout.storage.fleet import Device
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.readings import (
    IngestBatch,
    ReadingRecord,
    latest_readings,
    readings_between,
)
from printscout.storage.session import Database
from tests.storage.fleet_samples import T0, batch, fleet_batch, observed, reading

NOW = T0 + timedelta(hours=1)
RULES = IngestRules(raw_days=30)


def count(db: Database, model: type[ReadingRecord] | type[Device] | type[IngestBatch]) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_stores_a_batch_and_every_reading(db: Database, collector: CollectorRecord) -> None:
    b = fleet_batch(str(collector.public_id), range(20), T0)
    outcome = store_batch(db, collector, b, RULES, NOW)
    assert (outcome.duplicate, outcome.readings, outcome.duplicate_readings) == (False, 20, 0)
    assert count(db, ReadingRecord) == 20
    assert count(db, Device) == 20
    with db.reader() as session:
        stored = session.get_one(IngestBatch, b.batch_id)
        assert (stored.readings, stored.collector_id) == (20, collector.id)
        row = session.scalars(select(ReadingRecord).order_by(ReadingRecord.device_id)).first()
        assert row is not None
        assert row.observed_at == T0
        assert (row.counter_total, row.counter_mono, row.counter_color) == (10_000, 6666, 3334)
        assert row.supplies[0] == {
            "index": 1, "level_percent": 80, "state": "ok", "level": 80, "serial": None
        }  # fmt: skip
        assert (row.device_status, row.printer_status, row.display) == (
            "running",
            "idle",
            ["Ready"],
        )
        assert row.trays == [
            {"index": 1, "level": 250, "max_capacity": 250},
            {"index": 2, "level": -3, "max_capacity": 550},
        ]


def test_it_changes_nothing_when_a_batch_is_sent_again(
    db: Database, collector: CollectorRecord
) -> None:
    b = fleet_batch(str(collector.public_id), range(10), T0)
    store_batch(db, collector, b, RULES, NOW)
    again = store_batch(db, collector, b, RULES, NOW + timedelta(minutes=5))
    assert again.duplicate
    assert count(db, ReadingRecord) == 10
    assert count(db, IngestBatch) == 1


def test_it_never_doubles_a_reading_resent_in_another_batch(
    db: Database, collector: CollectorRecord
) -> None:
    first = fleet_batch(str(collector.public_id), range(10), T0)
    store_batch(db, collector, first, RULES, NOW)
    rebatched = batch(str(collector.public_id), [*first.readings[5:], observed(T0, reading(10))])
    outcome = store_batch(db, collector, rebatched, RULES, NOW)
    assert (outcome.readings, outcome.duplicate_readings) == (1, 5)
    assert count(db, ReadingRecord) == 11


def test_it_keeps_only_one_of_concurrent_duplicates(
    db: Database, collector: CollectorRecord
) -> None:
    b = fleet_batch(str(collector.public_id), range(30), T0)
    outcomes = []
    start = threading.Barrier(4)

    def send() -> None:
        start.wait()
        outcomes.append(store_batch(db, collector, b, RULES, NOW))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.duplicate for o in outcomes) == [False, True, True, True]
    assert count(db, ReadingRecord) == 30
    assert count(db, Device) == 30


def test_it_stores_different_batches_about_the_same_printers_concurrently(
    db: Database, collector: CollectorRecord
) -> None:
    batches = [
        fleet_batch(str(collector.public_id), range(20), T0 + timedelta(minutes=m))
        for m in range(4)
    ]
    start = threading.Barrier(len(batches))

    def send(index: int) -> None:
        start.wait()
        store_batch(db, collector, batches[index], RULES, NOW)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count(db, ReadingRecord) == 80
    assert count(db, Device) == 20
    with db.reader() as session:
        last_seen = session.scalars(select(Device.last_seen_at).distinct()).all()
    assert last_seen == [T0 + timedelta(minutes=3)]


def test_it_drops_readings_older_than_the_raw_retention(
    db: Database, collector: CollectorRecord
) -> None:
    old = NOW - timedelta(days=40)
    b = batch(str(collector.public_id), [observed(old, reading(1)), observed(T0, reading(2))])
    outcome = store_batch(db, collector, b, RULES, NOW)
    assert (outcome.readings, outcome.expired_readings) == (1, 1)
    assert count(db, ReadingRecord) == 1


def test_it_refuses_readings_from_the_future(db: Database, collector: CollectorRecord) -> None:
    b = fleet_batch(str(collector.public_id), range(2), NOW + timedelta(hours=3))
    with pytest.raises(BatchRefused, match="in the future"):
        store_batch(db, collector, b, RULES, NOW)
    assert count(db, IngestBatch) == 0


def test_it_answers_latest_reading_and_history_queries(
    db: Database, collector: CollectorRecord
) -> None:
    for minutes in (0, 15, 30):
        at = T0 + timedelta(minutes=minutes)
        b = fleet_batch(str(collector.public_id), range(3), at, total=10_000 + minutes)
        store_batch(db, collector, b, RULES, NOW)
    with db.reader() as session:
        ids = session.scalars(select(Device.id).order_by(Device.id)).all()
        latest = latest_readings(session, ids)
        history = readings_between(session, ids[0], T0, T0 + timedelta(minutes=30))
    assert {r.counter_total for r in latest.values()} == {10_030}
    assert [r.counter_total for r in history] == [10_000, 10_015]
    assert all(r.observed_at.tzinfo is UTC for r in history)


def test_it_stores_times_as_utc_whatever_zone_they_came_in(
    db: Database, collector: CollectorRecord
) -> None:
    local = datetime(2026, 11, 20, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    store_batch(
        db, collector, batch(str(collector.public_id), [observed(local, reading(1))]), RULES, NOW
    )
    with db.reader() as session:
        row = session.scalars(select(ReadingRecord)).one()
    assert row.observed_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
