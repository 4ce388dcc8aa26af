"""The store-and-forward outbox: every reading is committed here (SQLite, WAL, synchronous=FULL)
before anything is sent, and leaves only when the server acknowledged its batch.

Readings are sealed into batches with a fixed id in one transaction, so a batch sent again after
a crash, a timeout or a SIGKILL carries the same id and the server stores it once.

Size cap: when the readings waiting exceed ``max_bytes``, the oldest routine readings are dropped
first; identity readings (discovery and daily identity reads) are never dropped, so the server
can always place what it receives. Each drop is counted, logged once as a warning when the cap
is first reached, and reported in ``stats().full`` and at every check-in.

Disk full: a write that fails with SQLITE_FULL (or ENOSPC) is rolled back whole and raises
``OutboxFull``; nothing half-written stays. The outbox then tries to give the write-ahead log's
space back (a TRUNCATE checkpoint) so a later write can succeed; the caller keeps what it could
not store (see ``collector.spill``).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from uuid import UUID

from printscout.collector.errors import OutboxFull
from printscout.domain.wire import BATCH_SCHEMA

log = logging.getLogger("printscout.collector.outbox")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    readings INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',  -- pending, acked, handed_off, rejected
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS batches_state ON batches (state, created_at);
CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity INTEGER NOT NULL,
    body BLOB NOT NULL,
    size INTEGER NOT NULL,
    batch_id TEXT REFERENCES batches (batch_id)
);
CREATE INDEX IF NOT EXISTS readings_batch ON readings (batch_id, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class OutboxBatch:
    """A sealed batch: its id never changes, so sending it again is harmless."""

    batch_id: UUID
    created_at: str
    readings: tuple[bytes, ...]  # each a JSON object of printscout.batch/1 ``readings``

    def to_json(self, collector: str) -> bytes:
        """The batch as ``printscout.batch/1`` JSON, assembled without re-encoding readings."""
        head = (
            f'{{"schema":"{BATCH_SCHEMA}","batch_id":"{self.batch_id}",'
            f'"collector":"{collector}","created_at":"{self.created_at}","readings":['
        )
        return head.encode() + b",".join(self.readings) + b"]}"


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """What waits in the outbox, and what the cap cost so far."""

    batches: int
    readings: int
    bytes: int
    full: bool
    dropped: int
    acknowledged: int


class Outbox:
    """The outbox of one collector; one instance per process, used from one thread."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a reading committed here survives a power cut, not only a crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def add(self, readings: Iterable[bytes], *, identity: bool) -> int:
        """Commit readings (JSON objects); returns how many readings the cap dropped."""
        rows = [(int(identity), body, len(body)) for body in readings]
        if not rows:
            return 0
        with self._transaction():
            self._db.executemany("INSERT INTO readings (identity, body, size) VALUES (?,?,?)", rows)
            dropped = self._enforce_cap()
        return dropped

    def seal(self, max_readings: int) -> int:
        """Group readings not yet in a batch into batches of at most ``max_readings``."""
        made = 0
        with self._transaction():
            ids = [
                r[0]
                for r in self._db.execute(
                    "SELECT id FROM readings WHERE batch_id IS NULL ORDER BY id"
                )
            ]
            now = _now()
            for start in range(0, len(ids), max_readings):
                chunk = ids[start : start + max_readings]
                batch_id = str(uuid.uuid4())
                self._db.execute(
                    "INSERT INTO batches (batch_id, created_at, readings) VALUES (?,?,?)",
                    (batch_id, now, len(chunk)),
                )
                self._db.execute(
                    "UPDATE readings SET batch_id = ? WHERE id BETWEEN ? AND ? "
                    "AND batch_id IS NULL",
                    (batch_id, chunk[0], chunk[-1]),
                )
                made += 1
        return made

    def pending_batches(self, limit: int) -> list[OutboxBatch]:
        """The oldest sealed batches not yet acknowledged or handed off (the offline-bundle
        exporter reads them here too, then calls ``hand_off``)."""
        batches = self._db.execute(
            "SELECT batch_id, created_at FROM batches WHERE state = 'pending' "
            "ORDER BY created_at, rowid LIMIT ?",
            (limit,),
        ).fetchall()
        found = []
        for batch_id, created_at in batches:
            bodies = self._db.execute(
                "SELECT body FROM readings WHERE batch_id = ? ORDER BY id", (batch_id,)
            )
            found.append(OutboxBatch(UUID(batch_id), created_at, tuple(r[0] for r in bodies)))
        return found

    def acknowledge(self, batch_ids: Sequence[UUID], state: str = "acked") -> None:
        """The server has these batches (or refused them for good): their readings leave."""
        if not batch_ids:
            return
        keys = [(str(b),) for b in batch_ids]
        with self._transaction():
            self._db.executemany("DELETE FROM readings WHERE batch_id = ?", keys)
            self._db.executemany(
                "UPDATE batches SET state = ?, done_at = ? WHERE batch_id = ?",
                [(state, _now(), k[0]) for k in keys],
            )
            if state == "acked":
                self._bump("acknowledged", len(keys))

    def record_dropped(self, readings: int) -> None:
        """Count readings dropped before they reached the outbox (the in-memory bound while its
        disk was full), so ``stats().dropped`` reports them after a restart too."""
        with self._transaction():
            self._bump("dropped_in_memory", readings)

    def hand_off(self, batch_ids: Sequence[UUID]) -> None:
        """These batches left in an offline bundle: they count as delivered here."""
        self.acknowledge(batch_ids, state="handed_off")

    def prune(self, keep: timedelta = timedelta(days=7)) -> None:
        """Forget delivered batch ids older than ``keep`` (kept a while for ``status``)."""
        cutoff = (datetime.now(UTC) - keep).isoformat()
        with self._transaction():
            self._db.execute(
                "DELETE FROM batches WHERE state != 'pending' AND done_at < ?", (cutoff,)
            )

    def delivered_ids(self) -> list[UUID]:
        """Ids of batches the server acknowledged (still remembered)."""
        rows = self._db.execute("SELECT batch_id FROM batches WHERE state = 'acked'")
        return [UUID(r[0]) for r in rows]

    def stats(self) -> OutboxStats:
        """Counts of what waits, and of what the cap dropped."""
        readings, size = self._db.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM readings"
        ).fetchone()
        batches = self._db.execute(
            "SELECT count(*) FROM batches WHERE state = 'pending'"
        ).fetchone()[0]
        dropped = self._counter("dropped") + self._counter("dropped_in_memory")
        return OutboxStats(
            batches, readings, size, self._counter("full") > 0, dropped,
            self._counter("acknowledged"),
        )  # fmt: skip

    def _enforce_cap(self) -> int:
        total = self._db.execute("SELECT coalesce(sum(size), 0) FROM readings").fetchone()[0]
        excess = total - self.max_bytes
        if excess <= 0:
            self._set("full", 0)
            return 0
        victims, freed = [], 0
        for rid, size in self._db.execute(
            "SELECT id, size FROM readings WHERE identity = 0 ORDER BY id"
        ):
            victims.append((rid,))
            freed += size
            if freed >= excess:
                break
        self._db.executemany("DELETE FROM readings WHERE id = ?", victims)
        # Batches keep their ids; emptied ones go, shrunk ones say how many readings are left.
        self._db.execute(
            "UPDATE batches SET readings = (SELECT count(*) FROM readings r "
            "WHERE r.batch_id = batches.batch_id) WHERE state = 'pending'"
        )
        self._db.execute("DELETE FROM batches WHERE state = 'pending' AND readings = 0")
        if not self._counter("full"):
            log.warning(
                "outbox full: dropping the oldest routine readings",
                extra={"max_bytes": self.max_bytes, "dropped": len(victims)},
            )
        self._set("full", 1)
        self._bump("dropped", len(victims))
        return len(victims)

    def _counter(self, name: str) -> int:
        row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _set(self, name: str, value: int) -> None:
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def _bump(self, name: str, by: int) -> None:
        self._set(name, self._counter(name) + by)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on an exception; a full disk raises OutboxFull."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._raise_if_full(exc)
            raise

    def __exit__(self, kind: object, error: object, _trace: object) -> None:
        if kind is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.OperationalError as exc:
                error = exc
        # SQLite may already have rolled back on its own after SQLITE_FULL.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        if isinstance(error, sqlite3.OperationalError | OSError):
            self._raise_if_full(error)
        if kind is None and isinstance(error, BaseException):
            raise error

    def _raise_if_full(self, exc: sqlite3.OperationalError | OSError) -> None:
        full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        if full or getattr(exc, "errno", None) == errno.ENOSPC:
            # Hand the write-ahead log's space back if it can be: the next write may fit then.
            with suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raise OutboxFull(f"outbox disk full: {exc}") from exc


def _now() -> str:
    return datetime.now(UTC).isoformat()
