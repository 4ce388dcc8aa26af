"""Fault 4: the disk under the collector's data directory fills up (a small tmpfs, topped up by
the test whenever space appears, as a runaway log elsewhere would). The collector must not
crash or lose readings: what the outbox cannot store waits in memory, acknowledgements it cannot
record are kept too, and once the test frees the space everything reaches the outbox and then
the server. Every reading the collector logged as read is stored once."""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import POLL_EVERY_S, MakeCollector
from tests.faults.ledger import log_text, polls, readings_read, report
from tests.support.collector_service import (
    ServerProcess,
    assert_exactly_once,
    delivery,
    enrolled_site,
    simulated_fleet,
    wait_for,
)

SNMP_PORT = 17164
PRINTERS = 4
CHUNK = b"\0" * 16384


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, unmounted at the end (the collector on it is stopped before)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs not permitted: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path: Path) -> int:
    """Write to ``path`` until the disk is full; the bytes written this time."""
    written = 0
    try:
        with path.open("ab", buffering=0) as filler:
            while True:
                written += filler.write(CHUNK) or 0
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    return written


def test_it_keeps_every_reading_when_the_outbox_disk_is_full(
    small_disk: Path, server: ServerProcess, make_collector: MakeCollector
) -> None:
    collector = make_collector(small_disk / "collector", batch_readings="8")
    token = enrolled_site(
        server, "127.91.4.1-127.91.4.4", SNMP_PORT, poll_every=POLL_EVERY_S, site_name="disk-full"
    )
    collector.enroll(server.url, token)
    filler = small_disk / "filler"
    with simulated_fleet("127.91.4.0/24", PRINTERS, SNMP_PORT):
        collector.start()
        wait_for(lambda: delivery(server, collector).stored, what="first upload")
        server.stop()  # a backlog in the outbox, to be uploaded while the disk is full
        wait_for(lambda: collector.pending_readings() >= 5 * PRINTERS, what="backlog")
        backlog = collector.pending_readings()
        # Whatever space the collector frees (a checkpoint truncating its log) is taken again.
        wait_for(
            lambda: _fill(filler) >= 0 and "kept in memory" in log_text(collector),
            what="readings kept in memory",
        )
        server.start(ready=False)
        # What was sealed before the disk filled goes up; the answers cannot be recorded.
        wait_for(
            lambda: _fill(filler) >= 0 and "acknowledgement kept in memory" in log_text(collector),
            what="batches uploaded while the disk is full",
        )
        full_at = polls(collector)
        wait_for(lambda: _fill(filler) >= 0 and polls(collector) >= full_at + 5, what="polls")
        assert collector.proc is not None and collector.proc.poll() is None  # still running
        in_memory = collector.pending_readings()  # the outbox could not even forget the sent
        filler.unlink()
        wait_for(lambda: "outbox writable again" in log_text(collector), what="space again")
    wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
    collector.stop()
    found = delivery(server, collector)
    text = log_text(collector)
    report(
        "disk-full", found, read=readings_read(collector), backlog=backlog,
        outbox_while_full=in_memory,
        refused_writes=text.count("outbox cannot write"),
        acks_held=text.count("acknowledgement kept in memory"),
    )  # fmt: skip
    assert "collector loop failed" not in text
    assert readings_read(collector) == found.produced  # nothing read was lost in memory
    assert assert_exactly_once(server, collector) == found.produced
