"""Fixtures of the fault tests: a TLS server process on SQLite and collector processes whose
log lines go to a file outside their data directory (it may sit on a full disk)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.collector_service import (
    CollectorProcess,
    ServerProcess,
    collector_env,
    running_server,
)

# A five-minute poll (the default schedule) run 1,500 times faster: a poll every 0.2 s, so an
# hour of the collector's schedule (12 polls) passes in about 2.4 s.
POLL_EVERY_S = 300
TIME_SCALE = 1500

MakeCollector = Callable[..., CollectorProcess]


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One TLS server process on SQLite for the SQLite scenarios (one start-up instead of
    four); each scenario has its own site and collector, and its checks look at that
    collector's rows only."""
    with running_server(tmp_path_factory.mktemp("faults") / "server") as found:
        yield found


@pytest.fixture
def server(shared_server: ServerProcess) -> ServerProcess:
    """The shared server, running (a scenario that failed midway may have left it stopped)."""
    if shared_server.proc is None or shared_server.proc.poll() is not None:
        shared_server.start()
    return shared_server


@pytest.fixture
def make_collector(tmp_path: Path) -> Iterator[MakeCollector]:
    """Collector processes on the compressed schedule (each killed at the end if running)."""
    made: list[CollectorProcess] = []

    def make(data_dir: Path | None = None, **settings: str) -> CollectorProcess:
        settings.setdefault("time_scale", str(TIME_SCALE))
        folder = data_dir or tmp_path / f"collector{len(made)}"
        found = CollectorProcess(
            folder, collector_env(**settings), stderr=tmp_path / f"{folder.name}.log"
        )
        made.append(found)
        return found

    yield make
    for collector in made:
        collector.stop(signal.SIGKILL)
