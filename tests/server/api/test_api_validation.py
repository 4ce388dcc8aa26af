"""Hostile input gets 4xx, never 5xx: NUL bytes, lone surrogates, huge ids, odd times, bad JSON."""

from __future__ import annotations

import pytest

from tests.server.api.personas import ClientFor, Fleet

pytestmark = pytest.mark.anyio
JSON = {"content-type": "application/json"}


async def test_it_refuses_nul_in_a_filter(client_for: ClientFor, fleet: Fleet) -> None:
    response = await client_for("admin").get("/api/v1/devices", params={"model": "a\x00b"})
    assert response.status_code == 422


async def test_it_refuses_ids_beyond_the_database_range(
    client_for: ClientFor, fleet: Fleet
) -> None:
    client = client_for("admin")
    huge = str(2**63)
    assert (await client.get(f"/api/v1/devices/{huge}")).status_code == 422
    assert (await client.delete(f"/api/v1/sites/{huge}")).status_code == 422
    assert (await client.get("/api/v1/sites", params={"cursor": huge})).status_code == 422


async def test_it_refuses_a_time_that_leaves_the_calendar_in_utc(
    client_for: ClientFor, fleet: Fleet
) -> None:
    url = "/api/v1/devices/1/readings"
    response = await client_for("admin").get(url, params={"since": "9999-12-31T23:59:59-14:00"})
    assert response.status_code == 422
    assert "time out of range" in response.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"customer_id": 1, "name": "a\\u0000"}',
        b'{"customer_id": 1, "name": "\\ud800"}',
        b"\xff\xfe",
        b'{"customer_id": 1, "name": "ok"',
    ],
)
async def test_it_answers_a_bad_body_with_an_ascii_422(
    client_for: ClientFor, fleet: Fleet, body: bytes
) -> None:
    response = await client_for("admin").post("/api/v1/sites", content=body, headers=JSON)
    assert response.status_code == 422
    assert response.content.isascii()
    assert response.json()["detail"]
