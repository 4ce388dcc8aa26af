"""The database schema: every table's metadata, and Alembic upgrade, downgrade and checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from printscout.storage import accounts, alerts, api_tokens, collectors, console, fleet, readings
from printscout.storage.base import Base
from printscout.storage.errors import SchemaMismatch
from printscout.storage.session import Database

# Importing the table modules registers their tables on the metadata.
MODULES: Final = (accounts, fleet, readings, collectors, alerts, console, api_tokens)
METADATA: Final = Base.metadata
MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
# Several servers may start at once against one PostgreSQL: one migrates, the others wait.
_LOCK_KEY: Final = 0x5052_494E_5453


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    if revision is None:
        raise SchemaMismatch(f"no migration scripts in {MIGRATIONS}")
    return revision


def upgrade(db: Database, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (serialised across processes on PostgreSQL)."""
    with db.engine.begin() as connection:
        _lock(connection)
        command.upgrade(_config(connection), revision)


def downgrade(db: Database, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` drops everything)."""
    with db.engine.begin() as connection:
        _lock(connection)
        command.downgrade(_config(connection), revision)


def current(db: Database) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_current(db: Database) -> None:
    """Refuse to serve a database that is not at this code's revision."""
    found, wanted = current(db), head()
    if found != wanted:
        raise SchemaMismatch(
            f"database is at revision {found or 'none'}, this server needs {wanted}: "
            "run `printscout server migrate`"
        )


def differences(db: Database) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, METADATA))


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
