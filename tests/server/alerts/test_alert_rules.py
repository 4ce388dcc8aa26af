"""Rule conditions, evaluated on frozen facts (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from printscout.server.alerts.forecast import Forecast, ForecastStatus
from printscout.server.alerts.rules import (
    CollectorFacts,
    DeviceFacts,
    Place,
    Rule,
    RuleKind,
    SupplyFact,
    collector_findings,
    device_findings,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
PLACE = Place(dealer_id=1, customer_id=10, site_id=100)


def device(**kw: object) -> DeviceFacts:
    values: dict[str, object] = {
        "device_id": 5,
        "place": PLACE,
        "name": "HP M555 (10.0.0.5)",
        "last_seen_at": NOW - timedelta(minutes=5),
        "supplies": (
            SupplyFact(1, "Black Cartridge", 8, "low"),
            SupplyFact(2, "Cyan Cartridge", 15, "ok"),
            SupplyFact(3, "Magenta Cartridge", 50, "ok"),
            SupplyFact(4, "Yellow Cartridge", None, "empty"),
        ),
    }
    return DeviceFacts(**(values | kw))  # type: ignore[arg-type]


def conditions(rule: Rule, facts: DeviceFacts, **kw: object) -> list[str]:
    return [f.condition for f in device_findings(rule, facts, NOW, **kw)]  # type: ignore[arg-type]


def test_it_finds_supplies_below_the_threshold_or_in_state_low_or_empty() -> None:
    assert conditions(Rule(1, 1, RuleKind.SUPPLY_LOW), device()) == ["supply:1", "supply:4"]
    twenty = Rule(1, 1, RuleKind.SUPPLY_LOW, threshold=20)
    (_, cyan, _) = device_findings(twenty, device(), NOW)
    assert (cyan.condition, cyan.value) == ("supply:2", 15.0)
    assert cyan.message == "HP M555 (10.0.0.5): Cyan Cartridge is ok (15 %)"


def test_it_finds_only_the_device_errors_asked_for() -> None:
    facts = device(errors=("low_paper", "jammed", "door_open"))
    assert conditions(Rule(1, 1, RuleKind.DEVICE_ERROR), facts) == [
        "error:jammed",
        "error:door_open",
    ]
    only_paper = Rule(1, 1, RuleKind.DEVICE_ERROR, errors=("low_paper",))
    assert conditions(only_paper, facts) == ["error:low_paper"]


def test_it_finds_a_device_silent_for_longer_than_the_threshold() -> None:
    rule = Rule(1, 1, RuleKind.DEVICE_SILENT, threshold=60)
    assert conditions(rule, device()) == []
    (finding,) = device_findings(rule, device(last_seen_at=NOW - timedelta(minutes=90)), NOW)
    assert (finding.condition, finding.value) == ("silent", 90)


def test_it_counts_a_collector_that_never_reported_from_its_registration() -> None:
    rule = Rule(1, 1, RuleKind.COLLECTOR_SILENT, threshold=30)
    fresh = CollectorFacts(3, PLACE, "hq", NOW - timedelta(minutes=10), None)
    old = CollectorFacts(3, PLACE, "hq", NOW - timedelta(days=1), NOW - timedelta(minutes=31))
    assert collector_findings(rule, fresh, NOW) == []
    assert [f.message for f in collector_findings(rule, old, NOW)] == [
        "collector hq: silent for 31 minutes"
    ]


def test_it_finds_a_counter_reset_and_collector_anomalies() -> None:
    rule = Rule(1, 1, RuleKind.COUNTER_ANOMALY)
    assert conditions(rule, device(counter_total=500, previous_total=400)) == []
    reset = device(counter_total=12, previous_total=48_000, anomalies=("total_went_backwards",))
    assert conditions(rule, reset) == ["anomaly:total_went_backwards", "counter_reset"]


def test_it_finds_supplies_running_out_within_the_days_given() -> None:
    rule = Rule(1, 1, RuleKind.DAYS_TO_EMPTY, threshold=7)
    forecasts = {
        1: Forecast(ForecastStatus.OK, 8, days_left=3.2),
        2: Forecast(ForecastStatus.OK, 15, days_left=9.0),
        3: Forecast(ForecastStatus.NOT_ENOUGH_HISTORY, 50),
    }
    (finding,) = device_findings(rule, device(), NOW, forecasts)
    assert (finding.condition, finding.value) == ("supply:1", 3.2)
    assert finding.message.endswith("Black Cartridge empty in 3.2 days")


def test_it_applies_a_rule_to_its_dealer_customer_or_site_only() -> None:
    dealer_wide = Rule(1, 1, RuleKind.SUPPLY_LOW)
    one_site = Rule(2, 1, RuleKind.SUPPLY_LOW, customer_id=10, site_id=101)
    assert dealer_wide.covers(1, 10, 100) and not dealer_wide.covers(2, 10, 100)
    assert one_site.covers(1, 10, 101) and not one_site.covers(1, 10, 100)
