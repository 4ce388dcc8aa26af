"""Server test fixtures: the app in-process over each database, reached through httpx's
ASGI transport (see tests/storage/databases.py for the databases)."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord
from printscout.storage.session import Database
from tests.storage.databases import add_collector, collector, db, pg_url

__all__ = ["anyio_backend", "client", "collector", "db", "keyed", "pg_url", "settings"]

SECRET = "test-secret-key-0123456789abcdefghijklmnop"


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    """Settings built in code (no file, no environment)."""
    return ServerSettings(data_dir=tmp_path, secret_key=SecretStr(SECRET))


@pytest.fixture
def keyed(db: Database) -> tuple[CollectorRecord, str]:
    """A collector and its API key."""
    return add_collector(db)


@pytest.fixture
async def client(
    settings: ServerSettings, db: Database, keyed: tuple[CollectorRecord, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the app on ``db``, authenticated as the ``keyed`` collector."""
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    headers = {"Authorization": f"Bearer {keyed[1]}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://printscout.test", headers=headers
    ) as http:
        yield http
