"""The alert engine: open, update, re-notify and close alerts from a rule's findings.

Every change is decided by the database, so servers evaluating the same subject at once
cannot open twice, close twice or notify twice: an alert opens by inserting its ``open_key``
(ON CONFLICT DO NOTHING), closes and re-notifies by conditional UPDATEs whose row count says
who won. Notifications are outbox rows written in the same transaction (see dispatch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from printscout.server.alerts.rules import Finding, Place, Rule
from printscout.storage.alerts import AlertEvent, AlertRecord, Delivery, NotificationChannel
from printscout.storage.base import insert_ignoring, table_of


@dataclass(frozen=True, slots=True)
class Subject:
    """What an alert is about: a device or a collector, and where it stands."""

    key: str
    place: Place
    device_id: int | None = None
    collector_id: int | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """What one reconciliation did (counts, for logs and tests)."""

    opened: int = 0
    updated: int = 0
    renotified: int = 0
    closed: int = 0
    # Conditions gone but not yet for the rule's clear_after: their alerts wait, still open.
    clearing: int = 0


def open_key(rule_id: int, subject: str, condition: str) -> str:
    """The unique key an open alert holds."""
    return f"{rule_id}|{subject}|{condition}"


def reconcile(
    session: Session, rule: Rule, subject: Subject, findings: list[Finding], now: datetime
) -> Changes:
    """Bring the open alerts of ``rule`` on ``subject`` in line with ``findings``."""
    current = {
        a.condition: a
        for a in session.scalars(
            select(AlertRecord).where(
                AlertRecord.rule_id == rule.id,
                AlertRecord.subject == subject.key,
                AlertRecord.closed_at.is_(None),
            )
        )
    }
    opened = updated = renotified = closed = clearing = 0
    for finding in findings:
        alert = current.pop(finding.condition, None)
        if alert is None:
            opened += _open(session, rule, subject, finding, now)
        elif (alert.message, alert.value, alert.cleared_at) != (
            finding.message,
            finding.value,
            None,
        ):
            updated += _update(session, alert, finding, now)
        elif _due(rule, alert, now):
            renotified += _renotify(session, rule, alert, now)
    for alert in current.values():
        if waits(rule, alert, now):
            clearing += _clearing(session, alert, now)
        else:
            closed += close_alert(session, rule, alert, now, "condition cleared")
    return Changes(opened, updated, renotified, closed, clearing)


def waits(rule: Rule, alert: AlertRecord, now: datetime) -> bool:
    """Whether an alert whose condition is gone stays open a while (the rule's clear_after)."""
    if rule.clear_after is None:
        return False
    return alert.cleared_at is None or now - alert.cleared_at < rule.clear_after


def close_waited(session: Session, rules: dict[int, Rule], now: datetime) -> int:
    """Close the alerts whose condition has now been gone for their rule's clear_after, even
    if nothing evaluated their subject since (a device that stopped reporting)."""
    closed = 0
    for alert in session.scalars(
        select(AlertRecord).where(
            AlertRecord.closed_at.is_(None), AlertRecord.cleared_at.is_not(None)
        )
    ):
        rule = rules.get(alert.rule_id)
        if rule is not None and not waits(rule, alert, now):
            closed += close_alert(session, rule, alert, now, "condition cleared")
    return closed


def _clearing(session: Session, alert: AlertRecord, now: datetime) -> int:
    if alert.cleared_at is not None:
        return 1
    session.execute(
        update(AlertRecord)
        .where(AlertRecord.id == alert.id, AlertRecord.cleared_at.is_(None))
        .values(cleared_at=now)
        .execution_options(synchronize_session=False)
    )
    return 1


def _open(session: Session, rule: Rule, subject: Subject, finding: Finding, now: datetime) -> int:
    row = {
        "rule_id": rule.id,
        "dealer_id": subject.place.dealer_id,
        "customer_id": subject.place.customer_id,
        "site_id": subject.place.site_id,
        "device_id": subject.device_id,
        "collector_id": subject.collector_id,
        "subject": subject.key,
        "condition": finding.condition,
        "open_key": open_key(rule.id, subject.key, finding.condition),
        "kind": rule.kind.value,
        "severity": rule.severity,
        "message": finding.message,
        "value": finding.value,
        "opened_at": now,
        "updated_at": now,
        "notified_at": now,
        "notifications": 1,
    }
    table = table_of(AlertRecord)
    stmt = insert_ignoring(session, table, ["open_key"]).values(row).returning(table.c.id)
    alert_id = session.connection().execute(stmt).scalar()
    if alert_id is None:
        return 0  # another server opened it a moment ago
    _event(session, alert_id, now, "opened", finding.message, finding.value)
    _enqueue(session, rule, alert_id, "opened", {**row, "id": alert_id}, now)
    return 1


def _update(session: Session, alert: AlertRecord, finding: Finding, now: datetime) -> int:
    """New message or value, and the condition is back if it was clearing (no notification)."""
    done = _rows(
        session.execute(
            update(AlertRecord)
            .where(AlertRecord.id == alert.id, AlertRecord.closed_at.is_(None))
            .values(message=finding.message, value=finding.value, updated_at=now, cleared_at=None)
            .execution_options(synchronize_session=False)
        )
    )
    changed = (alert.message, alert.value) != (finding.message, finding.value)
    if done and changed:
        _event(session, alert.id, now, "updated", finding.message, finding.value)
    return int(bool(done and changed))


def _due(rule: Rule, alert: AlertRecord, now: datetime) -> bool:
    if rule.renotify is None:
        return False
    return alert.notified_at is None or now - alert.notified_at >= rule.renotify


def _renotify(session: Session, rule: Rule, alert: AlertRecord, now: datetime) -> int:
    # Only the server whose UPDATE still sees the old notified_at sends the reminder.
    done = _rows(
        session.execute(
            update(AlertRecord)
            .where(
                AlertRecord.id == alert.id,
                AlertRecord.closed_at.is_(None),
                AlertRecord.notified_at == alert.notified_at,
            )
            .values(notified_at=now, notifications=AlertRecord.notifications + 1)
            .execution_options(synchronize_session=False)
        )
    )
    if done:
        _event(session, alert.id, now, "renotified", alert.message, alert.value)
        _enqueue(session, rule, alert.id, "reminder", _as_row(alert), now)
    return done


def close_alert(
    session: Session,
    rule: Rule | None,
    alert: AlertRecord,
    now: datetime,
    why: str,
    user_id: int | None = None,
) -> int:
    """Close an open alert (1) unless someone else just did (0); notifies the rule's channels."""
    done = _rows(
        session.execute(
            update(AlertRecord)
            .where(AlertRecord.id == alert.id, AlertRecord.closed_at.is_(None))
            .values(closed_at=now, open_key=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if done:
        _event(session, alert.id, now, "closed", why, alert.value, user_id)
        if rule is not None:
            row = {**_as_row(alert), "closed_at": now}
            _enqueue(session, rule, alert.id, "closed", row, now)
    return done


def _rows(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def _event(
    session: Session,
    alert_id: int,
    now: datetime,
    kind: str,
    message: str,
    value: float | None,
    user_id: int | None = None,
) -> None:
    row = {"alert_id": alert_id, "at": now, "kind": kind, "message": message, "value": value}
    session.execute(insert(AlertEvent), [{**row, "user_id": user_id}])


def _as_row(alert: AlertRecord) -> dict[str, Any]:
    names = ("id", "rule_id", "dealer_id", "customer_id", "site_id", "device_id", "collector_id")
    more = ("subject", "condition", "kind", "severity", "message", "value", "opened_at")
    return {n: getattr(alert, n) for n in (*names, *more)}


def _enqueue(
    session: Session, rule: Rule, alert_id: int, event: str, row: dict[str, Any], now: datetime
) -> None:
    if not rule.channel_ids:
        return
    channels = session.scalars(
        select(NotificationChannel.id).where(
            NotificationChannel.id.in_(rule.channel_ids),
            NotificationChannel.dealer_id == rule.dealer_id,
        )
    ).all()
    payload = notice(event, rule, row)
    rows = [
        {
            "alert_id": alert_id,
            "channel_id": channel_id,
            "event": event,
            "payload": payload,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for channel_id in channels
    ]
    if rows:
        session.execute(insert(Delivery), rows)


def notice(event: str, rule: Rule, row: dict[str, Any]) -> dict[str, Any]:
    """The JSON document a notification carries (webhook body; the email is made from it)."""
    alert = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
    alert.pop("open_key", None)
    alert.pop("notified_at", None)
    alert.pop("notifications", None)
    return {
        "schema": "printscout.alert-notice/1",
        "event": event,
        "rule": {"id": rule.id, "name": rule.name, "kind": rule.kind.value},
        "alert": alert,
    }
