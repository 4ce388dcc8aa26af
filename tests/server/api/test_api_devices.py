"""GET /api/v1/devices, /devices/{id}, /devices/{id}/readings: scoped, filtered, paged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from printscout.storage.accounts import Role, create_user
from printscout.storage.api_tokens import create_token
from printscout.storage.fleet import Device
from printscout.storage.session import Database
from tests.server.api.personas import BASE, ClientFor, Fleet
from tests.storage.databases import add_collector

pytestmark = pytest.mark.anyio


async def _devices(client_for: ClientFor, persona: str, **params: Any) -> dict[str, Any]:
    response = await client_for(persona).get("/api/v1/devices", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_it_lists_only_the_devices_of_the_callers_customers(
    client_for: ClientFor, fleet: Fleet
) -> None:
    every = await _devices(client_for, "admin")
    acme = await _devices(client_for, "acme_viewer")
    assert sorted(d["serial"] for d in every["items"]) == [
        "PSHP000000", "PSHP000001", "PSHP000002", "PSHP000003", "PSHP000010", "PSHP000011"
    ]  # fmt: skip
    assert {d["customer"]["name"] for d in acme["items"]} == {"Acme"}
    assert len(acme["items"]) == 4
    assert every["next_cursor"] is None


async def test_it_filters_by_customer_site_model_and_state(
    client_for: ClientFor, fleet: Fleet
) -> None:
    by_customer = await _devices(client_for, "admin", customer_id=fleet.globex)
    by_site = await _devices(client_for, "admin", site_id=fleet.sites["Lab"])
    by_model = await _devices(client_for, "admin", model="color laserjet m555")
    no_model = await _devices(client_for, "admin", model="LaserJet 1020")
    running = await _devices(client_for, "admin", state="running")
    offline = await _devices(client_for, "admin", state="offline")
    assert [d["serial"] for d in by_customer["items"]] == ["PSHP000010", "PSHP000011"]
    assert [d["serial"] for d in by_site["items"]] == ["PSHP000003"]
    assert len(by_model["items"]) == 6 and no_model["items"] == []
    assert len(running["items"]) == 6 and offline["items"] == []
    assert {d["state"] for d in running["items"]} == {"running"}


async def test_it_shows_nothing_of_another_customer_even_when_asked_by_id(
    client_for: ClientFor, fleet: Fleet
) -> None:
    globex = await _devices(client_for, "admin", customer_id=fleet.globex)
    foreign = globex["items"][0]["id"]
    viewer = client_for("acme_viewer")
    filtered = await _devices(client_for, "acme_viewer", customer_id=fleet.globex)
    assert filtered["items"] == []
    assert (await viewer.get(f"/api/v1/devices/{foreign}")).status_code == 404
    assert (await viewer.get(f"/api/v1/devices/{foreign}/readings")).status_code == 404


async def test_it_pages_with_a_cursor(client_for: ClientFor, fleet: Fleet) -> None:
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 4}
    pages = 0
    while True:
        page = await _devices(client_for, "admin", **params)
        seen += [d["id"] for d in page["items"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert pages == 2 and len(seen) == 6 and seen == sorted(set(seen))


async def test_it_refuses_a_page_beyond_the_maximum(client_for: ClientFor, fleet: Fleet) -> None:
    response = await client_for("admin").get("/api/v1/devices", params={"limit": 501})
    assert response.status_code == 422


async def test_it_details_a_device_with_status_supplies_and_counters(
    client_for: ClientFor, fleet: Fleet
) -> None:
    listed = await _devices(client_for, "acme_viewer", site_id=fleet.sites["HQ"])
    device_id = listed["items"][0]["id"]
    response = await client_for("acme_viewer").get(f"/api/v1/devices/{device_id}")
    assert response.status_code == 200
    detail = response.json()
    assert (detail["serial"], detail["model"], detail["site"]["name"]) == (
        "PSHP000000", "Color LaserJet M555", "HQ"
    )  # fmt: skip
    assert detail["status"]["device"] == "running"
    assert detail["status"]["observed_at"].startswith(fleet.polled_at.strftime("%Y-%m-%dT%H:%M"))
    assert detail["counters"]["total"] == 10_120
    assert detail["counters"]["copy"] is None
    assert [(s["index"], s["colour"], s["level_percent"]) for s in detail["supplies"][:4]] == [
        (1, "black", 80), (2, "cyan", 60), (3, "magenta", 40), (4, "yellow", 20)
    ]  # fmt: skip
    assert detail["supplies"][4]["kind"] == "waste_toner"


async def test_it_lists_readings_between_times_and_pages_them(
    client_for: ClientFor, fleet: Fleet
) -> None:
    listed = await _devices(client_for, "admin", site_id=fleet.sites["Lab"])
    url = f"/api/v1/devices/{listed['items'][0]['id']}/readings"
    client = client_for("admin")
    every = (await client.get(url)).json()
    assert [r["counters"]["total"] for r in every["items"]] == [10_000, 10_120]
    first = (await client.get(url, params={"limit": 1})).json()
    assert [r["counters"]["total"] for r in first["items"]] == [10_000]
    rest = (await client.get(url, params={"limit": 1, "since": first["next_since"]})).json()
    assert [r["counters"]["total"] for r in rest["items"]] == [10_120]
    assert rest["next_since"] is None
    until = (fleet.polled_at - timedelta(minutes=1)).isoformat()
    early = (await client.get(url, params={"until": until})).json()
    assert len(early["items"]) == 1
    assert early["items"][0]["supplies"][0] == {"index": 1, "level_percent": 80, "state": "ok"}


async def test_it_refuses_times_without_a_zone_or_out_of_range(
    client_for: ClientFor, fleet: Fleet
) -> None:
    listed = await _devices(client_for, "admin")
    url = f"/api/v1/devices/{listed['items'][0]['id']}/readings"
    client = client_for("admin")
    assert (await client.get(url, params={"since": "2026-01-01T00:00:00"})).status_code == 422
    edge = {"since": "0001-01-01T00:00:00+05:00"}
    assert (await client.get(url, params=edge)).status_code == 422


async def test_it_marks_devices_not_heard_from_as_offline(
    client_for: ClientFor, fleet: Fleet, db: Database
) -> None:
    with db.writer() as session:
        session.execute(
            update(Device)
            .where(Device.site_id == fleet.sites["Lab"])
            .values(last_seen_at=fleet.polled_at - timedelta(days=1))
        )
    offline = await _devices(client_for, "admin", state="offline")
    assert [d["site"]["name"] for d in offline["items"]] == ["Lab"]


async def test_it_refuses_a_caller_without_a_token(client_for: ClientFor, fleet: Fleet) -> None:
    assert (await client_for(None).get("/api/v1/devices")).status_code == 401


async def test_it_shows_another_dealers_admin_nothing_of_this_fleet(
    app: FastAPI, db: Database, fleet: Fleet
) -> None:
    other, _ = add_collector(db, "other-01", "Depot", "Initech", dealer="Other Dealer")
    with db.writer() as session:
        user = create_user(session, other.dealer_id, "boss@other.test", Role.ADMIN)
        token = create_token(session, user.id)[1]
        device = session.scalars(select(Device.id).limit(1)).one()
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers) as client:
        devices = (await client.get("/api/v1/devices")).json()
        sites = (await client.get("/api/v1/sites")).json()
        one = await client.get(f"/api/v1/devices/{device}")
        scrape = (await client.get("/metrics")).text
    assert devices["items"] == []
    assert [s["name"] for s in sites["items"]] == ["Depot"]
    assert one.status_code == 404
    assert "PSHP" not in scrape and 'collector="other-01"' in scrape
