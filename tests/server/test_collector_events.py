"""What the server tells collectors about releases at check-in, and the events they report back
(``POST /api/v1/collector/events``), in-process on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from printscout.server.app import create_app
from printscout.server.releases import CURRENT, publish_release, release_dir
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord
from printscout.storage.collectors import CollectorEvent
from printscout.storage.session import Database
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.anyio


async def test_it_offers_the_published_release_at_checkin(
    client: httpx.AsyncClient, settings: ServerSettings, tmp_path: Path
) -> None:
    before = await client.post("/api/v1/collector/checkin", json={})
    assert before.json()["release"] is None
    wheel = build_wheel(tmp_path / "build", "0.3.0")
    publish_release(wheel, Ed25519PrivateKey.generate(), release_dir(settings.data_dir))
    document = (release_dir(settings.data_dir) / CURRENT).read_bytes()
    after = await client.post("/api/v1/collector/checkin", json={})
    assert after.json()["release"] == {
        "version": "0.3.0",
        "manifest_sha256": hashlib.sha256(document).hexdigest(),
    }
    (release_dir(settings.data_dir) / CURRENT).write_bytes(b"{not json")
    garbled = await client.post("/api/v1/collector/checkin", json={})
    assert garbled.json()["release"]["version"] is None  # still offered: the collector refuses


async def test_it_records_what_a_collector_reports(
    client: httpx.AsyncClient,
    settings: ServerSettings,
    db: Database,
    keyed: tuple[CollectorRecord, str],
) -> None:
    refusal = {
        "error": "bad_signature",
        "reason": "not signed by the pinned key",
        "retryable": False,
    }
    sent = await client.post(
        "/api/v1/collector/events", json={"kind": "update_refused", "detail": refusal}
    )
    assert sent.status_code == 204
    for bad in ({"kind": "Not A Kind"}, {"kind": "x", "detail": {"nested": {"a": 1}}}, {}):
        assert (await client.post("/api/v1/collector/events", json=bad)).status_code == 422
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    async with httpx.AsyncClient(transport=transport, base_url="http://ps.test") as anonymous:
        answer = await anonymous.post("/api/v1/collector/events", json={"kind": "x"})
        assert answer.status_code == 401
    with db.reader() as session:
        rows = list(session.scalars(select(CollectorEvent)))
        assert [(r.collector_id, r.kind, r.detail) for r in rows] == [
            (keyed[0].id, "update_refused", refusal)
        ]
