"""/api/v1/alerts (list, detail, acknowledge, close), /api/v1/devices/{id}/forecasts and
/api/v1/customers/{id}/order-suggestions, within each caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from printscout.server.alerts.rules import Finding, RuleKind
from printscout.server.settings import ServerSettings
from printscout.storage.fleet import Device
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import (
    add_channel,
    add_rule,
    collector_subject,
    evaluate,
    store_history,
)
from tests.server.alerts.api_personas import Personas, api, as_user, personas

pytestmark = pytest.mark.anyio
ALERTS = "/api/v1/alerts"


def two_alerts(db: Database, p: Personas) -> None:
    """A silent-collector alert for each customer, Acme's notified by email."""
    channel = add_channel(db, p.acme.dealer_id, "email", "ops@dealer.test", None)
    rule = add_rule(db, p.acme.dealer_id, RuleKind.COLLECTOR_SILENT, channel_ids=[channel])
    now = datetime.now(UTC)
    for c in (p.acme, p.beta):
        evaluate(db, rule, collector_subject(c), [Finding("silent", f"{c.name} silent")], now)


async def test_it_lists_alerts_in_scope_with_filters(
    settings: ServerSettings, db: Database
) -> None:
    p = personas(db)
    two_alerts(db, p)
    async with api(settings, db) as client:
        every = (await client.get(ALERTS, headers=as_user(p.viewer))).json()
        assert sorted(a["message"] for a in every) == ["beta-01 silent", "hq-01 silent"]
        mine = (await client.get(ALERTS, headers=as_user(p.acme_only))).json()
        assert [a["message"] for a in mine] == ["hq-01 silent"]
        query: dict[str, str | int] = {
            "customer_id": p.beta.customer_id,
            "kind": "collector_silent",
        }
        beta = (await client.get(ALERTS, params=query, headers=as_user(p.admin))).json()
        assert [a["message"] for a in beta] == ["beta-01 silent"]
        closed = await client.get(ALERTS, params={"state": "closed"}, headers=as_user(p.admin))
        assert closed.json() == []
        severities = {a["severity"] for a in every}
        other = next(s for s in ("info", "warning", "critical") if s not in severities)
        none = await client.get(ALERTS, params={"severity": other}, headers=as_user(p.admin))
        assert none.json() == []
        same = {"severity": every[0]["severity"]}
        found = (await client.get(ALERTS, params=same, headers=as_user(p.admin))).json()
        assert len(found) == sum(a["severity"] == same["severity"] for a in every)


async def test_it_acknowledges_and_closes_with_history_and_delivery_log(
    settings: ServerSettings, db: Database
) -> None:
    p = personas(db)
    two_alerts(db, p)
    async with api(settings, db) as client:
        (alert,) = (await client.get(ALERTS, headers=as_user(p.acme_only))).json()
        url = f"{ALERTS}/{alert['id']}"
        refused = await client.post(f"{url}/acknowledge", headers=as_user(p.viewer))
        assert refused.status_code == 403
        acked = (await client.post(f"{url}/acknowledge", headers=as_user(p.operator))).json()
        assert acked["acknowledged_by"] == p.operator and acked["closed_at"] is None
        closed = (await client.post(f"{url}/close", headers=as_user(p.acme_only))).json()
        assert closed["closed_at"] is not None
        detail = (await client.get(url, headers=as_user(p.viewer))).json()
    assert [e["kind"] for e in detail["events"]] == ["opened", "acknowledged", "closed"]
    assert [e["user_id"] for e in detail["events"]] == [None, p.operator, p.acme_only]
    assert [(d["event"], d["state"]) for d in detail["deliveries"]] == [
        ("opened", "pending"),
        ("closed", "pending"),
    ]


async def test_it_hides_alerts_of_other_customers(settings: ServerSettings, db: Database) -> None:
    p = personas(db)
    two_alerts(db, p)
    async with api(settings, db) as client:
        every = (await client.get(ALERTS, headers=as_user(p.admin))).json()
        beta = next(a for a in every if a["message"].startswith("beta"))
        for answer in (
            await client.get(f"{ALERTS}/{beta['id']}", headers=as_user(p.acme_only)),
            await client.post(f"{ALERTS}/{beta['id']}/close", headers=as_user(p.acme_only)),
        ):
            assert answer.status_code == 404


async def test_it_forecasts_a_devices_supplies_and_suggests_orders(
    settings: ServerSettings, db: Database
) -> None:
    p = personas(db)
    store_history(db, p.acme, datetime.now(UTC) - timedelta(minutes=1))
    with db.reader() as session:
        device = session.scalars(select(Device.id)).one()
    async with api(settings, db) as client:
        found = await client.get(
            f"/api/v1/devices/{device}/forecasts", headers=as_user(p.acme_only)
        )
        hidden = await client.get(f"/api/v1/devices/{device}/forecasts", headers={})
        orders = await client.get(
            f"/api/v1/customers/{p.acme.customer_id}/order-suggestions", headers=as_user(p.viewer)
        )
        other = await client.get(
            f"/api/v1/customers/{p.beta.customer_id}/order-suggestions",
            headers=as_user(p.acme_only),
        )
    assert hidden.status_code == 401
    black, cyan = found.json()[:2]
    assert black["forecast"]["status"] == "ok"
    assert black["forecast"]["days_left"] == pytest.approx(10 / 3, abs=0.3)
    # 150 pages per 0.75 points (see store_history): 20,000 pages per whole cartridge.
    assert black["forecast"]["pages_per_cartridge"] == pytest.approx(150 / 0.75 * 100, rel=0.05)
    assert cyan["forecast"]["status"] == "not_enough_history"
    ((suggestion),) = orders.json()
    assert (suggestion["supply"], suggestion["device_id"]) == ("Black Cartridge", device)
    assert suggestion["reason"].startswith("runs out in")
    assert other.status_code == 404
