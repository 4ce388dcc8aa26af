"""The engine: alerts open, update and close with history; one open alert per condition
however often or concurrently it is evaluated; reminders by the re-notify policy."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from printscout.server.alerts.engine import Changes
from printscout.server.alerts.rules import Finding, Rule, RuleKind
from printscout.server.alerts.service import AlertService
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import AlertEvent, AlertRecord, Delivery
from printscout.storage.errors import StorageError
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import (
    add_channel,
    add_rule,
    collector_subject,
    evaluate,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def silent(minutes: int) -> Finding:
    return Finding("silent", f"silent for {minutes} minutes", float(minutes))


def alerts(db: Database) -> list[AlertRecord]:
    with db.reader() as session:
        return list(session.scalars(select(AlertRecord).order_by(AlertRecord.id)))


def history(db: Database, alert_id: int) -> list[str]:
    with db.reader() as session:
        query = select(AlertEvent.kind).where(AlertEvent.alert_id == alert_id)
        return list(session.scalars(query.order_by(AlertEvent.id)))


def deliveries(db: Database) -> list[str]:
    with db.reader() as session:
        return list(session.scalars(select(Delivery.event).order_by(Delivery.id)))


def rule_with_channel(db: Database, c: CollectorRecord, **kw: object) -> Rule:
    channel = add_channel(db, c.dealer_id, "email", "ops@dealer.test", None)
    return add_rule(db, c.dealer_id, RuleKind.COLLECTOR_SILENT, channel_ids=[channel], **kw)


def test_it_opens_updates_and_closes_an_alert_with_its_history(
    db: Database, collector: CollectorRecord
) -> None:
    rule, subject = rule_with_channel(db, collector), collector_subject(collector)
    assert evaluate(db, rule, subject, [silent(35)], NOW) == Changes(opened=1)
    assert evaluate(db, rule, subject, [silent(35)], NOW) == Changes()
    later = NOW + timedelta(minutes=10)
    assert evaluate(db, rule, subject, [silent(45)], later) == Changes(updated=1)
    assert evaluate(db, rule, subject, [], later) == Changes(closed=1)
    (alert,) = alerts(db)
    assert (alert.opened_at, alert.closed_at, alert.open_key) == (NOW, later, None)
    assert (alert.message, alert.value) == ("silent for 45 minutes", 45.0)
    assert history(db, alert.id) == ["opened", "updated", "closed"]
    assert deliveries(db) == ["opened", "closed"]


def test_it_opens_a_new_alert_when_the_condition_comes_back(
    db: Database, collector: CollectorRecord
) -> None:
    rule, subject = rule_with_channel(db, collector), collector_subject(collector)
    evaluate(db, rule, subject, [silent(35)], NOW)
    evaluate(db, rule, subject, [], NOW + timedelta(minutes=5))
    evaluate(db, rule, subject, [silent(31)], NOW + timedelta(hours=1))
    first, second = alerts(db)
    assert first.closed_at is not None and second.closed_at is None
    assert second.open_key == f"{rule.id}|collector:{collector.id}|silent"


def test_it_reminds_only_when_the_renotify_interval_has_passed(
    db: Database, collector: CollectorRecord
) -> None:
    rule = rule_with_channel(db, collector, renotify_minutes=60)
    subject = collector_subject(collector)
    evaluate(db, rule, subject, [silent(35)], NOW)
    assert evaluate(db, rule, subject, [silent(35)], NOW + timedelta(minutes=59)) == Changes()
    assert evaluate(db, rule, subject, [silent(35)], NOW + timedelta(minutes=60)) == Changes(
        renotified=1
    )
    assert evaluate(db, rule, subject, [silent(35)], NOW + timedelta(minutes=61)) == Changes()
    (alert,) = alerts(db)
    assert (alert.notifications, alert.notified_at) == (2, NOW + timedelta(minutes=60))
    assert deliveries(db) == ["opened", "reminder"]


def test_it_never_reminds_without_a_renotify_policy(
    db: Database, collector: CollectorRecord
) -> None:
    rule, subject = rule_with_channel(db, collector), collector_subject(collector)
    for hours in range(0, 48, 6):
        evaluate(db, rule, subject, [silent(35)], NOW + timedelta(hours=hours))
    assert deliveries(db) == ["opened"]


def test_it_opens_one_alert_when_servers_evaluate_at_the_same_moment(
    db: Database, collector: CollectorRecord
) -> None:
    rule, subject = rule_with_channel(db, collector), collector_subject(collector)
    start = threading.Barrier(4)
    results: list[Changes | StorageError] = []

    def server() -> None:
        start.wait()
        try:
            results.append(evaluate(db, rule, subject, [silent(35)], NOW))
        except StorageError as exc:
            results.append(exc)

    threads = [threading.Thread(target=server) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.opened for r in results if isinstance(r, Changes)) == [0, 0, 0, 1]
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(AlertRecord)) == 1
    assert deliveries(db) == ["opened"]


def test_it_keeps_one_quiet_alert_while_a_condition_flaps(
    db: Database, collector: CollectorRecord
) -> None:
    rule = rule_with_channel(db, collector, clear_minutes=15)
    subject = collector_subject(collector)
    evaluate(db, rule, subject, [silent(35)], NOW)
    for minute in range(5, 60, 10):  # gone for 5 minutes, back for 5, and again
        gone = evaluate(db, rule, subject, [], NOW + timedelta(minutes=minute))
        back = evaluate(db, rule, subject, [silent(35)], NOW + timedelta(minutes=minute + 5))
        assert (gone, back) == (Changes(clearing=1), Changes())
    evaluate(db, rule, subject, [], NOW + timedelta(minutes=70))
    assert evaluate(db, rule, subject, [], NOW + timedelta(minutes=84)) == Changes(clearing=1)
    assert evaluate(db, rule, subject, [], NOW + timedelta(minutes=85)) == Changes(closed=1)
    (alert,) = alerts(db)
    assert alert.closed_at == NOW + timedelta(minutes=85)
    assert history(db, alert.id) == ["opened", "closed"]
    assert deliveries(db) == ["opened", "closed"]


def test_it_closes_a_waiting_alert_in_the_sweep_when_nothing_evaluates_it(
    db: Database, collector: CollectorRecord
) -> None:
    rule = add_rule(db, collector.dealer_id, RuleKind.DEVICE_ERROR, clear_minutes=15)
    subject = collector_subject(collector)
    evaluate(db, rule, subject, [Finding("error:jammed", "jammed")], NOW)
    evaluate(db, rule, subject, [], NOW + timedelta(minutes=1))
    service = AlertService(db)
    assert service.sweep(NOW + timedelta(minutes=10)) == Changes()
    assert service.sweep(NOW + timedelta(minutes=16)) == Changes(closed=1)
    assert alerts(db)[0].closed_at == NOW + timedelta(minutes=16)
