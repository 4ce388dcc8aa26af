"""Rules, channels and alerts stored for tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from printscout.server.alerts.engine import Changes, Subject, reconcile
from printscout.server.alerts.facts import rule_of
from printscout.server.alerts.rules import Finding, Place, Rule, RuleKind
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import AlertRule, NotificationChannel
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database
from tests.storage.fleet_samples import fleet_batch

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


def store_history(
    db: Database, collector: CollectorRecord, now: datetime, days: int = 10, devices: int = 1
) -> None:
    """Readings every 6 hours for ``days`` up to 10 minutes before ``now``: the black toner
    falls from 40 % by 3 points a day (empty 10/3 days after the last), the others stay."""
    rules = IngestRules(raw_days=30)
    first = now - timedelta(days=days, minutes=10)
    for step in range(days * 4 + 1):
        at = first + timedelta(hours=6 * step)
        black = round(40 - 3 * step / 4)
        batch = fleet_batch(
            str(collector.public_id), range(devices), at, levels=(black, 60, 40, 20),
            total=10_000 + 150 * step,
        )  # fmt: skip
        store_batch(db, collector, batch, rules, now)
