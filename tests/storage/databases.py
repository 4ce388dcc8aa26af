"""Database fixtures: every storage and ingest test runs on SQLite and on the real PostgreSQL.

PostgreSQL is the server at ``$PRINTSCOUT_TEST_PG_URL`` (default: 127.0.0.1:5432, database
``test``, trust authentication; ``.ci/run`` starts it). Each test session creates its own
database there, migrates it once, empties it before each test and drops it at the end, so runs
never collide. ``PRINTSCOUT_TEST_PG=skip`` skips the PostgreSQL half where no server exists.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from printscout.storage import schema
from printscout.storage.accounts import (
    CollectorRecord,
    collector_by_key,
    create_collector,
    ensure_site,
)
from printscout.storage.session import Database, DatabaseConfig, sqlite_url

ADMIN_URL = os.environ.get(
    "PRINTSCOUT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_pg_database(prefix: str = "printscout_t") -> Iterator[str]:
    """A new, empty PostgreSQL database for the block; dropped afterwards. Yields its URL."""
    if os.environ.get("PRINTSCOUT_TEST_PG") == "skip":
        pytest.skip("PRINTSCOUT_TEST_PG=skip")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(_libpq(ADMIN_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({exc}); start it (.ci/run does) "
            "or set PRINTSCOUT_TEST_PG=skip"
        )
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(ADMIN_URL), autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """This session's PostgreSQL database, migrated to head."""
    with fresh_pg_database() as url:
        db = Database(DatabaseConfig(url, pool_size=4))
        try:
            schema.upgrade(db)
        finally:
            db.dispose()
        yield url


def empty_database(db: Database) -> None:
    """Delete every row of every table (PostgreSQL)."""
    tables = ", ".join(t.name for t in schema.METADATA.sorted_tables)
    with db.writer() as session:
        session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@contextmanager
def opened_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[Database]:
    """An empty, migrated database of the fixture's backend (``request.param``): SQLite in
    ``folder``, or the session's PostgreSQL emptied; disposed at the end."""
    if request.param == "sqlite":
        database = Database(DatabaseConfig(sqlite_url(folder)))
        schema.METADATA.create_all(database.engine)
    else:
        url: str = request.getfixturevalue("pg_url")
        database = Database(DatabaseConfig(url, pool_size=4))
        empty_database(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database: SQLite in a temporary folder, or the session's PostgreSQL."""
    with opened_database(request, tmp_path) as database:
        yield database


def add_collector(
    db: Database,
    name: str = "hq-01",
    site: str = "HQ",
    customer: str = "Acme",
    dealer: str = "Dealer",
) -> tuple[CollectorRecord, str]:
    """A collector (creating its site, customer and dealer as needed) and its API key."""
    with db.writer() as session:
        found = ensure_site(session, dealer, customer, site)
        _, key = create_collector(session, found.id, name)
    with db.reader() as session:
        record = collector_by_key(session, key)
    assert record is not None
    return record, key


@pytest.fixture
def collector(db: Database) -> CollectorRecord:
    """A collector of site HQ of customer Acme of Dealer."""
    return add_collector(db)[0]
