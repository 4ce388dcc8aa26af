"""Integration API fixtures: the two-customer fleet, the app, and clients per persona."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.server.api.personas import BASE, ClientFor, Fleet, build_fleet


@pytest.fixture
def fleet(db: Database) -> Fleet:
    """The two-customer fleet on ``db``."""
    return build_fleet(db)


@pytest.fixture
def app(settings: ServerSettings, db: Database) -> FastAPI:
    """The application on ``db``."""
    return create_app(settings, database=db)


@pytest.fixture
async def client_for(app: FastAPI, fleet: Fleet) -> AsyncIterator[ClientFor]:
    """``client_for(persona)``: an HTTP client sending that persona's token (None: no token)."""
    clients: list[httpx.AsyncClient] = []

    def make(persona: str | None) -> httpx.AsyncClient:
        headers = {} if persona is None else {"Authorization": f"Bearer {fleet.tokens[persona]}"}
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE, headers=headers
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
