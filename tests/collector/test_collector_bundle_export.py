"""Offline bundles end to end: an enrolled collector (a real process) fetches the server's bundle
key while online; the server goes away; the readings it queues leave as a bundle
(``printscout collector export-bundle``) and the server imports it (``printscout server
import-bundle``, checked against the certificate the server issued). Every reading is stored
once; importing again stores nothing; the same batches arriving online later store nothing."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from printscout.collector.outbox import Outbox
from tests.support.collector_service import (
    CLI,
    ROOT,
    CollectorProcess,
    ServerProcess,
    collector_env,
    enrolled_site,
    running_server,
    simulated_fleet,
    wait_for,
)

PRINTERS = 4
SNMP_PORT = 16225
NETWORK = "127.125.1.0/24"
BATCH_READINGS = 4


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A TLS server process on SQLite."""
    with running_server(tmp_path / "server") as found:
        yield found


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[CollectorProcess]:
    """A collector process with small batches (stopped at the end whatever happened)."""
    found = CollectorProcess(
        tmp_path / "collector", collector_env(batch_readings=str(BATCH_READINGS))
    )
    yield found
    found.stop(signal.SIGKILL)


def _export(collector: CollectorProcess, out: Path) -> subprocess.CompletedProcess[bytes]:
    argv = [*CLI, "collector", "--data-dir", str(collector.data_dir), "export-bundle"]
    return subprocess.run(
        [*argv, "--out", str(out)], cwd=ROOT, env=collector.env, capture_output=True, check=False
    )


def _copy(source: Path, target: Path) -> None:
    """Copy an SQLite database in WAL mode with everything committed (the backup API)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _server_batches(server: ServerProcess) -> dict[str, int]:
    """Batch id (with dashes) → readings, as the server recorded them."""
    rows = server.query("SELECT batch_id, readings FROM ingest_batches")
    return {f"{k[:8]}-{k[8:12]}-{k[12:16]}-{k[16:20]}-{k[20:]}": v for k, v in rows}


def _readings(server: ServerProcess) -> tuple[int, int]:
    row = server.query("SELECT count(*), count(DISTINCT device_id || observed_at) FROM readings")
    return int(row[0][0]), int(row[0][1])


def _queue_offline(server: ServerProcess, collector: CollectorProcess) -> None:
    """Run online until the bundle key is cached, then queue readings with the server down."""
    collector.start()
    wait_for((collector.data_dir / "server-bundle-key.pem").exists, what="bundle key")
    wait_for(lambda: _server_batches(server), what="first upload")
    server.stop()
    wait_for(lambda: collector.pending_readings() >= 3 * PRINTERS, what="readings queued")
    collector.stop()


def test_it_refuses_to_export_before_the_bundle_key_was_fetched(
    server: ServerProcess, collector: CollectorProcess, tmp_path: Path
) -> None:
    collector.enroll(server.url, enrolled_site(server, "127.125.1.1", SNMP_PORT))
    done = _export(collector, tmp_path / "out")
    assert done.returncode == 2
    assert b"no server bundle key" in done.stderr
    assert not (tmp_path / "out").exists()


def test_it_exports_offline_readings_that_the_server_imports_exactly_once(
    server: ServerProcess, collector: CollectorProcess, tmp_path: Path
) -> None:
    token = enrolled_site(server, "127.125.1.1-127.125.1.8", SNMP_PORT, poll_every=1)
    collector.enroll(server.url, token)
    with simulated_fleet(NETWORK, PRINTERS, SNMP_PORT):
        _queue_offline(server, collector)
    before = _readings(server)[0]
    # Seal now, and keep a copy of the outbox: it uploads the same batches online later.
    box = Outbox(collector.data_dir / "outbox.sqlite3", 1 << 30)
    box.seal(BATCH_READINGS)
    queued = {str(b.batch_id): len(b.readings) for b in box.pending_batches(10_000)}
    box.close()
    backup = tmp_path / "outbox-copy.sqlite3"
    _copy(collector.data_dir / "outbox.sqlite3", backup)

    done = _export(collector, tmp_path / "usb")
    assert done.returncode == 0, done.stderr
    exported: dict[str, Any] = json.loads(done.stdout)
    assert (exported["batches"], exported["readings"]) == (len(queued), sum(queued.values()))
    assert collector.pending_readings() == 0  # handed off: not uploaded again from here
    handed = collector.outbox("SELECT batch_id FROM batches WHERE state = 'handed_off'")
    assert {r[0] for r in handed} == set(queued)

    server.start()
    first = server.cli("import-bundle", exported["file"])  # the certificate the server issued
    assert (first["stored"], first["duplicate"], first["rejected"]) == (len(queued), 0, [])
    batches = _server_batches(server)
    assert {k: batches[k] for k in queued} == queued
    total, distinct = _readings(server)
    assert total == distinct == before + sum(queued.values())

    again = server.cli("import-bundle", exported["file"])
    assert (again["stored"], again["duplicate"], again["already_imported"]) == (
        0,
        len(queued),
        True,
    )
    assert _readings(server) == (total, total)

    # The same batches online (an outbox restored from a copy): nothing is stored twice.
    for stale in collector.data_dir.glob("outbox.sqlite3*"):
        stale.unlink()
    _copy(backup, collector.data_dir / "outbox.sqlite3")
    collector.start()
    wait_for(lambda: collector.pending_readings() == 0, what="copy uploaded")
    collector.stop()
    acked = collector.outbox("SELECT batch_id FROM batches WHERE state = 'acked'")
    assert set(queued) <= {r[0] for r in acked}
    log = (collector.data_dir / "collector.log").read_text()
    assert sum(int(n) for n in re.findall(r"\((\d+) already stored\)", log)) >= len(queued)
    assert _readings(server) == (total, total)
    assert {k: _server_batches(server)[k] for k in queued} == queued
