"""Alembic migrations of the PrintScout database (run through ``printscout.storage.schema``)."""
