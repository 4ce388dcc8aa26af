"""What the load bench reads back: from PostgreSQL, every cycle's readings (one ``observed_at``
per cycle, as the collector stamps them), their insert times (``bench_stored_at``) and the
exactly-once check; from the collector's outbox, the batches it had acknowledged."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.measure import Json

_LAG = "extract(epoch FROM bench_stored_at - observed_at)"
_PER_CYCLE = f"""
SELECT observed_at, count(*), count(DISTINCT device_id), max(bench_stored_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {_LAG}),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY {_LAG}),
       max({_LAG})
FROM readings GROUP BY observed_at ORDER BY observed_at LIMIT %s
"""
# The readings of the cycles run. (device_id, observed_at) is the table's primary key, so a
# reading can never be stored twice: "doubled" counts readings the server's batches carried
# more than once (the same reading sealed into two batches), which the key then folded.
_ONCE = "SELECT count(*) FROM readings WHERE observed_at = ANY(%s)"
_LAG_OVER = f"""
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {_LAG}),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY {_LAG}), max({_LAG}), count(*)
FROM readings WHERE observed_at = ANY(%s)
"""


def _connect(url: str) -> psycopg.Connection[Any]:
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(libpq, autocommit=True)


def stored_in_first(url: str, cycles: int) -> int:
    """Readings stored so far for the first ``cycles`` cycles."""
    with _connect(url) as db:
        row = db.execute(
            "SELECT count(*) FROM readings WHERE observed_at IN "
            "(SELECT DISTINCT observed_at FROM readings ORDER BY 1 LIMIT %s)",
            (cycles,),
        ).fetchone()
    return int(row[0]) if row else 0


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) * 1000, 1)


def per_cycle(url: str, cycles: int) -> list[Json]:
    """Per cycle (oldest first): readings, devices, lag, and the store rate: readings over the
    time from the first of the cycle's batches reaching the ingest service (``received_at``)
    to the last reading inserted."""
    out = []
    with _connect(url) as db:
        for at, rows, devices, last, p50, p99, worst in db.execute(
            _PER_CYCLE, (cycles,)
        ).fetchall():
            first = _first(db, "SELECT min(received_at) FROM ingest_batches "
                               "WHERE received_at BETWEEN %s AND %s", at, last)[0]  # fmt: skip
            span = (last - first).total_seconds() if first is not None else 0.0
            out.append({
                "observed_at": at.isoformat(), "rows": rows, "devices": devices,
                "ingest_span_s": round(span, 3),
                "stored_per_s": round(rows / span) if span > 0 else None,
                "lag_ms": {"p50": _ms(p50), "p99": _ms(p99), "max": _ms(worst)},
            })  # fmt: skip
    return out


def lag_over(url: str, observed: list[str]) -> Json:
    """Lag (insert time minus ``observed_at``) over the readings of the cycles given."""
    with _connect(url) as db:
        row = db.execute(_LAG_OVER, (observed,)).fetchone()
    assert row is not None
    p50, p99, worst, count = row
    return {"readings": count, "p50": _ms(p50), "p99": _ms(p99), "max": _ms(worst)}


def delivery(url: str, printers: int, wanted: int, cycles: list[Json], outbox: Path) -> Json:
    """Every expected reading once: ``printers`` per cycle, one row per device and cycle, one
    device per simulated printer, and the server's batches exactly the collector's (``wanted``
    cycles were run; ``cycles`` are the ones found in the database)."""
    observed = [c["observed_at"] for c in cycles]
    with _connect(url) as db:
        (rows,) = _first(db, _ONCE, observed)
        devices = _first(db, "SELECT count(*) FROM devices")[0]
        batches, batch_readings = _first(db, "SELECT count(*), coalesce(sum(readings), 0) "
                                             "FROM ingest_batches")  # fmt: skip
        all_rows = _first(db, "SELECT count(*) FROM readings")[0]
    sent = _outbox(outbox)
    expected = printers * wanted
    return {
        "expected_readings": expected,
        "stored_rows": rows,
        "lost": expected - rows,
        "doubled": batch_readings - all_rows,
        "devices": devices,
        "devices_expected": printers,
        "rows_in_later_cycles": all_rows - rows,
        "server_batches": batches,
        "server_batch_readings": batch_readings,
        **sent,
        "batches_match": sent["outbox_acked"] == {"batches": batches, "readings": batch_readings},
    }


def _first(db: psycopg.Connection[Any], query: str, *params: Any) -> tuple[Any, ...]:
    row = db.execute(query, params or None).fetchone()
    assert row is not None
    return tuple(row)


def _outbox(path: Path) -> Json:
    """The collector's outbox after it stopped: acknowledged batches and what still waits."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        acked = db.execute(
            "SELECT count(*), coalesce(sum(readings), 0) FROM batches WHERE state = 'acked'"
        ).fetchone()
        waiting = db.execute("SELECT count(*) FROM readings").fetchone()[0]
    return {
        "outbox_acked": {"batches": acked[0], "readings": acked[1]},
        "outbox_waiting_readings": waiting,
    }
