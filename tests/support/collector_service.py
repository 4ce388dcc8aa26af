"""Real processes for collector-service tests: a TLS server (``printscout server serve`` on
SQLite or a PostgreSQL URL, its CA made on first start), a simulated fleet (``printscout
simulate``) and collectors (``printscout collector run``), each a subprocess on loopback; plus
waiting for conditions and the delivery ledger (what a collector produced against what the
server holds)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import psycopg

from printscout.server.ready import is_ready

if TYPE_CHECKING:
    from printscout.server.settings import ServerSettings

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
    database_url: str | None = None  # PostgreSQL (psycopg URL); None: SQLite in data_dir

    def __post_init__(self) -> None:
        given = self.env
        self.env = {
            **os.environ,
            "PRINTSCOUT_DATA_DIR": str(self.data_dir),
            "PRINTSCOUT_SECRET_KEY": secrets.token_urlsafe(48),
            "PRINTSCOUT_COLLECTORS__TLS": "true",
            "PRINTSCOUT_COLLECTORS__CHECKIN_EVERY_S": "5",
            "PRINTSCOUT_LOG__LEVEL": "WARNING",
            **given,
        }
        if self.database_url:
            self.env["PRINTSCOUT_DATABASE__URL"] = self.database_url

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

    def start(self, *, ready: bool = True) -> None:
        """Start (again) on the same port; returns when it answers over TLS (``ready``)."""
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
        if ready:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Return when the server answers over TLS."""
        wait_for(self._ready, what=f"server on port {self.port}")

    def _ready(self) -> bool:
        return is_ready(self.url, self.ca_path)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop with ``sig`` (SIGKILL: no graceful shutdown) and wait."""
        _stop(self.proc, sig)
        self.proc = None

    def cli(self, *args: str) -> Any:
        """Run ``printscout server ARGS`` against this server's database; its JSON output."""
        done = subprocess.run(
            [*CLI, "server", *args], cwd=ROOT, env=self.env, capture_output=True, check=True
        )
        lines = done.stdout.decode().strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a read-only query on the server's database (``?`` placeholders)."""
        if self.database_url:
            url = self.database_url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(url, connect_timeout=5) as pg:
                return pg.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def settings(self) -> ServerSettings:
        """This server's settings, for work done in the test process on its database."""
        from printscout.server.settings import load_settings

        url = {"url": self.database_url} if self.database_url else {}
        return load_settings(
            data_dir=self.data_dir,
            secret_key=self.env["PRINTSCOUT_SECRET_KEY"],
            database=url,
            collectors={"tls": True},
        )

    def uuid_param(self, value: str) -> str:
        """A UUID as the database stores it (SQLAlchemy: 32 hex digits on SQLite)."""
        return value if self.database_url else value.replace("-", "")


@contextmanager
def running_server(data_dir: Path, database_url: str | None = None) -> Iterator[ServerProcess]:
    """A started TLS server, stopped at the end."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(data_dir, database_url=database_url)
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
    stderr: Path | None = None  # where its log lines go (appended across restarts)

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
        err = self.stderr.open("ab") if self.stderr else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=err
        )
        if self.stderr:
            err.close()  # type: ignore[union-attr]

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
    server: ServerProcess,
    targets: str,
    port: int,
    poll_every: int = 2,
    *,
    mask: bool = False,
    site_name: str = "Site",
) -> str:
    """A site with one range and a fast schedule; returns an enrolment token for it. Done in
    this process against the server's database (what ``server add-range``, ``set-schedule`` and
    ``create-enrolment-token`` do, without three interpreter start-ups)."""
    from printscout.domain.control import RangeConfig, RangeCredentials, Schedule
    from printscout.server.collectors.service import CollectorService
    from printscout.storage.accounts import ensure_site
    from printscout.storage.session import Database

    settings = server.settings()
    db = Database(settings.database_config())
    try:
        with db.writer() as session:
            site_id = ensure_site(session, "Dealer", "Customer", site_name).id
        service = CollectorService(db, settings)
        credentials = RangeCredentials(communities=["public"])
        service.add_range(
            site_id, RangeConfig(targets=[targets], port=port, credentials=credentials)
        )
        service.set_schedule(
            site_id,
            Schedule(
                discover_every_s=3600, poll_every_s=poll_every, identity_every_s=3600,
                mask_addresses=mask,
            ),
        )  # fmt: skip
        return service.create_token(site_id, timedelta(hours=1))
    finally:
        db.dispose()


@dataclass(frozen=True)
class Delivery:
    """One collector's readings: produced (committed to its outbox: the outbox's AUTOINCREMENT
    high-water mark, which survives SIGKILL and never reuses an id), dropped by its cap, and on
    the server: stored rows, and readings the server's batches carried (a reading sent in two
    batches is carried twice but stored once)."""

    produced: int
    dropped: int
    stored: int
    carried: int
    pending: int
    sent_batches: dict[str, int]
    stored_batches: dict[str, int]

    @property
    def lost(self) -> int:
        """Produced, not dropped by the cap, and not on the server."""
        return self.produced - self.dropped - self.stored

    @property
    def doubled(self) -> int:
        """Readings that reached the server more than once."""
        return self.carried - self.stored


def delivery(server: ServerProcess, collector: CollectorProcess) -> Delivery:
    """The ledger of ``collector`` on ``server`` (other collectors' data is left out)."""
    seq = collector.outbox("SELECT seq FROM sqlite_sequence WHERE name = 'readings'")
    dropped = collector.outbox("SELECT value FROM counters WHERE name = 'dropped'")
    sent = dict(collector.outbox("SELECT batch_id, readings FROM batches WHERE state = 'acked'"))
    (row_id,) = server.query(
        "SELECT id FROM collectors WHERE public_id = ?", server.uuid_param(collector.collector_id)
    )[0]
    batches = server.query(
        "SELECT batch_id, readings FROM ingest_batches WHERE collector_id = ?", row_id
    )
    # SQLAlchemy keeps UUIDs on SQLite as 32 hex digits, PostgreSQL hands back uuid objects
    stored_batches = {str(UUID(str(k))): int(v) for k, v in batches}
    (count,) = server.query("SELECT count(*) FROM readings WHERE collector_id = ?", row_id)[0]
    return Delivery(
        produced=int(seq[0][0]) if seq else 0,
        dropped=int(dropped[0][0]) if dropped else 0,
        stored=int(count),
        carried=sum(stored_batches.values()),
        pending=collector.pending_readings(),
        sent_batches=sent,
        stored_batches=stored_batches,
    )


def assert_exactly_once(server: ServerProcess, collector: CollectorProcess) -> int:
    """Every batch the collector sealed reached the server once, with all its readings, and the
    server holds nothing else; every reading the collector produced is stored once. Returns the
    number of readings."""
    found = delivery(server, collector)
    assert found.pending == 0
    assert found.sent_batches == found.stored_batches
    assert (found.lost, found.doubled, found.dropped) == (0, 0, 0), found
    return found.stored
