"""The alert service: evaluates rules after ingest and in a periodic sweep, safe across servers.

Ingest evaluates what a new reading changes (supplies low, device errors, counter anomalies)
for the devices of the batch. The sweep evaluates what changes with time alone (silence,
days to empty); a mark row in the database lets one server per interval run it, and the
engine's constraints keep alerts single even if two sweeps overlapped.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from printscout.server.alerts import facts
from printscout.server.alerts.engine import Changes, Subject, close_waited, reconcile
from printscout.server.alerts.forecast import DEFAULT_RULES, Forecast, ForecastRules
from printscout.server.alerts.rules import (
    ON_INGEST,
    CollectorFacts,
    DeviceFacts,
    Rule,
    RuleKind,
    collector_findings,
    device_findings,
)
from printscout.server.alerts.supplies import forecasts_for_device
from printscout.storage.accounts import CollectorRecord
from printscout.storage.alerts import SweepMark
from printscout.storage.base import insert_ignoring, table_of, utcnow
from printscout.storage.ingest import BatchOutcome
from printscout.storage.session import Database

log = logging.getLogger("printscout.alerts")
SWEEP: str = "alerts"
FORECASTS: str = "forecasts"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class AlertConfig:
    """Alert settings the service needs."""

    sweep_interval: timedelta = timedelta(minutes=1)
    # Forecasts read weeks of levels per device and change slowly: evaluated less often.
    forecast_interval: timedelta = timedelta(hours=1)
    history: timedelta = timedelta(days=60)
    forecast: ForecastRules = DEFAULT_RULES


@dataclass(frozen=True, slots=True)
class AlertService:
    """Evaluates rules into alerts; one per process, stateless."""

    db: Database
    config: AlertConfig = AlertConfig()

    def after_batch(self, collector: CollectorRecord, outcome: BatchOutcome) -> None:
        """Ingest hook: evaluate the reading-driven rules for the devices of a stored batch."""
        if not outcome.device_ids:
            return
        # A read first: without rules no write transaction is opened (SQLite has one writer).
        with self.db.reader() as session:
            dealers = facts.dealers_with_rules(session, ON_INGEST)
        if collector.dealer_id in dealers:
            ids = sorted(outcome.device_ids)
            self.db.write(lambda s: self.evaluate_devices(s, ids, ON_INGEST, utcnow()))

    def evaluate_devices(
        self,
        session: Session,
        device_ids: list[int] | None,
        kinds: Collection[RuleKind],
        now: datetime,
    ) -> Changes:
        """Evaluate the enabled rules of ``kinds`` on the devices (None: all with such rules)."""
        rules = facts.enabled_rules(session, kinds)
        if not rules:
            return Changes()
        if device_ids is None:
            device_ids = facts.devices_of_dealers(session, {r.dealer_id for r in rules})
        total = Changes()
        with_readings = bool(ON_INGEST & set(kinds))
        for device in facts.device_facts(session, device_ids, readings=with_readings):
            mine = [r for r in rules if r.covers(*_place(device))]
            forecasts = self._forecasts(session, device, mine, now)
            subject = Subject(device.subject, device.place, device_id=device.device_id)
            for rule in mine:
                found = device_findings(rule, device, now, forecasts)
                total = _add(total, reconcile(session, rule, subject, found, now))
        return total

    def _forecasts(
        self, session: Session, device: DeviceFacts, rules: list[Rule], now: datetime
    ) -> dict[int, Forecast]:
        if not any(r.kind is RuleKind.DAYS_TO_EMPTY for r in rules):
            return {}
        slots = forecasts_for_device(
            session, device.device_id, now, self.config.forecast, self.config.history
        )
        return {s.supply_index: s.forecast for s in slots}

    def evaluate_collectors(self, session: Session, now: datetime) -> Changes:
        """Evaluate the collector rules on every active collector of their dealers."""
        rules = facts.enabled_rules(session, {RuleKind.COLLECTOR_SILENT})
        total = Changes()
        for collector in facts.collector_facts(session, {r.dealer_id for r in rules}):
            subject = Subject(
                collector.subject, collector.place, collector_id=collector.collector_id
            )
            for rule in rules:
                if rule.covers(*_place(collector)):
                    found = collector_findings(rule, collector, now)
                    total = _add(total, reconcile(session, rule, subject, found, now))
        return total

    def sweep(self, now: datetime | None = None, *, force: bool = False) -> Changes | None:
        """Run the time-driven rules unless another server did within the interval (None)."""
        now = now or utcnow()

        def work(session: Session) -> Changes | None:
            if not claim_sweep(session, SWEEP, now, self.config.sweep_interval) and not force:
                return None
            kinds = {RuleKind.DEVICE_SILENT}
            if claim_sweep(session, FORECASTS, now, self.config.forecast_interval) or force:
                kinds.add(RuleKind.DAYS_TO_EMPTY)
            swept = self.evaluate_devices(session, None, kinds, now)
            swept = _add(swept, self.evaluate_collectors(session, now))
            rules = {r.id: r for r in facts.enabled_rules(session, set(RuleKind))}
            return _add(swept, Changes(closed=close_waited(session, rules, now)))

        changes = self.db.write(work)
        if changes is not None:
            log.info("alert sweep", extra={"opened": changes.opened, "closed": changes.closed})
        return changes


def claim_sweep(session: Session, name: str, now: datetime, interval: timedelta) -> bool:
    """Move the named mark to ``now`` if it is at least ``interval`` old; whether we did."""
    table = table_of(SweepMark)
    session.execute(insert_ignoring(session, table, ["name"]).values(name=name, ran_at=_EPOCH))
    # Slightly less than the interval, so a server's own timer jitter never skips a round.
    moved = session.execute(
        update(SweepMark)
        .where(SweepMark.name == name, SweepMark.ran_at <= now - interval * 0.9)
        .values(ran_at=now)
        .execution_options(synchronize_session=False)
    )
    return isinstance(moved, CursorResult) and moved.rowcount == 1


def _place(subject: DeviceFacts | CollectorFacts) -> tuple[int, int, int]:
    p = subject.place
    return p.dealer_id, p.customer_id, p.site_id


def _add(a: Changes, b: Changes) -> Changes:
    return Changes(
        a.opened + b.opened,
        a.updated + b.updated,
        a.renotified + b.renotified,
        a.closed + b.closed,
        a.clearing + b.clearing,
    )
