"""The control channel and the admin routes of the collector slice, in-process on SQLite and
PostgreSQL: check-in answers with schedule, ranges (credentials decrypted, stored encrypted)
and commands; commands are delivered until done; collectors go silent after missed check-ins;
admin routes respect the caller's scope and role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI, Request
from sqlalchemy import select, update

from printscout.domain.control import RangeConfig, RangeCredentials, Schedule
from printscout.server.app import create_app
from printscout.server.collectors.service import CollectorService
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import Collector, CollectorRecord, Role, Scope
from printscout.storage.base import utcnow
from printscout.storage.collectors import SiteRange
from printscout.storage.session import Database

pytestmark = pytest.mark.anyio


class HeaderScopes:
    """A test resolver: ``X-Test-Role: admin|viewer|stranger``."""

    def __init__(self, dealer_id: int) -> None:
        self.dealer_id = dealer_id

    def resolve(self, request: Request) -> Scope | None:
        """The scope named by the header."""
        role = request.headers.get("x-test-role")
        if role is None:
            return None
        if role == "stranger":
            return Scope(1, self.dealer_id + 1000, Role.ADMIN, None)
        return Scope(1, self.dealer_id, Role(role), None)


@pytest.fixture
def app(settings: ServerSettings, db: Database, keyed: tuple[CollectorRecord, str]) -> FastAPI:
    """The app with the test scope resolver."""
    found = create_app(settings, database=db)
    found.state.scope_resolvers = [HeaderScopes(keyed[0].dealer_id)]
    return found


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://printscout.test") as c:
        yield c


def _service(app: FastAPI) -> CollectorService:
    found: CollectorService = app.state.collectors
    return found


async def test_it_answers_a_checkin_with_schedule_and_decrypted_ranges(
    client: httpx.AsyncClient, app: FastAPI, db: Database, keyed: tuple[CollectorRecord, str]
) -> None:
    site = keyed[0].site_id
    service = _service(app)
    service.set_schedule(site, Schedule(poll_every_s=30, mask_addresses=True))
    creds = RangeCredentials(communities=["s3cret-community"])
    service.add_range(site, RangeConfig(targets=["10.0.0.0/24"], port=1161, credentials=creds))
    answer = await client.post("/api/v1/collector/checkin", json={"devices": 7})
    assert answer.status_code == 200
    config = answer.json()
    assert config["schedule"]["poll_every_s"] == 30
    assert config["schedule"]["mask_addresses"] is True
    assert config["ranges"][0]["credentials"]["communities"] == ["s3cret-community"]
    assert config["ranges"][0]["port"] == 1161
    assert config["release"] is None
    with db.reader() as session:
        stored = session.scalars(select(SiteRange.credentials)).one()
        seen = session.scalars(select(Collector.last_seen_at)).one()
    assert "s3cret" not in stored
    assert seen is not None


async def test_it_delivers_commands_until_done(
    client: httpx.AsyncClient, http: httpx.AsyncClient, keyed: tuple[CollectorRecord, str]
) -> None:
    public_id = keyed[0].public_id
    headers = {"X-Test-Role": "operator"}
    queued = await http.post(
        f"/api/v1/collectors/{public_id}/commands", json={"kind": "poll"}, headers=headers
    )
    assert queued.status_code == 201
    command_id = queued.json()["id"]
    first = (await client.post("/api/v1/collector/checkin", json={})).json()["commands"]
    again = (await client.post("/api/v1/collector/checkin", json={})).json()["commands"]
    assert first == again == [{"id": command_id, "kind": "poll"}]
    done = await client.post(f"/api/v1/collector/commands/{command_id}/done", json={"ok": True})
    assert done.status_code == 204
    assert (await client.post("/api/v1/collector/checkin", json={})).json()["commands"] == []


async def test_it_marks_a_collector_silent_after_missed_checkins(
    client: httpx.AsyncClient, http: httpx.AsyncClient, db: Database, app: FastAPI
) -> None:
    await client.post("/api/v1/collector/checkin", json={})
    listed = (await http.get("/api/v1/collectors", headers={"X-Test-Role": "viewer"})).json()
    assert [c["silent"] for c in listed] == [False]
    limit = _service(app).settings.checkin_every_s * _service(app).settings.silent_after
    with db.writer() as session:
        session.execute(
            update(Collector).values(last_seen_at=utcnow() - timedelta(seconds=limit + 1))
        )
    listed = (await http.get("/api/v1/collectors", headers={"X-Test-Role": "viewer"})).json()
    assert [c["silent"] for c in listed] == [True]


async def test_it_lets_only_writers_in_scope_create_tokens_and_revoke(
    http: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    collector = keyed[0]
    path = f"/api/v1/sites/{collector.site_id}/enrolment-tokens"
    viewer = await http.post(path, headers={"X-Test-Role": "viewer"})
    stranger = await http.post(path, headers={"X-Test-Role": "stranger"})
    nobody = await http.post(path)
    admin = await http.post(path, headers={"X-Test-Role": "admin"})
    assert (viewer.status_code, stranger.status_code, nobody.status_code) == (403, 404, 401)
    assert admin.status_code == 201
    assert len(admin.json()["token"].rpartition(".")[2]) == 64
    revoke = f"/api/v1/collectors/{collector.public_id}/revoke"
    assert (await http.post(revoke, headers={"X-Test-Role": "stranger"})).status_code == 404
    assert (await http.post(revoke, headers={"X-Test-Role": "admin"})).status_code == 204
    with db.reader() as session:
        revoked = session.scalars(
            select(Collector.revoked_at).where(
                Collector.public_id == UUID(str(collector.public_id))
            )
        ).one()
    assert revoked is not None
