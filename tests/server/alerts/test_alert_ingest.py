"""Alerts from uploads: a stored batch evaluates the reading-driven rules for its devices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from printscout.server.alerts.queries import list_alerts
from printscout.server.alerts.rules import RuleKind
from printscout.storage.accounts import CollectorRecord, Role, Scope, ensure_site
from printscout.storage.alerts import AlertRecord
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_rule
from tests.storage.fleet_samples import fleet_batch, wire

pytestmark = pytest.mark.anyio
URL = "/api/v1/ingest"


def upload(keyed: tuple[CollectorRecord, str], minutes: int, **kw: Any) -> dict[str, Any]:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2) + timedelta(minutes=minutes)
    return wire(fleet_batch(str(keyed[0].public_id), range(2), at, **kw))


def open_alerts(db: Database, dealer_id: int) -> list[AlertRecord]:
    scope = Scope(1, dealer_id, Role.VIEWER, None)
    with db.reader() as session:
        return sorted(list_alerts(session, scope), key=lambda a: (a.device_id or 0, a.condition))


async def test_it_opens_and_closes_alerts_as_uploads_arrive(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    dealer = keyed[0].dealer_id
    add_rule(db, dealer, RuleKind.DEVICE_ERROR)
    add_rule(db, dealer, RuleKind.SUPPLY_LOW, threshold=15)
    add_rule(db, dealer, RuleKind.COUNTER_ANOMALY)
    first = upload(keyed, 0, errors=("jammed", "low_paper"), levels=(9, 60, 40, 20))
    assert (await client.post(URL, json=first)).status_code == 200
    found = [(a.condition, a.message.split(": ", 1)[1]) for a in open_alerts(db, dealer)]
    assert (
        found
        == [
            ("error:jammed", "jammed"),
            ("supply:1", "Black Cartridge is low (9 %)"),
        ]
        * 2
    )
    # The jam is cleared and the counter was reset: the jam alerts close, resets open.
    second = upload(keyed, 15, levels=(8, 60, 40, 20), total=20)
    assert (await client.post(URL, json=second)).status_code == 200
    values = [(a.condition, a.value) for a in open_alerts(db, dealer)]
    assert values == [("counter_reset", 20.0), ("supply:1", 8.0)] * 2


async def test_it_leaves_alone_devices_outside_a_rules_site(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    collector = keyed[0]
    with db.writer() as session:
        other = ensure_site(session, "Dealer", "Acme", "Branch office").id
    add_rule(db, collector.dealer_id, RuleKind.DEVICE_ERROR, site_id=other)
    await client.post(URL, json=upload(keyed, 0, errors=("jammed",)))
    assert open_alerts(db, collector.dealer_id) == []
