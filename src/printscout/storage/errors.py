"""The storage error tree.

StorageError                    base of every error the storage package raises (PrintScoutError)
 ├── DatabaseUnavailable        the database cannot be reached or answered oddly (retryable)
 ├── WriteConflict              concurrent writers collided: deadlock, lock timeout, a unique
 │                              key another transaction just took (retryable)
 ├── BatchRefused               a batch breaks an ingest rule, e.g. readings from the future
 │                              (permanent)
 ├── NotFound                   a named account, collector or user does not exist (permanent)
 └── SchemaMismatch             the database is not at the revision this code needs (permanent)
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

from printscout.domain.errors import PrintScoutError

# SQLSTATEs after which running the same transaction again can succeed.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014", "23505"})


class StorageError(PrintScoutError):
    """Base of every error the storage package raises."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached, or failed in a way a retry may cure."""

    retryable = True


class WriteConflict(StorageError):
    """Concurrent writers collided; running the transaction again is safe."""

    retryable = True


class BatchRefused(StorageError):
    """A batch breaks an ingest rule and will never be stored as it is."""


class NotFound(StorageError):
    """A named object does not exist."""


class SchemaMismatch(StorageError):
    """The database schema is not the one this code expects."""


def classify(exc: sa_exc.DBAPIError) -> StorageError:
    """The storage error for a driver error (the caller raises it ``from exc``)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    text = str(exc.orig)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return WriteConflict(f"concurrent write ({sqlstate}): {text}")
    if "database is locked" in text or "database is busy" in text:
        return WriteConflict(f"SQLite is busy: {text}")
    if isinstance(exc, sa_exc.IntegrityError) and "UNIQUE constraint failed" in text:
        return WriteConflict(f"unique key taken meanwhile: {text}")
    if getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_ERROR:
        # SQLite raises OperationalError for "no such table", "no such column", a syntax error:
        # a bug or a schema out of step, not an outage (no 503, no retry).
        return StorageError(f"database error: {text}")
    if (
        isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
        or exc.connection_invalidated
    ):
        return DatabaseUnavailable(f"database unavailable: {text}")
    return StorageError(f"database error: {text}")
