"""Storage errors on API routes become HTTP answers a client can act on, not 500s."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from printscout.server.api.common import feature_router
from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.errors import DatabaseUnavailable, NotFound, StorageError, WriteConflict
from printscout.storage.session import Database, DatabaseConfig, sqlite_url

pytestmark = pytest.mark.anyio
RAISED = {
    "missing": NotFound("no dealer 7"),
    "conflict": WriteConflict("unique key taken meanwhile: UNIQUE constraint failed: sites.name"),
    "down": DatabaseUnavailable("connection refused"),
    "odd": StorageError("database error: something new"),
}


def _app() -> FastAPI:
    router = feature_router("test")

    @router.get("/raise/{name}")
    def raise_it(name: str) -> None:
        raise RAISED[name]

    app = FastAPI()
    app.include_router(router)
    return app


async def test_it_translates_each_storage_error() -> None:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = {name: await client.get(f"/raise/{name}") for name in RAISED}
    assert {name: r.status_code for name, r in answers.items()} == {
        "missing": 404, "conflict": 409, "down": 503, "odd": 500
    }  # fmt: skip
    assert answers["missing"].json() == {"detail": "no dealer 7"}
    assert "sites" not in answers["conflict"].text
    assert answers["down"].headers["retry-after"] == "5"


async def test_it_answers_503_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    # Nothing listens on this loopback port: every connection attempt is refused at once.
    db = Database(DatabaseConfig("postgresql+psycopg://printscout@127.117.0.9:1/none"))
    settings = ServerSettings(data_dir=tmp_path, secret_key=None)
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    headers = {"Authorization": "Bearer pst_" + "x" * 43}
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", headers=headers
        ) as client:
            response = await client.get("/api/v1/devices")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


def _sqlite_error(folder: Path) -> StorageError:
    """What a query on a table that does not exist raises, from a real SQLite file in ``folder``."""
    db = Database(DatabaseConfig(sqlite_url(folder)))
    try:
        with db.reader() as session:
            session.execute(text("SELECT * FROM no_such_table"))
    except StorageError as exc:
        return exc
    finally:
        db.dispose()
    raise AssertionError("the query on a missing table passed")


def test_it_keeps_sqlite_sql_errors_apart_from_an_unavailable_database(tmp_path: Path) -> None:
    # "no such table" is an OperationalError in SQLite, but a bug, not an outage: no 503.
    bug = _sqlite_error(tmp_path)
    assert type(bug) is StorageError and not bug.retryable, bug
    # A database file SQLite cannot open (a folder stands in its place) is an outage.
    broken = tmp_path / "broken"
    (broken / Path(sqlite_url(broken)).name).mkdir(parents=True)
    assert isinstance(_sqlite_error(broken), DatabaseUnavailable)


async def test_it_logs_each_503_outside_the_api(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A console page with a session cookie looks the session up first: the database is down.
    db = Database(DatabaseConfig("postgresql+psycopg://printscout@127.117.0.9:1/none"))
    settings = ServerSettings(data_dir=tmp_path, secret_key=None)
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t", cookies={"ps_session": "x" * 43}
        ) as client:
            with caplog.at_level(logging.WARNING, logger="printscout.server"):
                response = await client.get("/")
    finally:
        db.dispose()
    assert response.status_code == 503
    assert [r.message for r in caplog.records if r.name == "printscout.server"] == [
        "database unavailable: answered 503"
    ]
