"""Rules, channels and alerts stored for tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from printscout.server.alerts.engine import Changes, Subject, reconcile
from printscout.server.alerts.facts import rule_of
from printscout.server.alerts.rules import Finding, Place, Rule, RuleKind
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import AlertRule, NotificationChannel
from printscout.storage.session import Database

SECRET = "whsec-0123456789abcdef"


def add_channel(
    db: Database, dealer_id: int, kind: str, target: str, secret: str | None = SECRET
) -> int:
    """A notification channel; returns its id."""
    with db.writer() as session:
        channel = NotificationChannel(
            dealer_id=dealer_id, name=f"{kind} channel", kind=kind, target=target, secret=secret
        )
        session.add(channel)
        session.flush()
        return channel.id


def add_rule(db: Database, dealer_id: int, kind: RuleKind, **values: Any) -> Rule:
    """An enabled rule; returns the engine's view of it."""
    values.setdefault("name", kind.value.replace("_", " "))
    values.setdefault("channel_ids", [])
    with db.writer() as session:
        row = AlertRule(dealer_id=dealer_id, kind=kind.value, **values)
        session.add(row)
        session.flush()
        return rule_of(row)


def place_of(collector: CollectorRecord) -> Place:
    """The place of the collector's site."""
    return Place(collector.dealer_id, collector.customer_id, collector.site_id)


def collector_subject(collector: CollectorRecord) -> Subject:
    """The collector as an alert subject."""
    return Subject(f"collector:{collector.id}", place_of(collector), collector_id=collector.id)


def evaluate(
    db: Database, rule: Rule, subject: Subject, findings: list[Finding], now: datetime
) -> Changes:
    """Reconcile the findings in one transaction."""
    return db.write(lambda session: reconcile(session, rule, subject, findings, now))
