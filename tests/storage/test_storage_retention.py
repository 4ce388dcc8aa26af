"""Retention: daily roll-ups and month-end meter reads, then purging what has expired."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from printscout.storage.accounts import CollectorRecord, Role, create_user
from printscout.storage.base import utcnow
from printscout.storage.console import (
    ConsoleSession,
    LoginThrottle,
    login_by_token,
    open_session,
    record_failure,
)
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.readings import (
    IngestBatch,
    MeterRead,
    ReadingDay,
    ReadingRecord,
    days_between,
    meter_reads,
)
from printscout.storage.retention import RetentionPolicy, purge, roll_up
from printscout.storage.session import Database
from tests.storage.fleet_samples import batch, observed, reading

POLICY = RetentionPolicy(raw_days=30, daily_days=60, batch_days=30)
RULES = IngestRules(raw_days=30)


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def send(
    db: Database,
    c: CollectorRecord,
    when: datetime,
    total: int,
    errors: tuple[str, ...] = (),
    received: datetime | None = None,
) -> None:
    b = batch(str(c.public_id), [observed(when, reading(1, total=total, errors=errors))])
    store_batch(db, c, b, RULES, received or when + timedelta(minutes=1))


def count(db: Database, model: type[object]) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_rolls_up_each_day_and_the_month_end_meter_read(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, at(10, 30, 8), 1000)
    send(db, collector, at(10, 31, 8), 1100, errors=("low_toner",))
    send(db, collector, at(10, 31, 12), 1150)
    send(db, collector, at(10, 31, 18), 1140)  # a counter that went back is not pages
    send(db, collector, at(11, 1, 8), 1300)
    report = roll_up(db, POLICY, at(11, 2, 0))
    assert (report.days_rolled_up, report.device_days, report.meter_reads) == (3, 3, 2)
    with db.reader() as session:
        device_id = session.scalars(select(ReadingRecord.device_id)).first()
        assert device_id is not None
        day = days_between(session, device_id, date(2026, 10, 31), date(2026, 10, 31))[0]
        october = meter_reads(session, [device_id], date(2026, 10, 1))[0]
        november = meter_reads(session, [device_id], date(2026, 11, 1))[0]
    assert (day.readings, day.counter_total, day.pages, day.errors) == (3, 1140, 50, ["low_toner"])
    assert day.last_observed_at == at(10, 31, 18)
    assert [s["level_percent"] for s in day.supplies] == [80, 60, 40, 20, 90]
    assert (october.counter_total, october.observed_at) == (1140, at(10, 31, 18))
    assert november.counter_total == 1300


def test_it_rolls_up_only_what_changed_and_changes_nothing_when_run_again(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, at(11, 1, 8), 1000)
    roll_up(db, POLICY, at(11, 2, 0))
    assert roll_up(db, POLICY, at(11, 3, 0)).days_rolled_up == 0
    # A late batch about a day already rolled up.
    send(db, collector, at(11, 1, 20), 1200, received=at(11, 3, 12))
    report = roll_up(db, POLICY, at(11, 4, 0))
    assert report.days_rolled_up == 1
    with db.reader() as session:
        (day,) = session.scalars(select(ReadingDay)).all()
    assert (day.readings, day.counter_total, day.pages) == (2, 1200, 200)


def test_it_purges_raw_readings_and_old_days_but_keeps_meter_reads_forever(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, at(9, 1, 8), 900)
    send(db, collector, at(10, 20, 8), 1000)
    send(db, collector, at(11, 25, 8), 1100)
    report = purge(db, POLICY, at(11, 26, 0))
    assert report.readings_purged == 2
    assert report.days_purged == 1  # 1 September is more than 60 days back
    assert report.batches_purged == 2
    assert count(db, ReadingRecord) == 1
    assert count(db, ReadingDay) == 2
    assert count(db, MeterRead) == 3
    assert count(db, IngestBatch) == 1
    assert purge(db, POLICY, at(11, 26, 0)).readings_purged == 0


def test_it_purges_expired_sessions_and_forgotten_login_failures(
    db: Database, collector: CollectorRecord
) -> None:
    now = utcnow()
    with db.writer() as session:
        user = create_user(session, collector.dealer_id, "ann@example.com", Role.VIEWER)
        live = open_session(session, user.id, timedelta(hours=1))
        open_session(session, user.id, timedelta(seconds=-1))  # already expired
        record_failure(session, "forgotten@example.com", now - timedelta(hours=2))
        for _ in range(8):  # locked two hours ago, the lock long over
            record_failure(session, "was-locked@example.com", now - timedelta(hours=2))
        record_failure(session, "recent@example.com", now - timedelta(minutes=10))
        for _ in range(8):
            record_failure(session, "locked@example.com", now - timedelta(minutes=1))
    report = purge(db, POLICY, now)
    assert report.sign_in_rows_purged == 3
    with db.reader() as session:
        kept = set(session.scalars(select(LoginThrottle.email)))
        assert login_by_token(session.connection(), live, now) is not None
    assert kept == {"recent@example.com", "locked@example.com"}
    assert count(db, ConsoleSession) == 1
    assert purge(db, POLICY, now).sign_in_rows_purged == 0
