"""Migrations: upgrade, downgrade and upgrade again on SQLite and PostgreSQL; models match them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

from printscout.storage import schema
from printscout.storage.errors import SchemaMismatch
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.storage.databases import BACKENDS, fresh_pg_database


@pytest.fixture(params=BACKENDS)
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        db = Database(DatabaseConfig(sqlite_url(tmp_path)))
        yield db
        db.dispose()
        return
    with fresh_pg_database("printscout_mig") as url:
        db = Database(DatabaseConfig(url, pool_size=2))
        yield db
        db.dispose()


def tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_it_upgrades_downgrades_and_upgrades_again(empty: Database) -> None:
    assert schema.current(empty) is None
    schema.upgrade(empty)
    assert schema.current(empty) == schema.head()
    assert tables(empty) == set(schema.METADATA.tables)
    schema.downgrade(empty, "base")
    assert schema.current(empty) is None
    assert tables(empty) == set()
    schema.upgrade(empty)
    assert schema.current(empty) == schema.head()


def test_it_finds_the_models_match_the_migrations(empty: Database) -> None:
    schema.upgrade(empty)
    assert schema.differences(empty) == []


def test_it_would_notice_a_model_the_migrations_lack(empty: Database) -> None:
    schema.upgrade(empty)
    extra = sa.Table("not_migrated", schema.METADATA, sa.Column("id", sa.Integer, primary_key=True))
    try:
        assert [d[0] for d in schema.differences(empty)] == ["add_table"]
    finally:
        schema.METADATA.remove(extra)


def test_it_refuses_a_database_behind_the_code(empty: Database) -> None:
    with pytest.raises(SchemaMismatch, match="printscout server migrate"):
        schema.require_current(empty)
    schema.upgrade(empty)
    schema.require_current(empty)
