"""What the load bench reads back: from PostgreSQL, every cycle's readings (those whose
``observed_at`` lies in the cycle's window as the collector logged it: each reading is stamped
when its own read ended), their insert times (``bench_stored_at``) and the exactly-once check;
from the collector's outbox, the batches it had acknowledged."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.measure import Json

_LAG = "extract(epoch FROM bench_stored_at - observed_at)"
_IN_CYCLE = "observed_at > %s AND observed_at <= %s"
_PER_CYCLE = f"""
SELECT count(*), count(DISTINCT device_id), min(observed_at), max(bench_stored_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {_LAG}),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY {_LAG}),
       max({_LAG})
FROM readings WHERE {_IN_CYCLE}
"""
_FIRST_BATCH = "SELECT min(received_at) FROM ingest_batches WHERE received_at BETWEEN %s AND %s"
# A cycle's log line is written after its last reading was stamped, with milliseconds cut off.
_SLACK = timedelta(milliseconds=2)

Window = tuple[datetime, datetime]


def windows(ended_at: Sequence[float]) -> list[Window]:
    """Each cycle's stamps lie after the previous cycle's log line and before its own (the
    Unix times the collector logged them at): the time between the lines is the cycle's."""
    bounds = [datetime.fromtimestamp(t, UTC) + _SLACK for t in ended_at]
    return list(zip([datetime.fromtimestamp(0, UTC), *bounds], bounds, strict=False))


def _connect(url: str) -> psycopg.Connection[Any]:
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(libpq, autocommit=True)


def stored_in(url: str, windows: Sequence[Window]) -> int:
    """Readings stored so far whose stamps fall in the cycles' windows."""
    with _connect(url) as db:
        return sum(int(_first(db, f"SELECT count(*) FROM readings WHERE {_IN_CYCLE}", *w)[0])
                   for w in windows)  # fmt: skip


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) * 1000, 1)


def per_cycle(url: str, windows: Sequence[Window]) -> list[Json]:
    """Per cycle (oldest first): readings, devices, lag, and the store rate: readings over the
    time from the first of the cycle's batches reaching the ingest service (``received_at``)
    to the last reading inserted."""
    out = []
    with _connect(url) as db:
        for began, ended in windows:
            rows, devices, earliest, last, p50, p99, worst = _first(db, _PER_CYCLE, began, ended)
            if not rows:
                continue
            first = _first(db, _FIRST_BATCH, earliest, last)[0]
            span = (last - first).total_seconds() if first is not None else 0.0
            out.append({
                "observed_from": earliest.isoformat(), "observed_to": ended.isoformat(),
                "rows": rows, "devices": devices,
                "ingest_span_s": round(span, 3),
                "stored_per_s": round(rows / span) if span > 0 else None,
                "lag_ms": {"p50": _ms(p50), "p99": _ms(p99), "max": _ms(worst)},
            })  # fmt: skip
    return out


def lag_over(url: str, windows: Sequence[Window]) -> Json:
    """Lag (insert time minus ``observed_at``) over the readings of the cycles given."""
    where = " OR ".join([f"({_IN_CYCLE})"] * len(windows)) or "false"
    query = f"""
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {_LAG}),
           percentile_cont(0.99) WITHIN GROUP (ORDER BY {_LAG}), max({_LAG}), count(*)
    FROM readings WHERE {where}
    """
    with _connect(url) as db:
        p50, p99, worst, count = _first(db, query, *(t for w in windows for t in w))
    return {"readings": count, "p50": _ms(p50), "p99": _ms(p99), "max": _ms(worst)}


def delivery(url: str, printers: int, wanted: int, windows: Sequence[Window], outbox: Path) -> Json:
    """Every expected reading once: ``printers`` per cycle, one row per device and cycle, one
    device per simulated printer, and the server's batches exactly the collector's, id by id
    (``wanted`` cycles were run; ``windows`` are their spans as the collector logged them).

    A batch the server stored while the collector was being stopped, before the answer reached
    it, is still pending in the outbox: it is counted as in flight at the stop (the next start
    sends it again and the server recognises its id), not as a mismatch."""
    rows = stored_in(url, windows)
    with _connect(url) as db:
        devices = _first(db, "SELECT count(*) FROM devices")[0]
        server = {str(b): n for b, n in db.execute(
            "SELECT batch_id, readings FROM ingest_batches").fetchall()}  # fmt: skip
        all_rows = _first(db, "SELECT count(*) FROM readings")[0]
    sent = _outbox(outbox)
    states: dict[str, tuple[str, int]] = sent.pop("batches")
    expected = printers * wanted
    batch_readings = sum(server.values())
    return {
        "expected_readings": expected,
        "stored_rows": rows,
        "lost": expected - rows,
        "doubled": batch_readings - all_rows,
        "devices": devices,
        "devices_expected": printers,
        "rows_in_later_cycles": all_rows - rows,
        "server_batches": len(server),
        "server_batch_readings": batch_readings,
        **sent,
        **compare_batches(server, states),
    }


def compare_batches(server: dict[str, int], outbox: dict[str, tuple[str, int]]) -> Json:
    """Server batches (id → readings) against the outbox's (id → state, readings): they match
    when every batch the collector counts as acknowledged is on the server and every batch on
    the server is one the collector sealed, with the same number of readings. Server batches
    still pending in the outbox were answered while the collector was stopping: in flight."""
    acked = {b for b, (state, _) in outbox.items() if state == "acked"}
    return {
        "in_flight_at_stop": sum(1 for b in server if outbox.get(b, ("",))[0] == "pending"),
        "batches_match": acked <= server.keys()
        and all(b in outbox and outbox[b][1] == n for b, n in server.items()),
    }


def _first(db: psycopg.Connection[Any], query: str, *params: Any) -> tuple[Any, ...]:
    row = db.execute(query, params or None).fetchone()
    assert row is not None
    return tuple(row)


def _outbox(path: Path) -> Json:
    """The collector's outbox after it stopped: every batch's state and size, and what waits."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        batches = {b: (state, n) for b, state, n in db.execute(
            "SELECT batch_id, state, readings FROM batches").fetchall()}  # fmt: skip
        waiting = db.execute("SELECT count(*) FROM readings").fetchone()[0]
    acked = [n for state, n in batches.values() if state == "acked"]
    return {
        "outbox_acked": {"batches": len(acked), "readings": sum(acked)},
        "outbox_waiting_readings": waiting,
        "batches": batches,
    }
