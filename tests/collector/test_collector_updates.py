"""Signed updates through the service: the server (a real process) offers its published release
at check-in; a collector process that opted in installs a well-signed one into its venv and exits
with 75 for systemd to restart it; a tampered manifest is refused, reported to the server, and
the collector keeps running."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from printscout.collector.updates import RESTART_EXIT_CODE
from printscout.server.releases import CURRENT, release_dir
from tests.support.collector_service import (
    CollectorProcess,
    ServerProcess,
    collector_env,
    enrolled_site,
    running_server,
    wait_for,
)
from tests.support.wheels import build_wheel

SNMP_PORT = 16226


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A TLS server process on SQLite."""
    with running_server(tmp_path / "server") as found:
        yield found


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """An empty virtual environment the collector installs releases into."""
    path = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


@pytest.fixture
def collector(
    server: ServerProcess, venv: Path, tmp_path: Path
) -> Iterator[tuple[CollectorProcess, Path]]:
    """An enrolled collector that opted in to updates, the release key pinned; and the private
    release key the test publishes with."""
    keys = server.cli("release-key", "generate", "--out", str(tmp_path / "keys"))
    env = collector_env(
        updates__enabled="true", updates__public_key=keys["public"], updates__venv=str(venv),
        updates__pip_python=sys.executable,
    )  # fmt: skip
    found = CollectorProcess(tmp_path / "collector", env)
    found.enroll(server.url, enrolled_site(server, "127.125.2.1", SNMP_PORT))
    yield found, Path(keys["private"])
    found.stop(signal.SIGKILL)


def _publish(server: ServerProcess, key: Path, tmp_path: Path, version: str) -> dict[str, Any]:
    wheel = build_wheel(tmp_path / "build", version)
    answer: dict[str, Any] = server.cli("publish-release", str(wheel), "--signing-key", str(key))
    return answer


def _installed(venv: Path) -> str | None:
    probe = "import importlib.metadata as m; print(m.version('printscout'))"
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _events(server: ServerProcess) -> list[dict[str, Any]]:
    rows = server.query("SELECT kind, detail FROM collector_events ORDER BY id")
    return [{"kind": kind, **json.loads(detail)} for kind, detail in rows]


def test_it_offers_a_release_at_checkin_and_installs_it_then_exits_75(
    server: ServerProcess, collector: tuple[CollectorProcess, Path], venv: Path, tmp_path: Path
) -> None:
    agent, key = collector
    published = _publish(server, key, tmp_path, "0.9.0")
    agent.start()
    assert agent.proc is not None
    assert agent.proc.wait(timeout=50) == RESTART_EXIT_CODE
    assert _installed(venv) == published["version"] == "0.9.0"
    config = json.loads((agent.data_dir / "config.json").read_text())
    assert config["release"]["version"] == "0.9.0"
    assert "release 0.9.0 installed: restarting" in (agent.data_dir / "collector.log").read_text()
    assert _events(server) == []


def test_it_refuses_a_tampered_manifest_reports_it_and_keeps_running(
    server: ServerProcess, collector: tuple[CollectorProcess, Path], venv: Path, tmp_path: Path
) -> None:
    agent, key = collector
    _publish(server, key, tmp_path, "0.9.0")
    current = release_dir(server.data_dir) / CURRENT
    document = json.loads(current.read_text())
    body = json.loads(base64.b64decode(document["manifest"]))
    body["version"] = "9.0.0"  # the signature stays: it no longer matches
    document["manifest"] = base64.b64encode(json.dumps(body).encode()).decode()
    current.write_text(json.dumps(document))
    agent.start()
    events = wait_for(lambda: _events(server), what="refusal reported")
    assert events == [
        {"kind": "update_refused", "error": "bad_signature", "reason": events[0]["reason"],
         "retryable": False},
    ]  # fmt: skip
    assert _installed(venv) is None
    wait_for(lambda: _checked_in_since_refusal(server), what="a later check-in")
    assert agent.proc is not None and agent.proc.poll() is None
    assert len(_events(server)) == 1  # the same manifest is not tried (and reported) again


def _checked_in_since_refusal(server: ServerProcess) -> bool:
    """A check-in was recorded after the refusal (the collector kept running)."""
    last = server.query("SELECT max(at) FROM collector_checkins")[0][0]
    refused = server.query("SELECT max(at) FROM collector_events")[0][0]
    return bool(last and refused and last > refused)
