"""`server purge` and alerts: closed alerts and finished notifications go when their retention
ends; open alerts and unfinished notifications stay (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from printscout.server.alerts.rules import Finding, RuleKind
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import AlertEvent, AlertRecord, Delivery, DeliveryAttempt
from printscout.storage.base import Base
from printscout.storage.retention import RetentionPolicy, purge
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_channel, add_rule, collector_subject, evaluate

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
POLICY = RetentionPolicy(alert_days=400, delivery_days=90)


def _count(db: Database, model: type[Base]) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _counts(db: Database) -> dict[str, int]:
    models = (AlertRecord, AlertEvent, Delivery, DeliveryAttempt)
    return {m.__tablename__: _count(db, m) for m in models}


def _history(db: Database, collector: CollectorRecord) -> None:
    """Two alerts, one closed an hour after it opened at T0, one still open. Both "opened"
    notifications were sent at once (an attempt each); the closed alert's "closed" one is
    still due."""
    channel = add_channel(db, collector.dealer_id, "webhook", "https://hooks.example/x")
    subject = collector_subject(collector)
    finding = [Finding("silent", "collector hq-01: silent", 45.0)]
    closing = add_rule(db, collector.dealer_id, RuleKind.COLLECTOR_SILENT, channel_ids=[channel])
    staying = add_rule(db, collector.dealer_id, RuleKind.COLLECTOR_SILENT, channel_ids=[channel])
    evaluate(db, closing, subject, finding, T0)
    evaluate(db, staying, subject, finding, T0)
    evaluate(db, closing, subject, [], T0 + timedelta(hours=1))
    with db.writer() as session:
        sent = select(Delivery).where(Delivery.event == "opened")
        for delivery in session.scalars(sent):
            session.add(DeliveryAttempt(delivery_id=delivery.id, at=T0, ok=True, status_code=200,
                                        ms=12))  # fmt: skip
        session.execute(
            update(Delivery)
            .where(Delivery.event == "opened")
            .values(state="delivered", finished_at=T0, attempts=1)
        )


def test_closed_alerts_and_finished_notifications_go_when_their_retention_ends(
    db: Database, collector: CollectorRecord
) -> None:
    _history(db, collector)
    before = _counts(db)
    assert (before["alerts"], before["deliveries"], before["delivery_attempts"]) == (2, 3, 2)

    early = purge(db, POLICY, T0 + timedelta(days=30))
    assert (early.alerts_purged, early.deliveries_purged) == (0, 0)
    assert _counts(db) == before

    # past delivery_days: the finished notifications and their attempts go, the alerts stay
    later = purge(db, POLICY, T0 + timedelta(days=91))
    assert (later.alerts_purged, later.deliveries_purged) == (0, 2)
    after = _counts(db)
    assert (after["alerts"], after["alert_events"]) == (2, before["alert_events"])
    assert (after["deliveries"], after["delivery_attempts"]) == (1, 0)

    # past alert_days: the closed alert goes with its events and its unsent notification
    last = purge(db, POLICY, T0 + timedelta(days=401))
    with db.reader() as session:
        left = session.scalars(select(AlertRecord)).all()
        events = session.scalars(select(AlertEvent)).all()
        pending = session.scalars(select(Delivery)).all()
    assert last.alerts_purged == 1
    assert [a.closed_at for a in left] == [None]  # the open alert stays, however old
    assert events and {e.alert_id for e in events} == {left[0].id}
    assert pending == []
