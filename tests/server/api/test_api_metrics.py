"""GET /metrics: the fleet of the token's scope in the Prometheus text format, parsed back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import update

from printscout.storage.accounts import Collector
from printscout.storage.session import Database
from tests.server.api.personas import ClientFor, Fleet

pytestmark = pytest.mark.anyio


async def _scrape(client_for: ClientFor, persona: str) -> dict[str, list[Sample]]:
    response = await client_for(persona).get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {f.name: f.samples for f in text_string_to_metric_families(response.text)}


def _by(samples: list[Sample], **labels: str) -> list[Sample]:
    return [s for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]


async def test_it_exports_supply_levels_with_labels(client_for: ClientFor, fleet: Fleet) -> None:
    families = await _scrape(client_for, "admin")
    levels = families["printscout_supply_level_percent"]
    [cyan] = _by(levels, serial="PSHP000001", colour="cyan")
    assert cyan.value == 60
    assert cyan.labels == {
        "device": cyan.labels["device"],
        "serial": "PSHP000001",
        "site": "HQ",
        "customer": "Acme",
        "supply": "Cyan Cartridge",
        "index": "2",
        "kind": "toner",
        "colour": "cyan",
    }
    assert len(levels) == 6 * 5
    states = _by(families["printscout_supply_state"], serial="PSHP000001", index="4")
    assert {s.labels["state"]: s.value for s in states} == {
        "ok": 1, "low": 0, "empty": 0, "some_remaining": 0, "unknown": 0
    }  # fmt: skip


async def test_it_exports_page_counters_as_counters(client_for: ClientFor, fleet: Fleet) -> None:
    response = await client_for("admin").get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    pages = families["printscout_device_pages"]
    assert pages.type == "counter"
    by_counter = {s.labels["counter"]: s.value for s in _by(pages.samples, serial="PSHP000010")}
    assert by_counter == {"total": 10_120, "mono": 6746, "color": 3374}
    assert {s.name for s in pages.samples} == {"printscout_device_pages_total"}


async def test_it_exports_device_state_and_collector_health(
    client_for: ClientFor, fleet: Fleet, db: Database
) -> None:
    with db.writer() as session:
        plant = fleet.collectors["plant"].id
        long_ago = fleet.polled_at - timedelta(days=2)
        session.execute(
            update(Collector).where(Collector.id == plant).values(last_seen_at=long_ago)
        )
    families = await _scrape(client_for, "admin")
    assert {s.value for s in families["printscout_device_up"]} == {1}
    status = _by(families["printscout_device_status"], serial="PSHP000003")
    assert {s.labels["state"]: s.value for s in status}["running"] == 1
    assert sum(s.value for s in status) == 1
    up = {s.labels["collector"]: s.value for s in families["printscout_collector_up"]}
    assert up == {"hq-01": 1, "lab-01": 1, "plant-01": 0}
    devices = {s.labels["collector"]: s.value for s in families["printscout_collector_devices"]}
    assert devices == {"hq-01": 3, "lab-01": 1, "plant-01": 2}
    [seen] = _by(families["printscout_collector_last_seen_timestamp_seconds"], site="Plant")
    assert seen.value == long_ago.timestamp()
    [info] = _by(families["printscout_device_info"], serial="PSHP000000")
    assert (info.labels["manufacturer"], info.labels["model"]) == ("HP", "Color LaserJet M555")


async def test_it_exports_only_the_scope_of_the_token(client_for: ClientFor, fleet: Fleet) -> None:
    families = await _scrape(client_for, "acme_viewer")
    customers = {s.labels["customer"] for samples in families.values() for s in samples}
    assert customers == {"Acme"}
    assert len(families["printscout_device_up"]) == 4


async def test_it_speaks_openmetrics_when_asked(client_for: ClientFor, fleet: Fleet) -> None:
    response = await client_for("admin").get(
        "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


async def test_it_refuses_a_scrape_without_a_token(client_for: ClientFor, fleet: Fleet) -> None:
    assert (await client_for(None).get("/metrics")).status_code == 401


async def test_it_compresses_the_scrape_when_asked(client_for: ClientFor, fleet: Fleet) -> None:
    client = client_for("admin")
    plain = await client.get("/metrics", headers={"Accept-Encoding": "identity"})
    packed = await client.get("/metrics", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) * 5 < len(plain.content)
    assert packed.text == plain.text  # httpx decodes it
