"""Security test fixtures: one seeded world and app per module and backend (SQLite and the real
PostgreSQL of tests/storage/databases.py), and clients signed in as each persona."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.security.world import World, build_world
from tests.server.conftest import SECRET
from tests.storage.databases import BACKENDS, opened_database, pg_url

__all__ = ["pg_url"]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Async tests and module fixtures run on asyncio."""
    return "asyncio"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's data folder (SQLite file, keys)."""
    return tmp_path_factory.mktemp("security")


@pytest.fixture(scope="module")
def server_settings(data_dir: Path) -> ServerSettings:
    """Settings built in code."""
    return ServerSettings(data_dir=data_dir, secret_key=SecretStr(SECRET))


@pytest.fixture(scope="module", params=BACKENDS)
def shared_db(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Database]:
    """The module's database: SQLite, or the session's PostgreSQL emptied for this module."""
    with opened_database(request, data_dir) as database:
        yield database


@pytest.fixture(scope="module")
def world(shared_db: Database, server_settings: ServerSettings) -> World:
    """The two customers, their objects and the personas."""
    return build_world(shared_db, server_settings)


@pytest.fixture(scope="module")
def shared_app(server_settings: ServerSettings, shared_db: Database, world: World) -> FastAPI:
    """The application over the seeded world."""
    return create_app(server_settings, database=shared_db)
