"""A small fleet with known counters over November 2026, stored through the real ingest path.

Acme/HQ:     PSHP000001 1000 → 1500 → 5 (a glitch) → 2100 in November (black toner replaced)
             PSHP000002 50000 → 50400 → 120 (reset) → 900
Acme/Branch: PSHP000003 only read in October
             PSHP000004 first read in November: 300 → 800
Globex/Main: PSHP000005 7000 → 7700
Other dealer PSHP000009 (never visible to Dealer's users)

Each reading's mono is total * 2 // 3 and colour the rest (``fleet_samples.reading``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sqlalchemy import select

from printscout.domain.reading import Reading
from printscout.storage.accounts import CollectorRecord, Role, Scope
from printscout.storage.fleet import Device
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.retention import RetentionPolicy, roll_up
from printscout.storage.session import Database
from tests.storage.databases import add_collector
from tests.storage.fleet_samples import batch, observed, reading

START: Final = date(2026, 11, 1)
END: Final = date(2026, 12, 1)
NOW: Final = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
RULES: Final = IngestRules()
LOCATION_1: Final = '=HYPERLINK("http://evil")'  # a hostile location string
LOCATION_5: Final = "Zürich Ωmega Пресс 東京"  # not Latin-1


def at(month: int, day: int, hour: int = 12) -> datetime:
    """A moment of 2026, UTC."""
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _levels(black: int) -> tuple[int, int, int, int]:
    return (black, 60, 40, 20)


# (serial number n, when, total, black toner %, collector key)
READS: Final = (
    (1, at(10, 31, 20), 1000, 50, "hq"),
    (2, at(10, 30), 50_000, 70, "hq"),
    (3, at(10, 20), 5000, 70, "branch"),
    (5, at(10, 31), 7000, 70, "globex"),
    (9, at(10, 31), 100, 70, "other"),
    (2, at(11, 5), 50_400, 68, "hq"),
    (1, at(11, 10), 1500, 30, "hq"),
    (2, at(11, 12), 120, 66, "hq"),
    (4, at(11, 15), 300, 70, "branch"),
    (1, at(11, 20), 5, 95, "hq"),
    (2, at(11, 20), 900, 64, "hq"),
    (4, at(11, 25), 800, 65, "branch"),
    (5, at(11, 28), 7700, 69, "globex"),
    (9, at(11, 28), 900, 69, "other"),
    (1, at(11, 30, 18), 2100, 90, "hq"),
    (1, at(12, 1, 9), 2500, 88, "hq"),
)


@dataclass(frozen=True, slots=True)
class Fleet:
    """The fleet's account ids and the scopes of its users."""

    dealer_id: int
    acme_id: int
    globex_id: int
    hq_site_id: int
    branch_site_id: int
    other_customer_id: int

    def scope(self, *customers: int) -> Scope:
        """A viewer of Dealer over the customers given (every customer when none)."""
        return Scope(1, self.dealer_id, Role.VIEWER, frozenset(customers) if customers else None)


def _reading(n: int, total: int, black: int) -> Reading:
    r = reading(n, total=total, levels=_levels(black))
    identity = r.identity
    if n == 1:
        identity = replace(identity, location=LOCATION_1, asset_number="@SUM(A1)")
        r = replace(r, counters=replace(r.counters, unit="impressions"))
    if n == 5:
        identity = replace(identity, location=LOCATION_5)
    r = replace(r, identity=identity)
    if n == 2 and total == 120:
        counters = replace(r.counters, anomalies=("total_went_backwards",))
        r = replace(r, counters=counters)
    return r


def build(db: Database, roll_up_at: datetime | None = None) -> Fleet:
    """Store the readings in time order; roll up once at ``roll_up_at`` (None: never)."""
    collectors: dict[str, CollectorRecord] = {
        "hq": add_collector(db, "hq-01", "HQ", "Acme")[0],
        "branch": add_collector(db, "br-01", "Branch", "Acme")[0],
        "globex": add_collector(db, "gx-01", "Main", "Globex")[0],
        "other": add_collector(db, "ot-01", "Main", "Initech", dealer="Other Dealer")[0],
    }
    pending = roll_up_at
    for n, when, total, black, key in sorted(READS, key=lambda r: r[1]):
        if pending is not None and when >= pending:
            roll_up(db, RetentionPolicy(), pending)
            pending = None
        c = collectors[key]
        b = batch(str(c.public_id), [observed(when, _reading(n, total, black))])
        store_batch(db, c, b, RULES, when + timedelta(minutes=1))
    if pending is not None:
        roll_up(db, RetentionPolicy(), pending)
    hq, branch, globex = collectors["hq"], collectors["branch"], collectors["globex"]
    return Fleet(
        hq.dealer_id,
        hq.customer_id,
        globex.customer_id,
        hq.site_id,
        branch.site_id,
        collectors["other"].customer_id,
    )


def device_id(db: Database, serial: str) -> int:
    """The id of the device with ``serial``."""
    with db.reader() as session:
        found = session.scalar(select(Device.id).where(Device.serial == serial))
    assert found is not None
    return found
