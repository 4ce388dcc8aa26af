"""Store-and-forward end to end: a real TLS server process, a simulated fleet and the collector
as a process. The server goes down and comes back; the collector is killed with SIGKILL again
and again while it uploads. Every reading the collector committed must reach the server exactly
once: the server's batches are exactly the collector's, with the same readings, and no reading
is stored twice."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.collector_service import (
    CollectorProcess,
    ServerProcess,
    assert_exactly_once,
    collector_env,
    enrolled_site,
    running_server,
    simulated_fleet,
    wait_for,
)

PRINTERS = 8
SNMP_PORT = 16163


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A TLS server process on SQLite."""
    with running_server(tmp_path / "server") as found:
        yield found


@pytest.fixture
def collector(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[CollectorProcess]:
    """A collector process (stopped at the end whatever happened)."""
    settings: dict[str, str] = getattr(request, "param", {})
    found = CollectorProcess(tmp_path / "collector", collector_env(**settings))
    yield found
    found.stop(signal.SIGKILL)


def _batches(server: ServerProcess) -> int:
    return int(server.query("SELECT count(*) FROM ingest_batches")[0][0])


def _already_stored(collector: CollectorProcess) -> int:
    """Batches the server had before the collector knew (acknowledgements lost to SIGKILL)."""
    text = (collector.data_dir / "collector.log").read_text()
    return sum(int(n) for n in re.findall(r"\((\d+) already stored\)", text))


@pytest.mark.parametrize("collector", [{"batch_readings": "4"}], indirect=True)
def test_it_delivers_every_reading_once_across_a_server_outage(
    server: ServerProcess, collector: CollectorProcess
) -> None:
    token = enrolled_site(server, "127.105.1.1-127.105.1.20", SNMP_PORT, poll_every=1)
    collector.enroll(server.url, token)
    with simulated_fleet("127.105.1.0/24", PRINTERS, SNMP_PORT):
        collector.start()
        wait_for(lambda: _batches(server) > 0, what="first upload")
        server.stop()
        wait_for(lambda: collector.pending_readings() >= 3 * PRINTERS, what="readings queued")
        server.start()
    # The fleet is gone: polls find nothing more, so the outbox drains completely.
    wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
    collector.stop()
    assert assert_exactly_once(server, collector) >= 4 * PRINTERS


# One reading per batch and per request: nearly all of the drain is spent uploading.
@pytest.mark.parametrize(
    "collector", [{"batch_readings": "1", "batches_per_request": "1"}], indirect=True
)
def test_it_delivers_every_reading_once_when_killed_while_uploading(
    server: ServerProcess, collector: CollectorProcess
) -> None:
    token = enrolled_site(server, "127.105.2.1-127.105.2.20", SNMP_PORT, poll_every=1)
    collector.enroll(server.url, token)
    with simulated_fleet("127.105.2.0/24", PRINTERS, SNMP_PORT):
        collector.start()
        wait_for(lambda: _batches(server) > 0, what="first upload")
        server.stop()
        wait_for(lambda: collector.pending_readings() >= 4 * PRINTERS, what="backlog")
    server.start()
    kills = 0
    for _ in range(5):
        before = _batches(server)
        wait_for(
            lambda b=before: _batches(server) > b or collector.pending_readings() == 0,  # type: ignore[misc]
            what="upload progress",
        )
        if collector.pending_readings() == 0:
            break  # drained faster than we could kill it
        collector.stop(signal.SIGKILL)
        kills += 1
        collector.start()
    wait_for(lambda: collector.pending_readings() == 0, what="outbox drained")
    collector.stop()
    stored = assert_exactly_once(server, collector)
    assert stored >= 4 * PRINTERS
    lost = _already_stored(collector)
    print(f"{stored} readings, {kills} kills, {lost} acknowledgements lost to SIGKILL")
