"""API tokens: a token acts as its user, narrowed by read-only and expiry; revocable; hashed."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from printscout.storage.accounts import User, hash_api_key
from printscout.storage.api_tokens import ApiToken, create_token, revoke_token, user_id_by_email
from printscout.storage.base import utcnow
from printscout.storage.errors import NotFound
from printscout.storage.session import Database
from tests.server.api.personas import BASE, ClientFor, Fleet
from tests.storage.databases import add_collector

pytestmark = pytest.mark.anyio


def _client(app: FastAPI, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=BASE,
        headers={"Authorization": f"Bearer {token}"},
    )


def _new_token(
    db: Database, email: str, *, read_only: bool = False, expires_at: datetime | None = None
) -> tuple[str, str]:
    with db.writer() as session:
        user_id = user_id_by_email(session, email)
        row, token = create_token(session, user_id, read_only=read_only, expires_at=expires_at)
        return str(row.public_id), token


async def test_it_stores_only_the_hash_of_a_token(db: Database, fleet: Fleet) -> None:
    token = fleet.tokens["admin"]
    with db.reader() as session:
        hashes = set(session.scalars(select(ApiToken.token_hash)))
    assert token.startswith("pst_") and len(token) > 40
    assert hash_api_key(token) in hashes and token not in hashes


async def test_it_refuses_unknown_and_malformed_tokens(app: FastAPI, fleet: Fleet) -> None:
    for token in ("pst_" + "A" * 43, fleet.tokens["admin"][:-1]):
        async with _client(app, token) as client:
            response = await client.get("/api/v1/devices")
        assert response.status_code == 401
        assert "unknown, expired or revoked" in response.json()["detail"]


async def test_it_does_not_take_a_collector_key_for_an_api_token(
    app: FastAPI, db: Database, fleet: Fleet
) -> None:
    _, key = add_collector(db, "extra", "HQ", "Acme")
    async with _client(app, key) as client:
        assert (await client.get("/api/v1/devices")).status_code == 401


async def test_it_refuses_a_revoked_token(app: FastAPI, db: Database, fleet: Fleet) -> None:
    public_id, token = _new_token(db, "admin@dealer.test")
    async with _client(app, token) as client:
        assert (await client.get("/api/v1/sites")).status_code == 200
        with db.writer() as session:
            revoke_token(session, UUID(public_id))
        assert (await client.get("/api/v1/sites")).status_code == 401


async def test_it_refuses_to_revoke_twice(db: Database, fleet: Fleet) -> None:
    public_id, _ = _new_token(db, "admin@dealer.test")
    with db.writer() as session:
        revoke_token(session, UUID(public_id))
    with pytest.raises(NotFound), db.writer() as session:
        revoke_token(session, UUID(public_id))


async def test_it_refuses_an_expired_token(app: FastAPI, db: Database, fleet: Fleet) -> None:
    _, live = _new_token(db, "admin@dealer.test", expires_at=utcnow() + timedelta(days=1))
    _, dead = _new_token(db, "admin@dealer.test", expires_at=utcnow() - timedelta(seconds=1))
    async with _client(app, live) as client:
        assert (await client.get("/api/v1/sites")).status_code == 200
    async with _client(app, dead) as client:
        assert (await client.get("/api/v1/sites")).status_code == 401


async def test_it_refuses_the_token_of_a_disabled_user(
    client_for: ClientFor, db: Database, fleet: Fleet
) -> None:
    with db.writer() as session:
        session.execute(
            update(User).where(User.email == "acme_viewer@dealer.test").values(disabled_at=utcnow())
        )
    assert (await client_for("acme_viewer").get("/api/v1/sites")).status_code == 401
    with pytest.raises(NotFound), db.writer() as session:
        create_token(session, user_id_by_email(session, "acme_viewer@dealer.test"))


async def test_it_makes_a_read_only_token_of_a_writer_unable_to_write(
    app: FastAPI, db: Database, fleet: Fleet
) -> None:
    _, token = _new_token(db, "acme_operator@dealer.test", read_only=True)
    body = {"customer_id": fleet.acme, "name": "Annex"}
    async with _client(app, token) as client:
        assert (await client.get("/api/v1/sites")).status_code == 200
        assert (await client.post("/api/v1/sites", json=body)).status_code == 403
    async with _client(app, fleet.tokens["acme_operator"]) as client:
        assert (await client.post("/api/v1/sites", json=body)).status_code == 201


async def test_it_records_when_a_token_was_last_used(
    client_for: ClientFor, db: Database, fleet: Fleet
) -> None:
    def last_used() -> list[object]:
        with db.reader() as session:
            query = select(ApiToken.last_used_at).where(ApiToken.name == "acme_viewer")
            return list(session.scalars(query))

    assert last_used() == [None]
    before = utcnow().replace(microsecond=0)
    assert (await client_for("acme_viewer").get("/api/v1/sites")).status_code == 200
    [used] = last_used()
    assert isinstance(used, type(before)) and used >= before
