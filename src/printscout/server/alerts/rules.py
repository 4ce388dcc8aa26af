"""Alert rules and their conditions: pure evaluation of frozen facts, no I/O.

A rule yields findings for a subject (a device or a collector); each finding names one
condition (``supply:3``, ``error:jammed``...). The engine keeps one open alert per rule,
subject and condition, opening, updating and closing them as findings come and go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from printscout.server.alerts.forecast import Forecast, ForecastStatus


class RuleKind(StrEnum):
    """What a rule watches; ``threshold`` is in the unit given."""

    SUPPLY_LOW = "supply_low"  # percent; also any supply in state low or empty
    DAYS_TO_EMPTY = "days_to_empty"  # days
    DEVICE_ERROR = "device_error"  # no threshold; the error names in ``errors``
    DEVICE_SILENT = "device_silent"  # minutes
    COLLECTOR_SILENT = "collector_silent"  # minutes
    COUNTER_ANOMALY = "counter_anomaly"  # no threshold: a counter reset or an anomaly flag


DEFAULT_ERRORS: Final = ("jammed", "door_open", "no_paper", "service_requested")
DEFAULT_THRESHOLDS: Final = {
    RuleKind.SUPPLY_LOW: 10.0,
    RuleKind.DAYS_TO_EMPTY: 7.0,
    RuleKind.DEVICE_SILENT: 60.0,
    RuleKind.COLLECTOR_SILENT: 30.0,
}
# Kinds the periodic sweep evaluates (they change with time, not with a new reading).
SWEPT: Final = frozenset(
    {RuleKind.DAYS_TO_EMPTY, RuleKind.DEVICE_SILENT, RuleKind.COLLECTOR_SILENT}
)
# Kinds a new reading can change, evaluated right after ingest.
ON_INGEST: Final = frozenset({RuleKind.SUPPLY_LOW, RuleKind.DEVICE_ERROR, RuleKind.COUNTER_ANOMALY})


@dataclass(frozen=True, slots=True)
class Rule:
    """An alert rule as the engine sees it."""

    id: int
    dealer_id: int
    kind: RuleKind
    name: str = ""
    customer_id: int | None = None
    site_id: int | None = None
    threshold: float | None = None
    errors: tuple[str, ...] = DEFAULT_ERRORS
    severity: str = "warning"
    renotify: timedelta | None = None
    # How long a condition must stay gone before its alert closes (None: at once).
    clear_after: timedelta | None = None
    channel_ids: tuple[int, ...] = ()

    @property
    def limit(self) -> float:
        """The threshold, or the kind's default."""
        return (
            self.threshold if self.threshold is not None else DEFAULT_THRESHOLDS.get(self.kind, 0)
        )

    def covers(self, dealer_id: int, customer_id: int, site_id: int) -> bool:
        """Whether a subject at this place of the account tree falls under the rule."""
        return (
            dealer_id == self.dealer_id
            and self.customer_id in (None, customer_id)
            and self.site_id in (None, site_id)
        )


@dataclass(frozen=True, slots=True)
class Place:
    """Where a subject stands in the account tree."""

    dealer_id: int
    customer_id: int
    site_id: int


@dataclass(frozen=True, slots=True)
class SupplyFact:
    """A supply slot's current state."""

    index: int
    name: str
    level_percent: int | None
    state: str


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """What the rules look at for one device."""

    device_id: int
    place: Place
    name: str
    last_seen_at: datetime
    supplies: tuple[SupplyFact, ...] = ()
    errors: tuple[str, ...] = ()
    anomalies: tuple[str, ...] = ()
    # The total counter of the newest reading and of the one before it.
    counter_total: int | None = None
    previous_total: int | None = None

    @property
    def subject(self) -> str:
        """The alert subject naming this device."""
        return f"device:{self.device_id}"


@dataclass(frozen=True, slots=True)
class CollectorFacts:
    """What the rules look at for one collector."""

    collector_id: int
    place: Place
    name: str
    created_at: datetime
    last_seen_at: datetime | None

    @property
    def subject(self) -> str:
        """The alert subject naming this collector."""
        return f"collector:{self.collector_id}"


@dataclass(frozen=True, slots=True)
class Finding:
    """A condition that holds now: what the alert says and the value behind it."""

    condition: str
    message: str
    value: float | None = None


def device_findings(
    rule: Rule,
    facts: DeviceFacts,
    now: datetime,
    forecasts: Mapping[int, Forecast] | None = None,
) -> list[Finding]:
    """The conditions of ``rule`` that hold for the device now."""
    match rule.kind:
        case RuleKind.SUPPLY_LOW:
            return _supplies_low(rule, facts)
        case RuleKind.DAYS_TO_EMPTY:
            return _running_out(rule, facts, forecasts or {})
        case RuleKind.DEVICE_ERROR:
            wanted = set(rule.errors)
            return [
                Finding(f"error:{e}", f"{facts.name}: {e.replace('_', ' ')}")
                for e in facts.errors
                if e in wanted
            ]
        case RuleKind.DEVICE_SILENT:
            return _silent(rule, facts.name, facts.last_seen_at, now)
        case RuleKind.COUNTER_ANOMALY:
            return _counter_anomalies(facts)
    return []


def collector_findings(rule: Rule, facts: CollectorFacts, now: datetime) -> list[Finding]:
    """The conditions of ``rule`` that hold for the collector now."""
    if rule.kind is not RuleKind.COLLECTOR_SILENT:
        return []
    # A collector that never sent anything counts from when it was registered.
    return _silent(rule, f"collector {facts.name}", facts.last_seen_at or facts.created_at, now)


def _supplies_low(rule: Rule, facts: DeviceFacts) -> list[Finding]:
    out = []
    for s in facts.supplies:
        below = s.level_percent is not None and 0 <= s.level_percent < rule.limit
        if below or s.state in ("low", "empty"):
            level = "unknown" if s.level_percent is None else f"{s.level_percent} %"
            message = f"{facts.name}: {s.name} is {s.state} ({level})"
            value = None if s.level_percent is None else float(s.level_percent)
            out.append(Finding(f"supply:{s.index}", message, value))
    return out


def _running_out(
    rule: Rule, facts: DeviceFacts, forecasts: Mapping[int, Forecast]
) -> list[Finding]:
    out = []
    for s in facts.supplies:
        found = forecasts.get(s.index)
        if found is None or found.days_left is None:
            continue
        if (
            found.status in (ForecastStatus.OK, ForecastStatus.EMPTY)
            and found.days_left < rule.limit
        ):
            message = f"{facts.name}: {s.name} empty in {found.days_left:.1f} days"
            out.append(Finding(f"supply:{s.index}", message, round(found.days_left, 1)))
    return out


def _silent(rule: Rule, name: str, seen: datetime, now: datetime) -> list[Finding]:
    minutes = (now - seen).total_seconds() / 60
    if minutes < rule.limit:
        return []
    return [Finding("silent", f"{name}: silent for {minutes:.0f} minutes", round(minutes))]


def _counter_anomalies(facts: DeviceFacts) -> list[Finding]:
    out = [Finding(f"anomaly:{a}", f"{facts.name}: counter anomaly {a}") for a in facts.anomalies]
    now, before = facts.counter_total, facts.previous_total
    if now is not None and before is not None and now < before:
        message = f"{facts.name}: page counter went back from {before} to {now}"
        out.append(Finding("counter_reset", message, float(now)))
    return out
