"""GET /api/v1/customers and /sites; POST, PATCH and DELETE /sites: scoped reads and writes."""

from __future__ import annotations

from typing import Any

import pytest

from printscout.storage.session import Database
from tests.server.api.personas import ClientFor, Fleet
from tests.storage.databases import add_collector

pytestmark = pytest.mark.anyio
URL = "/api/v1/sites"


async def _site_names(client_for: ClientFor, persona: str, **params: Any) -> list[str]:
    response = await client_for(persona).get(URL, params=params)
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["items"]]


async def test_it_lists_the_customers_and_sites_in_scope(
    client_for: ClientFor, fleet: Fleet
) -> None:
    customers = (await client_for("acme_viewer").get("/api/v1/customers")).json()
    assert customers == {"items": [{"id": fleet.acme, "name": "Acme"}], "next_cursor": None}
    assert await _site_names(client_for, "admin") == ["HQ", "Lab", "Plant"]
    assert await _site_names(client_for, "acme_viewer") == ["HQ", "Lab"]
    assert await _site_names(client_for, "admin", customer_id=fleet.globex) == ["Plant"]
    assert await _site_names(client_for, "acme_viewer", customer_id=fleet.globex) == []


async def test_it_counts_devices_and_collectors_of_a_site(
    client_for: ClientFor, fleet: Fleet
) -> None:
    response = await client_for("admin").get(f"{URL}/{fleet.sites['HQ']}")
    site = response.json()
    assert (site["name"], site["customer"]["name"]) == ("HQ", "Acme")
    assert (site["devices"], site["collectors"]) == (3, 1)
    foreign = await client_for("acme_viewer").get(f"{URL}/{fleet.sites['Plant']}")
    assert foreign.status_code == 404


async def test_it_pages_sites(client_for: ClientFor, fleet: Fleet) -> None:
    client = client_for("admin")
    first = (await client.get(URL, params={"limit": 2})).json()
    rest = (await client.get(URL, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [s["name"] for s in first["items"] + rest["items"]] == ["HQ", "Lab", "Plant"]
    assert rest["next_cursor"] is None


async def test_it_creates_a_site_for_a_customer_in_scope(
    client_for: ClientFor, fleet: Fleet
) -> None:
    client = client_for("acme_operator")
    created = await client.post(URL, json={"customer_id": fleet.acme, "name": "  Annex "})
    assert created.status_code == 201
    assert created.json()["name"] == "Annex" and created.json()["devices"] == 0
    assert await _site_names(client_for, "acme_viewer") == ["HQ", "Lab", "Annex"]
    again = await client.post(URL, json={"customer_id": fleet.acme, "name": "Annex"})
    assert again.status_code == 409


async def test_it_refuses_a_site_for_a_customer_outside_the_scope(
    client_for: ClientFor, fleet: Fleet
) -> None:
    response = await client_for("acme_operator").post(
        URL, json={"customer_id": fleet.globex, "name": "Sneaky"}
    )
    assert response.status_code == 404
    assert await _site_names(client_for, "admin", customer_id=fleet.globex) == ["Plant"]


async def test_it_refuses_writes_by_a_viewer(client_for: ClientFor, fleet: Fleet) -> None:
    client = client_for("acme_viewer")
    site = fleet.sites["Lab"]
    assert (
        await client.post(URL, json={"customer_id": fleet.acme, "name": "X"})
    ).status_code == 403
    assert (await client.patch(f"{URL}/{site}", json={"name": "X"})).status_code == 403
    assert (await client.delete(f"{URL}/{site}")).status_code == 403


async def test_it_refuses_bad_bodies_with_422(client_for: ClientFor, fleet: Fleet) -> None:
    client = client_for("admin")
    for body in (
        {"customer_id": fleet.acme, "name": ""},
        {"customer_id": fleet.acme, "name": "a\x00b"},
        {"customer_id": fleet.acme, "name": "x" * 201},
        {"customer_id": fleet.acme, "name": "ok", "colour": "red"},
        {"customer_id": 2**40, "name": "ok"},
    ):
        assert (await client.post(URL, json=body)).status_code == 422, body


async def test_it_renames_a_site(client_for: ClientFor, fleet: Fleet) -> None:
    client = client_for("acme_operator")
    renamed = await client.patch(f"{URL}/{fleet.sites['Lab']}", json={"name": "Laboratory"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Laboratory"
    unchanged = await client.patch(f"{URL}/{fleet.sites['Lab']}", json={})
    assert unchanged.json()["name"] == "Laboratory"
    taken = await client.patch(f"{URL}/{fleet.sites['Lab']}", json={"name": "HQ"})
    assert taken.status_code == 409
    foreign = await client.patch(f"{URL}/{fleet.sites['Plant']}", json={"name": "Mine"})
    assert foreign.status_code == 404


async def test_it_deletes_only_an_empty_site(
    client_for: ClientFor, fleet: Fleet, db: Database
) -> None:
    client = client_for("admin")
    created = await client.post(URL, json={"customer_id": fleet.globex, "name": "Depot"})
    depot = created.json()["id"]
    add_collector(db, "depot-01", "Depot", "Globex")
    assert (await client.delete(f"{URL}/{depot}")).status_code == 409
    assert (await client.delete(f"{URL}/{fleet.sites['HQ']}")).status_code == 409
    empty = await client.post(URL, json={"customer_id": fleet.globex, "name": "Empty"})
    assert (await client.delete(f"{URL}/{empty.json()['id']}")).status_code == 204
    assert (await client.get(f"{URL}/{empty.json()['id']}")).status_code == 404
    assert await _site_names(client_for, "admin", customer_id=fleet.globex) == ["Plant", "Depot"]
