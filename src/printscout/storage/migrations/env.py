"""Alembic environment: runs on the connection that ``printscout.storage.schema`` passes in."""

from __future__ import annotations

from alembic import context

from printscout.storage.schema import METADATA

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=METADATA,
    # SQLite cannot ALTER most things: Alembic copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
