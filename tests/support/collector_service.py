"""Real processes for collector-service tests: a TLS server (``printscout server serve`` on
SQLite, its CA made on first start), a simulated fleet (``printscout simulate``) and collectors
(``printscout collector run``), each a subprocess on loopback; plus waiting for conditions."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "printscout.cli.main"]


def wait_for(condition: Callable[[], Any], timeout: float = 40.0, what: str = "condition") -> Any:
    """Poll until ``condition()`` is truthy; its value, or AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class ServerProcess:
    """``printscout server serve`` with mutual TLS, restartable on the same port."""

    data_dir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1"  # a test of another feature binds in its own loopback block

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "PRINTSCOUT_DATA_DIR": str(self.data_dir),
            "PRINTSCOUT_SECRET_KEY": secrets.token_urlsafe(48),
            "PRINTSCOUT_COLLECTORS__TLS": "true",
            "PRINTSCOUT_COLLECTORS__CHECKIN_EVERY_S": "5",
            "PRINTSCOUT_LOG__LEVEL": "WARNING",
        }

    @property
    def url(self) -> str:
        """The HTTPS base URL."""
        return f"https://{self.host}:{self.port}"

    @property
    def ca_path(self) -> Path:
        """The server's CA certificate."""
        return self.data_dir / "ca" / "ca.pem"

    @property
    def database(self) -> Path:
        """The server's SQLite file."""
        return self.data_dir / "printscout.sqlite3"

    def start(self) -> None:
        """Start (again) on the same port; returns when it answers over TLS."""
        listener = socket.create_server((self.host, self.port))
        self.port = listener.getsockname()[1]
        fd = listener.fileno()
        log = (self.data_dir / "server.log").open("ab")
        argv = [*CLI, "server", "serve", "--fd", str(fd)]
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, pass_fds=[fd], stderr=log, stdout=log
        )
        listener.close()
        log.close()
        wait_for(self._ready, what=f"server on port {self.port}")

    def _ready(self) -> bool:
        if not self.ca_path.exists():
            return False
        try:
            context = ssl.create_default_context(cafile=str(self.ca_path))
            return httpx.get(f"{self.url}/readyz", verify=context, timeout=2).is_success
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        """SIGTERM and wait."""
        _stop(self.proc)
        self.proc = None

    def cli(self, *args: str) -> Any:
        """Run ``printscout server ARGS`` against this server's database; its JSON output."""
        done = subprocess.run(
            [*CLI, "server", *args], cwd=ROOT, env=self.env, capture_output=True, check=True
        )
        lines = done.stdout.decode().strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the server's database."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(sql, params).fetchall()


@contextmanager
def running_server(data_dir: Path) -> Iterator[ServerProcess]:
    """A started TLS server, stopped at the end."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(data_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextmanager
def simulated_fleet(network: str, count: int, port: int) -> Iterator[None]:
    """``printscout simulate`` serving ``count`` printers in ``network`` until the block ends."""
    argv = [*CLI, "simulate", "--network", network, "--count", str(count), "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--speed", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert proc.stdout is not None
        assert b"serving" in proc.stdout.readline(), "simulator did not start"
        yield
    finally:
        _stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()


@dataclass
class CollectorProcess:
    """``printscout collector run`` in its own data directory."""

    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None

    def enroll(self, url: str, token: str) -> dict[str, Any]:
        """``printscout collector enroll``; its JSON answer."""
        done = subprocess.run(
            [*CLI, "collector", "--data-dir", str(self.data_dir), "enroll", url, token],
            cwd=ROOT, env=self.env, capture_output=True, check=True,
        )  # fmt: skip
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    @property
    def collector_id(self) -> str:
        """The id enrolment wrote to ``collector.toml``."""
        config = tomllib.loads((self.data_dir / "collector.toml").read_text())
        return str(config["collector_id"])

    def start(self) -> None:
        """Start the service."""
        argv = [*CLI, "collector", "--data-dir", str(self.data_dir), "run"]
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop with ``sig`` (SIGKILL: no chance to clean up) and wait."""
        _stop(self.proc, sig)
        self.proc = None

    def outbox(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on the collector's outbox (a second reader; WAL allows it)."""
        path = self.data_dir / "outbox.sqlite3"
        if not path.exists():
            return []
        with sqlite3.connect(path, timeout=30) as db:
            try:
                return db.execute(sql).fetchall()
            except sqlite3.OperationalError:
                return []  # created but no tables yet

    def pending_readings(self) -> int:
        """Readings in the outbox not yet acknowledged."""
        rows = self.outbox("SELECT count(*) FROM readings")
        return int(rows[0][0]) if rows else 0


def collector_env(**settings: str) -> dict[str, str]:
    """The environment of a collector process: fast retries, small batches for the tests."""
    env = {**os.environ, "PRINTSCOUT_COLLECTOR_BACKOFF_BASE_S": "0.2"}
    env["PRINTSCOUT_COLLECTOR_BACKOFF_MAX_S"] = "1"
    env["PRINTSCOUT_COLLECTOR_SNMP_TIMEOUT_S"] = "0.5"
    env["PRINTSCOUT_COLLECTOR_SNMP_RETRIES"] = "0"
    env.update({f"PRINTSCOUT_COLLECTOR_{k.upper()}": v for k, v in settings.items()})
    return env


def enrolled_site(
    server: ServerProcess, targets: str, port: int, poll_every: int = 2, *, mask: bool = False
) -> str:
    """A site with one range and a fast schedule; returns an enrolment token for it."""
    site = ["--dealer", "Dealer", "--customer", "Customer", "--site", "Site"]
    server.cli("add-range", *site, targets, "--port", str(port))
    server.cli(
        "set-schedule", *site, "--discover-every", "3600", "--poll-every", str(poll_every),
        "--identity-every", "3600", *(["--mask-addresses"] if mask else []),
    )  # fmt: skip
    token: str = server.cli("create-enrolment-token", *site)["token"]
    return token


def assert_exactly_once(server: ServerProcess, collector: CollectorProcess) -> int:
    """Every batch the collector sealed reached the server once, with all its readings, and the
    server holds nothing else; returns the number of readings."""
    assert collector.pending_readings() == 0
    sent = dict(collector.outbox("SELECT batch_id, readings FROM batches WHERE state = 'acked'"))
    stored = dict(server.query("SELECT batch_id, readings FROM ingest_batches"))
    # SQLAlchemy keeps UUIDs on SQLite as 32 hex digits
    stored = {f"{k[:8]}-{k[8:12]}-{k[12:16]}-{k[16:20]}-{k[20:]}": v for k, v in stored.items()}
    assert sent == stored
    readings = server.query(
        "SELECT count(*), count(DISTINCT device_id || observed_at) FROM readings"
    )
    assert readings[0][0] == readings[0][1] == sum(sent.values())
    return int(readings[0][0])
