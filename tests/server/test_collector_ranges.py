"""/api/v1/sites/{id}/ranges (list, delete) and GET /api/v1/sites/{id}/schedule: secrets never
sent back, another site's range refused, viewers read only, other dealers see nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from printscout.domain.control import RangeConfig, RangeCredentials, Schedule, V3Credential
from printscout.server.app import create_app
from printscout.server.collectors.service import CollectorService
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord
from printscout.storage.session import Database
from tests.server.test_collector_control import HeaderScopes

pytestmark = pytest.mark.anyio


@pytest.fixture
async def setup(
    settings: ServerSettings, db: Database, keyed: tuple[CollectorRecord, str]
) -> AsyncIterator[tuple[httpx.AsyncClient, CollectorService, int]]:
    """A client of the app (header scopes), its collector service and the collector's site."""
    app = create_app(settings, database=db)
    app.state.scope_resolvers = [HeaderScopes(keyed[0].dealer_id)]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://printscout.test") as c:
        yield c, app.state.collectors, keyed[0].site_id


def _secret_range(service: CollectorService, site: int) -> int:
    v3 = V3Credential(user="monitor", auth_protocol="SHA", auth_key="auth-s3cret")
    creds = RangeCredentials(communities=["s3cret-community", "public"], v3=[v3])
    return service.add_range(site, RangeConfig(targets=["10.9.0.0/24"], credentials=creds))


async def test_it_lists_ranges_without_their_secrets(
    setup: tuple[httpx.AsyncClient, CollectorService, int],
) -> None:
    http, service, site = setup
    range_id = _secret_range(service, site)
    answer = await http.get(f"/api/v1/sites/{site}/ranges", headers={"X-Test-Role": "viewer"})
    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert (item["id"], item["targets"], item["port"]) == (range_id, ["10.9.0.0/24"], 161)
    assert (item["communities"], item["v3_users"]) == (2, ["monitor"])
    assert "s3cret" not in answer.text
    stranger = await http.get(f"/api/v1/sites/{site}/ranges", headers={"X-Test-Role": "stranger"})
    assert stranger.status_code == 404


async def test_it_deletes_a_range_for_writers_of_its_site_only(
    setup: tuple[httpx.AsyncClient, CollectorService, int],
) -> None:
    http, service, site = setup
    range_id = _secret_range(service, site)
    path = f"/api/v1/sites/{site}/ranges/{range_id}"
    viewer = await http.delete(path, headers={"X-Test-Role": "viewer"})
    stranger = await http.delete(path, headers={"X-Test-Role": "stranger"})
    elsewhere = await http.delete(
        f"/api/v1/sites/{site}/ranges/{range_id + 1}", headers={"X-Test-Role": "admin"}
    )
    assert (viewer.status_code, stranger.status_code, elsewhere.status_code) == (403, 404, 404)
    assert len(service.ranges(site)) == 1
    assert (await http.delete(path, headers={"X-Test-Role": "admin"})).status_code == 204
    assert service.ranges(site) == []
    again = await http.delete(path, headers={"X-Test-Role": "admin"})
    assert again.status_code == 404


async def test_it_answers_the_schedule_with_defaults_until_set(
    setup: tuple[httpx.AsyncClient, CollectorService, int],
) -> None:
    http, service, site = setup
    path = f"/api/v1/sites/{site}/schedule"
    first = await http.get(path, headers={"X-Test-Role": "viewer"})
    assert first.json()["poll_every_s"] == Schedule().poll_every_s
    service.set_schedule(site, Schedule(poll_every_s=42, mask_addresses=True))
    second = (await http.get(path, headers={"X-Test-Role": "viewer"})).json()
    assert (second["poll_every_s"], second["mask_addresses"]) == (42, True)
    assert (await http.get(path, headers={"X-Test-Role": "stranger"})).status_code == 404
    huge = await http.get(
        "/api/v1/sites/99999999999999999999/schedule", headers={"X-Test-Role": "admin"}
    )
    assert huge.status_code == 422


async def test_it_refuses_ranges_and_schedules_it_could_not_store(
    setup: tuple[httpx.AsyncClient, CollectorService, int],
) -> None:
    http, service, site = setup
    admin = {"X-Test-Role": "admin"}
    ranges = f"/api/v1/sites/{site}/ranges"
    for targets in (["192.0.2.1 192.0.2.2"], ["192.0.2.\x00"], ["x" * 100] * 65):
        answer = await http.post(ranges, json={"targets": targets}, headers=admin)
        assert answer.status_code == 422, targets
    schedule = {"discover_every_s": 3600, "poll_every_s": 2**40, "identity_every_s": 3600}
    put = await http.put(f"/api/v1/sites/{site}/schedule", json=schedule, headers=admin)
    assert put.status_code == 422
    assert service.ranges(site) == []
