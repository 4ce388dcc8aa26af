"""The scope dependency: resolvers asked in order, 401 without credentials, 403 for viewers."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request

from printscout.server.errors import NotAuthenticated
from printscout.server.scope import CurrentScope, WritableScope
from printscout.storage.accounts import Role, Scope


class _HeaderResolver:
    """Recognises 'X-Role: <role>'; 'bad' is a credential that fails."""

    def resolve(self, request: Request) -> Scope | None:
        role = request.headers.get("x-role")
        if role is None:
            return None
        if role == "bad":
            raise NotAuthenticated("bad credential")
        return Scope(user_id=1, dealer_id=1, role=Role(role), customer_ids=frozenset({7}))


pytestmark = pytest.mark.anyio


def _client() -> httpx.AsyncClient:
    app = FastAPI()
    app.state.scope_resolvers = [_HeaderResolver()]

    @app.get("/read")
    def read(scope: CurrentScope) -> dict[str, object]:
        return {"role": scope.role.value, "sees7": scope.sees_customer(7)}

    @app.post("/write")
    def write(scope: WritableScope) -> dict[str, object]:
        return {"role": scope.role.value}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_it_refuses_a_request_without_credentials() -> None:
    async with _client() as client:
        assert (await client.get("/read")).status_code == 401


async def test_it_refuses_a_bad_credential() -> None:
    async with _client() as client:
        assert (await client.get("/read", headers={"x-role": "bad"})).status_code == 401


async def test_it_passes_the_scope_to_the_route() -> None:
    async with _client() as client:
        response = await client.get("/read", headers={"x-role": "viewer"})
    assert response.json() == {"role": "viewer", "sees7": True}


async def test_it_refuses_writes_by_a_viewer_and_allows_an_operator() -> None:
    async with _client() as client:
        viewer = await client.post("/write", headers={"x-role": "viewer"})
        operator = await client.post("/write", headers={"x-role": "operator"})
    assert viewer.status_code == 403
    assert operator.json() == {"role": "operator"}
