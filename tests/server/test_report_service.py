"""Report queries over a fleet stored through ingest: exact deltas, resets, scoping (both DBs)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from printscout.server.reports.service import (
    COUNTERS,
    NO_READING,
    OPENED_IN_PERIOD,
    BillingReport,
    BillingRow,
    billing,
    not_reporting,
    supplies,
)
from printscout.storage.session import Database
from tests.server.report_fleet import END, NOW, START, Fleet, at, build

TOTAL, MONO, COLOR = (COUNTERS.index(c) for c in ("total", "mono", "color"))
# Readings raw only; rolled up to 21 November (the rest raw); rolled up completely.
ROLL_UPS = (None, at(11, 21, 0), NOW)


@pytest.fixture(params=ROLL_UPS, ids=("raw", "half-rolled-up", "rolled-up"))
def any_fleet(request: pytest.FixtureRequest, db: Database) -> Fleet:
    """The sample fleet, rolled up (or not) as the parameter says: reports must not differ."""
    roll: datetime | None = request.param
    return build(db, roll)


@pytest.fixture
def fleet(db: Database) -> Fleet:
    """The sample fleet, never rolled up."""
    return build(db)


def _billing(db: Database, fleet: Fleet, *customers: int, **kw: int) -> BillingReport:
    with db.reader() as session:
        return billing(session, fleet.scope(*customers), START, END, **kw)


def _row(report: BillingReport, serial: str) -> BillingRow:
    (found,) = [r for r in report.rows if r.device.serial == serial]
    return found


def _triples(row: BillingRow, index: int) -> tuple[int | None, int | None, int | None]:
    c = row.counters[index]
    return c.start, c.end, c.delta


def test_it_reports_start_end_and_pages_skipping_a_glitch(db: Database, any_fleet: Fleet) -> None:
    row = _row(_billing(db, any_fleet), "PSHP000001")
    assert _triples(row, TOTAL) == (1000, 2100, 1100)
    assert _triples(row, MONO) == (666, 1400, 734)
    assert _triples(row, COLOR) == (334, 700, 366)
    assert row.counters[COUNTERS.index("fax")].delta is None
    assert row.flags == ("total_glitch", "mono_glitch", "color_glitch")
    assert (row.start_at, row.end_at) == (at(10, 31, 20), at(11, 30, 18))
    assert (row.device.customer, row.device.site) == ("Acme", "HQ")
    assert row.unit == "impressions"
    assert _row(_billing(db, any_fleet), "PSHP000002").unit is None


def test_it_adds_the_segments_around_a_counter_reset(db: Database, any_fleet: Fleet) -> None:
    row = _row(_billing(db, any_fleet), "PSHP000002")
    # 50,000 → 50,400 | reset | 120 → 900: 400 + 780 pages, never negative.
    assert _triples(row, TOTAL) == (50_000, 900, 1180)
    assert _triples(row, MONO) == (33_333, 600, 267 + 520)
    assert _triples(row, COLOR) == (16_667, 300, 133 + 260)
    assert row.flags == ("total_reset", "mono_reset", "color_reset")
    assert row.anomalies == ("total_went_backwards",)


def test_it_flags_a_device_without_reading_in_the_period(db: Database, fleet: Fleet) -> None:
    row = _row(_billing(db, fleet), "PSHP000003")
    assert _triples(row, TOTAL) == (5000, 5000, 0)
    assert row.flags == (NO_READING,)


def test_it_starts_a_new_device_at_its_first_reading(db: Database, fleet: Fleet) -> None:
    row = _row(_billing(db, fleet), "PSHP000004")
    assert _triples(row, TOTAL) == (300, 800, 500)
    assert row.flags == (OPENED_IN_PERIOD,)


def test_it_sums_per_site_per_customer_and_in_total(db: Database, any_fleet: Fleet) -> None:
    report = _billing(db, any_fleet)
    sites = {(s.customer, s.site): (s.devices, s.deltas[TOTAL]) for s in report.sites}
    assert sites == {
        ("Acme", "Branch"): (2, 500),
        ("Acme", "HQ"): (2, 2280),
        ("Globex", "Main"): (1, 700),
    }
    customers = {s.customer: (s.deltas[TOTAL], s.deltas[MONO]) for s in report.customers}
    assert customers == {"Acme": (2780, 1521 + 333), "Globex": (700, 467)}
    assert report.total.devices == 5
    assert (report.total.deltas[TOTAL], report.total.deltas[COLOR]) == (3480, 759 + 167 + 233)
    assert report.total.deltas[COUNTERS.index("scan")] is None


def test_it_shows_a_scoped_user_only_their_customers(db: Database, fleet: Fleet) -> None:
    report = _billing(db, fleet, fleet.globex_id)
    assert [r.device.serial for r in report.rows] == ["PSHP000005"]
    assert report.total.deltas[TOTAL] == 700
    with db.reader() as session:
        scope = fleet.scope(fleet.globex_id)
        sup = supplies(session, scope, START, END)
        silent = not_reporting(session, scope, timedelta(hours=1), now=NOW)
    assert {r.device.serial for r in sup.rows} == {"PSHP000005"}
    assert [r.device.serial for r in silent.rows] == ["PSHP000005"]


def test_it_never_shows_another_dealers_devices(db: Database, fleet: Fleet) -> None:
    report = _billing(db, fleet)
    assert "PSHP000009" not in {r.device.serial for r in report.rows}
    # A customer id of another dealer asked for explicitly still yields nothing.
    other = _billing(db, fleet, customer_id=fleet.other_customer_id)
    assert other.rows == ()


def test_it_filters_by_customer_and_by_site(db: Database, fleet: Fleet) -> None:
    acme = _billing(db, fleet, customer_id=fleet.acme_id)
    assert {r.device.customer for r in acme.rows} == {"Acme"}
    branch = _billing(db, fleet, site_id=fleet.branch_site_id)
    assert [r.device.serial for r in branch.rows] == ["PSHP000003", "PSHP000004"]
    # A scoped user asking for a customer outside the scope gets nothing.
    assert _billing(db, fleet, fleet.globex_id, customer_id=fleet.acme_id).rows == ()


def test_it_reports_supply_levels_replacements_and_usage(db: Database, any_fleet: Fleet) -> None:
    with db.reader() as session:
        report = supplies(session, any_fleet.scope(), START, END)
    rows = {(r.device.serial, r.supply_index): r for r in report.rows}
    black = rows["PSHP000001", 1]
    assert (black.start_percent, black.end_percent, black.level_percent) == (50, 90, 88)
    assert black.replacements == 1
    assert black.used_percent == (50 - 30) + (95 - 90)
    assert (black.color, black.state) == ("black", "ok")
    cyan = rows["PSHP000001", 2]
    assert (cyan.replacements, cyan.used_percent) == (0, 0)
    other = rows["PSHP000002", 1]
    assert (other.start_percent, other.end_percent, other.used_percent) == (70, 64, 6)
    assert rows["PSHP000003", 1].flags == (NO_READING,)
    assert len(report.rows) == 5 * 5  # five devices, four toners and a waste box each


def test_it_lists_devices_not_reporting_longest_silent_first(db: Database, fleet: Fleet) -> None:
    with db.reader() as session:
        report = not_reporting(session, fleet.scope(), timedelta(hours=48), now=NOW)
    assert report.since == NOW - timedelta(hours=48)
    serials = [r.device.serial for r in report.rows]
    assert serials == ["PSHP000003", "PSHP000002", "PSHP000004", "PSHP000005"]
    first = report.rows[0]
    assert first.silent_for == NOW - at(10, 20)
    assert (first.device.last_seen_at, first.device.collector) == (at(10, 20), "br-01")
