"""The periodic sweep: silent devices and collectors, supplies running out; one server per
interval runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from printscout.server.alerts.engine import Changes
from printscout.server.alerts.rules import RuleKind
from printscout.server.alerts.service import AlertConfig, AlertService
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import AlertRecord
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_rule, store_history

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def open_alerts(db: Database) -> list[tuple[str, str, float | None]]:
    with db.reader() as session:
        rows = session.scalars(
            select(AlertRecord).where(AlertRecord.closed_at.is_(None)).order_by(AlertRecord.id)
        )
        return [(a.kind, a.condition, a.value) for a in rows]


def test_it_opens_alerts_for_silence_and_supplies_running_out(
    db: Database, collector: CollectorRecord
) -> None:
    store_history(db, collector, NOW)
    dealer = collector.dealer_id
    add_rule(db, dealer, RuleKind.DAYS_TO_EMPTY, threshold=7)
    add_rule(db, dealer, RuleKind.DEVICE_SILENT, threshold=60)
    add_rule(db, dealer, RuleKind.COLLECTOR_SILENT, threshold=30)
    service = AlertService(db)
    assert service.sweep(NOW) == Changes(opened=1)
    ((kind, condition, days),) = open_alerts(db)
    assert (kind, condition) == ("days_to_empty", "supply:1")
    assert days == pytest.approx(10 / 3, abs=0.3)
    later = NOW + timedelta(hours=2)
    assert service.sweep(later) == Changes(opened=2, updated=1)
    assert [a[:2] for a in open_alerts(db)] == [
        ("days_to_empty", "supply:1"),
        ("device_silent", "silent"),
        ("collector_silent", "silent"),
    ]


def test_it_lets_one_server_sweep_per_interval(db: Database, collector: CollectorRecord) -> None:
    add_rule(db, collector.dealer_id, RuleKind.COLLECTOR_SILENT, threshold=30)
    config = AlertConfig(sweep_interval=timedelta(minutes=1))
    one, two = AlertService(db, config), AlertService(db, config)
    now = datetime.now(UTC) + timedelta(hours=1)  # the collector was registered just now
    assert one.sweep(now) == Changes(opened=1)
    assert two.sweep(now + timedelta(seconds=10)) is None
    assert two.sweep(now + timedelta(minutes=1)) == Changes(updated=1)
    assert one.sweep(now + timedelta(minutes=1, seconds=5)) is None
