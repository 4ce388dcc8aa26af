"""Storage test fixtures: a database per test on SQLite and PostgreSQL (see databases.py)."""

from tests.storage.databases import collector, db, pg_url

__all__ = ["collector", "db", "pg_url"]
