"""Alerts as users see them: lists with filters, one alert with its history and deliveries,
acknowledging and closing, all within the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from printscout.server.alerts.engine import close_alert
from printscout.server.alerts.facts import rule_of
from printscout.storage.accounts import Scope
from printscout.storage.alerts import (
    AlertEvent,
    AlertRecord,
    AlertRule,
    Delivery,
    DeliveryAttempt,
)
from printscout.storage.errors import NotFound

AlertState = Literal["open", "closed", "all"]


@dataclass(frozen=True, slots=True)
class AlertDetail:
    """An alert with its history, its deliveries and their attempts (the delivery log)."""

    alert: AlertRecord
    events: list[AlertEvent]
    deliveries: list[tuple[Delivery, list[DeliveryAttempt]]]


def list_alerts(
    session: Session,
    scope: Scope,
    *,
    state: AlertState = "open",
    customer_id: int | None = None,
    site_id: int | None = None,
    device_id: int | None = None,
    kind: str | None = None,
    severity: str | None = None,
    limit: int = 200,
) -> list[AlertRecord]:
    """Alerts the scope sees, newest first, filtered as asked."""
    query = select(AlertRecord).where(AlertRecord.dealer_id == scope.dealer_id)
    if scope.customer_ids is not None:
        query = query.where(AlertRecord.customer_id.in_(sorted(scope.customer_ids)))
    if state == "open":
        query = query.where(AlertRecord.closed_at.is_(None))
    elif state == "closed":
        query = query.where(AlertRecord.closed_at.is_not(None))
    for column, value in (
        (AlertRecord.customer_id, customer_id),
        (AlertRecord.site_id, site_id),
        (AlertRecord.device_id, device_id),
        (AlertRecord.kind, kind),
        (AlertRecord.severity, severity),
    ):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(AlertRecord.opened_at.desc(), AlertRecord.id.desc()).limit(limit)
    return list(session.scalars(query))


def alert_in_scope(session: Session, scope: Scope, alert_id: int) -> AlertRecord:
    """The alert if the scope sees it; NotFound otherwise (as if it did not exist)."""
    alert = session.get(AlertRecord, alert_id)
    if (
        alert is None
        or alert.dealer_id != scope.dealer_id
        or not scope.sees_customer(alert.customer_id)
    ):
        raise NotFound(f"no alert {alert_id}")
    return alert


def alert_detail(session: Session, scope: Scope, alert_id: int) -> AlertDetail:
    """One alert with its history and delivery log."""
    alert = alert_in_scope(session, scope, alert_id)
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
    ).all()
    deliveries = session.scalars(
        select(Delivery).where(Delivery.alert_id == alert_id).order_by(Delivery.id)
    ).all()
    attempts: dict[int, list[DeliveryAttempt]] = {}
    for attempt in session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_([d.id for d in deliveries]))
        .order_by(DeliveryAttempt.id)
    ):
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return AlertDetail(alert, list(events), [(d, attempts.get(d.id, [])) for d in deliveries])


def acknowledge(session: Session, scope: Scope, alert_id: int, now: datetime) -> AlertRecord:
    """Mark an open alert as seen by the user (it stays open until its condition clears)."""
    alert = alert_in_scope(session, scope, alert_id)
    if alert.closed_at is None and alert.acknowledged_at is None:
        session.execute(
            update(AlertRecord)
            .where(AlertRecord.id == alert_id, AlertRecord.acknowledged_at.is_(None))
            .values(acknowledged_at=now, acknowledged_by=scope.user_id)
            .execution_options(synchronize_session=False)
        )
        session.add(
            AlertEvent(
                alert_id=alert_id,
                at=now,
                kind="acknowledged",
                message="acknowledged",
                value=alert.value,
                user_id=scope.user_id,
            )
        )
        session.flush()
        session.refresh(alert)
    return alert


def close_by_user(session: Session, scope: Scope, alert_id: int, now: datetime) -> AlertRecord:
    """Close an alert by hand; if the condition still holds, the next evaluation opens anew."""
    alert = alert_in_scope(session, scope, alert_id)
    row = session.get(AlertRule, alert.rule_id)
    rule = rule_of(row) if row is not None else None
    close_alert(session, rule, alert, now, "closed by a user", scope.user_id)
    session.refresh(alert)
    return alert
