"""POST /api/v1/ingest: batches stored once, bad ones rejected alone, clear refusals."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import zstandard
from fastapi import Request
from sqlalchemy import func, select

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord, revoke_collector
from printscout.storage.readings import ReadingRecord
from printscout.storage.session import Database, DatabaseConfig
from tests.storage.fleet_samples import fleet_batch, wire

pytestmark = pytest.mark.anyio
URL = "/api/v1/ingest"


def recent() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def one_batch(keyed: tuple[CollectorRecord, str], n: int = 10, minutes: int = 0) -> dict[str, Any]:
    at = recent() + timedelta(minutes=minutes)
    return wire(fleet_batch(str(keyed[0].public_id), range(n), at))


def zstd(document: Any) -> bytes:
    return zstandard.ZstdCompressor().compress(json.dumps(document).encode())


def readings_in(db: Database) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(ReadingRecord)) or 0


async def test_it_stores_a_zstd_batch_and_says_so(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    batch = one_batch(keyed)
    response = await client.post(URL, content=zstd(batch), headers={"Content-Encoding": "zstd"})
    assert response.status_code == 200
    assert response.json() == {
        "schema": "printscout.ingest-result/1",
        "stored": [
            {
                "batch_id": batch["batch_id"],
                "readings": 10,
                "duplicate_readings": 0,
                "expired_readings": 0,
            }
        ],
        "duplicate": [],
        "rejected": [],
    }
    assert readings_in(db) == 10


async def test_it_takes_plain_json_and_lists_of_batches(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    batches = [one_batch(keyed, minutes=m) for m in (0, 15, 30)]
    answer = (await client.post(URL, json=batches)).json()
    assert [s["batch_id"] for s in answer["stored"]] == [b["batch_id"] for b in batches]
    assert readings_in(db) == 30


async def test_it_answers_duplicate_for_a_batch_sent_again(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    batch = one_batch(keyed)
    await client.post(URL, json=batch)
    answer = (await client.post(URL, json=[batch, batch])).json()
    assert answer["stored"] == []
    assert answer["duplicate"] == [batch["batch_id"]] * 2
    assert readings_in(db) == 10


async def test_it_rejects_only_the_bad_batch_and_says_why(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    good, bad = one_batch(keyed), one_batch(keyed, minutes=15)
    bad["readings"][3]["supplies"][0]["state"] = "full"
    bad["readings"][4]["observed_at"] = "2026-11-20T08:00:00"  # no time zone
    answer = (await client.post(URL, json=[bad, good, {"schema": "printscout.batch/9"}])).json()
    assert [s["batch_id"] for s in answer["stored"]] == [good["batch_id"]]
    first, second = answer["rejected"]
    assert (first["batch_id"], first["index"], first["retryable"]) == (bad["batch_id"], 0, False)
    assert first["errors"] == [
        "readings[3].supplies[0].state: Input should be 'ok', 'low', 'empty', 'some_remaining' "
        "or 'unknown' (got 'full')",
        "readings[4].observed_at: Input should have timezone info (got '2026-11-20T08:00:00')",
    ]
    assert first["reason"].startswith("invalid batch: 2 error(s): readings[3].supplies[0].state")
    assert (second["batch_id"], second["index"]) == (None, 2)
    assert "schema: Input should be 'printscout.batch/1'" in second["errors"][0]
    assert readings_in(db) == 10


async def test_it_rejects_a_batch_that_names_another_collector(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str]
) -> None:
    batch = one_batch(keyed)
    batch["collector"] = str(uuid.uuid4())
    (rejected,) = (await client.post(URL, json=batch)).json()["rejected"]
    assert "authenticated as collector" in rejected["reason"]
    assert not rejected["retryable"]


async def test_it_refuses_requests_without_a_valid_key(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    batch = one_batch(keyed)
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer psk_wrong"}):
        response = await client.post(URL, json=batch, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    with db.writer() as session:
        revoke_collector(session, keyed[0].public_id)
    response = await client.post(URL, json=batch)
    assert response.status_code == 401
    assert response.json() == {"detail": "unknown or revoked collector key"}
    assert readings_in(db) == 0


async def test_it_refuses_bodies_that_cannot_be_read(client: httpx.AsyncClient) -> None:
    cases = [
        (b"{}", {"Content-Encoding": "br"}, 415, "Content-Encoding 'br' not supported"),
        (b"\x28\xb5\x2f\xfd garbage", {"Content-Encoding": "zstd"}, 400, "not valid zstd"),
        (b"not json", {}, 400, "body is not JSON"),
        (b"42", {}, 400, "batch object or an array"),
    ]
    for body, headers, status, message in cases:
        response = await client.post(URL, content=body, headers=headers)
        assert response.status_code == status, body
        assert message in response.json()["detail"]


async def test_it_answers_hostile_json_with_400_and_hostile_times_with_a_rejection(
    client: httpx.AsyncClient, keyed: tuple[CollectorRecord, str], db: Database
) -> None:
    # found by tests/fuzz: each of these used to end in an unhandled exception (a 500)
    deep = b"[" * 100_000 + b"]" * 100_000
    batch = one_batch(keyed, 2)
    batch["readings"][0]["counters"]["total"] = "HUGE"
    huge = json.dumps(batch).replace('"HUGE"', "9" * 5000).encode()
    for body in (deep, huge, zstandard.ZstdCompressor().compress(deep)):
        encoding = {"Content-Encoding": "zstd"} if body[:4] == b"\x28\xb5\x2f\xfd" else {}
        response = await client.post(URL, content=body, headers=encoding)
        assert response.status_code == 400
        assert "body is not JSON" in response.json()["detail"]
    early, late = one_batch(keyed, 2), one_batch(keyed, 2, minutes=15)
    early["created_at"] = "0001-01-01T00:00:00+05:00"
    late["readings"][1]["observed_at"] = "9999-12-31T23:59:59-05:00"
    answer = (await client.post(URL, json=[early, late])).json()
    assert [r["errors"] for r in answer["rejected"]] == [
        ["created_at: Value error, time out of range once converted to UTC "
         "(got '0001-01-01T00:00:00+05:00')"],
        ["readings[1].observed_at: Value error, time out of range once converted to UTC "
         "(got '9999-12-31T23:59:59-05:00')"],
    ]  # fmt: skip
    assert readings_in(db) == 0


async def test_it_bounds_bodies_batches_and_readings(
    settings: ServerSettings, db: Database, keyed: tuple[CollectorRecord, str]
) -> None:
    bounds = {"max_body_bytes": 4096, "max_decoded_bytes": 64 << 10, "max_batches": 2}
    limits = settings.ingest.model_copy(update={**bounds, "max_readings": 5})
    app = create_app(settings.model_copy(update={"ingest": limits}), database=db)
    headers = {"Authorization": f"Bearer {keyed[1]}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        too_big = await c.post(URL, content=b" " * 5000)
        bomb = zstandard.ZstdCompressor().compress(b"[" + b" " * (1 << 20) + b"]")
        exploded = await c.post(URL, content=bomb, headers={"Content-Encoding": "zstd"})
        three = zstd([one_batch(keyed, 1, m) for m in range(3)])
        many = await c.post(URL, content=three, headers={"Content-Encoding": "zstd"})
        long = await c.post(
            URL, content=zstd(one_batch(keyed, 6)), headers={"Content-Encoding": "zstd"}
        )
    assert (too_big.status_code, exploded.status_code, many.status_code) == (413, 413, 413)
    assert "decoded body over 65536 bytes" in exploded.json()["detail"]
    assert "at most 2" in many.json()["detail"]
    assert "6 readings in one batch; at most 5" in long.json()["rejected"][0]["reason"]


async def test_it_answers_retryable_when_the_database_is_down(
    settings: ServerSettings, keyed: tuple[CollectorRecord, str]
) -> None:
    class Known:
        """The authentication seam: any authenticator can stand in (mTLS will)."""

        def authenticate(self, request: Request) -> CollectorRecord:
            return keyed[0]

    down = Database(DatabaseConfig("postgresql://postgres@127.0.0.1:9/none", pool_size=1))
    app = create_app(settings, database=down, authenticator=Known())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        answer = (await c.post(URL, json=one_batch(keyed))).json()
        ready = await c.get("/readyz")
    down.dispose()
    (rejected,) = answer["rejected"]
    assert rejected["retryable"]
    assert "database unavailable" in rejected["reason"]
    assert ready.status_code == 503


async def test_it_answers_health_and_readiness(client: httpx.AsyncClient, db: Database) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ok", "database": db.dialect}
