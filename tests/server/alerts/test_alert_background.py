"""End to end in a real server: an upload opens an alert, and the server's own background
sender delivers the webhook (nothing called by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import anyio
import httpx
import orjson
import pytest

from printscout.server.alerts.rules import RuleKind
from printscout.server.app import create_app
from printscout.server.settings import AlertSettings, ServerSettings
from printscout.storage.accounts import CollectorRecord
from printscout.storage.session import Database
from tests.server.alerts.alert_samples import add_channel, add_rule
from tests.server.alerts.http_receiver import receiver, serving
from tests.storage.fleet_samples import fleet_batch, wire

pytestmark = pytest.mark.anyio


async def test_it_notifies_from_a_served_app(
    settings: ServerSettings, db: Database, keyed: tuple[CollectorRecord, str]
) -> None:
    collector, key = keyed
    quick = AlertSettings(
        dispatch_interval_s=0.05,
        sweep_interval_s=5,
        webhook_allowed_networks=[ip_network("127.0.0.0/8")],
    )
    app = create_app(settings.model_copy(update={"alerts": quick}), database=db)
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    batch = wire(fleet_batch(str(collector.public_id), range(1), at, errors=("door_open",)))
    async with receiver() as hook, serving(app, lifespan="on") as base:
        channel = add_channel(db, collector.dealer_id, "webhook", hook.url)
        add_rule(db, collector.dealer_id, RuleKind.DEVICE_ERROR, channel_ids=[channel])
        async with httpx.AsyncClient(base_url=base) as client:
            answer = await client.post(
                "/api/v1/ingest", json=batch, headers={"Authorization": f"Bearer {key}"}
            )
        assert answer.status_code == 200
        with anyio.fail_after(20):
            await hook.arrived.wait()
    notice = orjson.loads(hook.requests[0].body)
    assert (notice["event"], notice["alert"]["condition"]) == ("opened", "error:door_open")
