"""Alert rules and notification channels: create, change, delete, list, within a scope.

A user scoped to some customers manages rules of those customers only; dealer-wide rules and
notification channels belong to users who see every customer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from printscout.server.alerts.engine import close_alert
from printscout.server.alerts.facts import rule_of
from printscout.server.errors import ServerError
from printscout.storage.accounts import Customer, Scope, Site
from printscout.storage.alerts import AlertRecord, AlertRule, NotificationChannel
from printscout.storage.errors import NotFound


class Refused(ServerError):
    """The request names something the scope may not use, or that does not fit (permanent)."""


def list_rules(session: Session, scope: Scope) -> list[AlertRule]:
    """The rules the scope sees."""
    query = select(AlertRule).where(AlertRule.dealer_id == scope.dealer_id)
    if scope.customer_ids is not None:
        query = query.where(AlertRule.customer_id.in_(sorted(scope.customer_ids)))
    return list(session.scalars(query.order_by(AlertRule.id)))


def rule_in_scope(session: Session, scope: Scope, rule_id: int) -> AlertRule:
    """The rule if the scope sees it; NotFound otherwise."""
    rule = session.get(AlertRule, rule_id)
    if rule is None or rule.dealer_id != scope.dealer_id or not _sees(scope, rule.customer_id):
        raise NotFound(f"no alert rule {rule_id}")
    return rule


def create_rule(session: Session, scope: Scope, values: dict[str, Any]) -> AlertRule:
    """A new rule of the scope's dealer."""
    rule = AlertRule(dealer_id=scope.dealer_id, **values)
    _check(session, scope, rule)
    session.add(rule)
    session.flush()
    return rule


def update_rule(
    session: Session, scope: Scope, rule_id: int, values: dict[str, Any], now: datetime
) -> AlertRule:
    """Change a rule; disabling it closes its open alerts."""
    rule = rule_in_scope(session, scope, rule_id)
    for name, value in values.items():
        setattr(rule, name, value)
    _check(session, scope, rule)
    session.flush()
    if not rule.enabled:
        _close_all(session, rule, now, "rule disabled")
    return rule


def delete_rule(session: Session, scope: Scope, rule_id: int) -> None:
    """Delete a rule with its alerts and their history."""
    session.delete(rule_in_scope(session, scope, rule_id))
    session.flush()


def _close_all(session: Session, rule: AlertRule, now: datetime, why: str) -> None:
    engine_rule = rule_of(rule)
    for alert in session.scalars(
        select(AlertRecord).where(AlertRecord.rule_id == rule.id, AlertRecord.closed_at.is_(None))
    ):
        close_alert(session, engine_rule, alert, now, why)


def _sees(scope: Scope, customer_id: int | None) -> bool:
    if customer_id is None:
        return scope.customer_ids is None
    return scope.sees_customer(customer_id)


def _check(session: Session, scope: Scope, rule: AlertRule) -> None:
    if rule.site_id is not None:
        site = session.execute(
            select(Site.customer_id)
            .join(Customer, Customer.id == Site.customer_id)
            .where(Site.id == rule.site_id, Customer.dealer_id == scope.dealer_id)
        ).scalar()
        if site is None or rule.customer_id not in (None, site):
            raise Refused(f"site {rule.site_id} is not a site of this customer")
        rule.customer_id = site
    if rule.customer_id is not None:
        dealer = session.scalar(select(Customer.dealer_id).where(Customer.id == rule.customer_id))
        if dealer != scope.dealer_id:
            raise Refused(f"no customer {rule.customer_id}")
    if not _sees(scope, rule.customer_id):
        raise Refused("this user may only make rules for the customers they see")
    channels = set(rule.channel_ids or ())
    if channels:
        found = session.scalars(
            select(NotificationChannel.id).where(
                NotificationChannel.id.in_(sorted(channels)),
                NotificationChannel.dealer_id == scope.dealer_id,
            )
        ).all()
        if set(found) != channels:
            raise Refused(f"unknown channels: {sorted(channels - set(found))}")


def list_channels(session: Session, scope: Scope) -> list[NotificationChannel]:
    """The dealer's notification channels."""
    return list(
        session.scalars(
            select(NotificationChannel)
            .where(NotificationChannel.dealer_id == scope.dealer_id)
            .order_by(NotificationChannel.id)
        )
    )


def create_channel(session: Session, scope: Scope, values: dict[str, Any]) -> NotificationChannel:
    """A new channel of the dealer (users who see every customer only)."""
    if scope.customer_ids is not None:
        raise Refused("only users who see every customer manage notification channels")
    channel = NotificationChannel(dealer_id=scope.dealer_id, **values)
    session.add(channel)
    session.flush()
    return channel


def delete_channel(session: Session, scope: Scope, channel_id: int) -> None:
    """Delete a channel (its pending deliveries go with it)."""
    channel = session.get(NotificationChannel, channel_id)
    if channel is None or channel.dealer_id != scope.dealer_id:
        raise NotFound(f"no channel {channel_id}")
    if scope.customer_ids is not None:
        raise Refused("only users who see every customer manage notification channels")
    session.delete(channel)
    session.flush()
