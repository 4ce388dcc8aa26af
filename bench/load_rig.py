"""The processes of the load bench: a fresh PostgreSQL database, two ``printscout server serve``
processes (mutual TLS, one data directory, so one CA) behind a round-robin TCP forwarder,
``printscout simulate`` processes of up to ``per_simulator`` printers each, and one enrolled
``printscout collector run``. Every address is on loopback (127.90.0.0/16 by default)."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

import psycopg
from sqlalchemy.engine import make_url

from bench.forwarder import Forwarder
from bench.ingest import database
from bench.measure import ROOT, raise_open_files
from printscout.server.ready import wait_ready

CLI: Final = [sys.executable, "-m", "printscout.cli.main"]
SITE: Final = ("Load Dealer", "Load Customer", "Load Site")
CYCLE_LINE: Final = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO printscout\.collector "
    r"(?P<kind>discovery|poll) cycle: (?P<devices>\d+) devices, (?P<read>\d+) read, "
    r"(?P<failed>\d+) failed, (?P<seconds>[\d.]+) s, SNMP (?P<sent>\d+) B sent, "
    r"(?P<received>\d+) B received$"
)
Process = subprocess.Popen[bytes]


@dataclass(frozen=True, slots=True)
class RigOptions:
    """Where everything binds and how the collector is scheduled."""

    printers: int
    interval_s: int
    network: str = "127.90.0.0/16"
    forward_port: int = 17000
    snmp_port: int = 17001
    per_simulator: int = 2000
    speed: float = 1.0


@dataclass(frozen=True, slots=True)
class Cycle:
    """One cycle the collector logged (``poller.CycleStats.describe``)."""

    kind: str
    ended_at: float  # Unix time
    devices: int
    read: int
    failed: int
    seconds: float
    snmp_sent: int
    snmp_received: int

    @property
    def started_at(self) -> float:
        """When the cycle began (its end minus its length)."""
        return self.ended_at - self.seconds


@dataclass
class Rig:
    """Everything running for one fleet size."""

    options: RigOptions
    folder: Path
    url: str = ""
    servers: list[Process] = field(default_factory=list)
    simulators: list[Process] = field(default_factory=list)
    collector: Process | None = None
    forwarder: Forwarder | None = None

    @property
    def collector_dir(self) -> Path:
        """The collector's data directory (log, outbox, identity)."""
        return self.folder / "collector"

    def cycles(self) -> list[Cycle]:
        """The cycles the collector has logged so far."""
        log = self.collector_dir / "collector.log"
        if not log.exists():
            return []
        found = []
        for line in log.read_text(errors="replace").splitlines():
            if m := CYCLE_LINE.match(line):
                at = datetime.strptime(m["at"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                found.append(
                    Cycle(m["kind"], at, int(m["devices"]), int(m["read"]), int(m["failed"]),
                          float(m["seconds"]), int(m["sent"]), int(m["received"]))
                )  # fmt: skip
        return found

    def server_requests(self) -> list[dict[str, int]]:
        """Per server process: requests by method and path, from its access log."""
        counts = []
        for n in range(len(self.servers)):
            seen: dict[str, int] = {}
            for line in (self.folder / f"server-{n}.log").read_text(errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if record.get("logger") != "uvicorn.access":
                    continue
                m = re.search(r'"(\w+) (\S+) HTTP', record.get("msg", ""))
                if m:
                    key = f"{m[1]} {m[2]}"
                    seen[key] = seen.get(key, 0) + 1
            counts.append(seen)
        return counts


def targets_of(options: RigOptions) -> list[tuple[str, int, str]]:
    """Per simulator process: (its /20 network, printers, the collector's range for them)."""
    base = ipaddress.IPv4Network(options.network)
    blocks = base.subnets(new_prefix=20)
    out = []
    left = options.printers
    while left > 0:
        block = next(blocks)
        count = min(left, options.per_simulator, block.num_addresses - 2)
        first = block.network_address + 1
        out.append((str(block), count, f"{first}-{first + count - 1}"))
        left -= count
    return out


def _env(rig: Rig, secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "PRINTSCOUT_DATABASE__URL": rig.url,
        "PRINTSCOUT_DATABASE__AUTO_MIGRATE": "false",
        "PRINTSCOUT_SECRET_KEY": secret,
        "PRINTSCOUT_DATA_DIR": str(rig.folder / "server"),
        "PRINTSCOUT_COLLECTORS__TLS": "true",
        "PRINTSCOUT_LOG__LEVEL": "INFO",
        "PRINTSCOUT_LOG__ACCESS": "true",
    }


def stop(proc: Process | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start(stack: ExitStack, argv: list[str], env: dict[str, str], **kw: Any) -> Process:
    proc = subprocess.Popen([*CLI, *argv], cwd=ROOT, env=env, **kw)
    stack.callback(stop, proc)
    return proc


def add_stored_at(url: str) -> None:
    """A column the bench alone adds: when PostgreSQL inserted each reading (its own clock)."""
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as db:
        db.execute(
            "ALTER TABLE readings ADD COLUMN bench_stored_at timestamptz "
            "NOT NULL DEFAULT clock_timestamp()"
        )


def _wait_ready(base: str, ca: Path, proc: Process, log: Path, timeout: float = 60.0) -> None:
    def died() -> str | None:
        if proc.poll() is None:
            return None
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
        return f"server exited ({proc.returncode}); its log ends:\n{tail}"

    wait_ready(base, ca, timeout, died)


def _servers(stack: ExitStack, rig: Rig, env: dict[str, str], count: int) -> list[int]:
    """Start the server processes (the CA made beforehand, so they share it); their ports."""
    from printscout.server.collectors.ca import load_or_create

    load_or_create(rig.folder / "server" / "ca")
    ports = []
    for n in range(count):
        listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        port, fd = listener.getsockname()[1], listener.fileno()
        log: IO[bytes] = stack.enter_context((rig.folder / f"server-{n}.log").open("ab"))
        proc = _start(stack, ["server", "serve", "--fd", str(fd)], env, pass_fds=[fd],
                      stdout=log, stderr=log)  # fmt: skip
        listener.close()
        rig.servers.append(proc)
        ports.append(port)
    return ports


def _simulators(stack: ExitStack, rig: Rig, env: dict[str, str]) -> list[str]:
    """Start the simulators; the collector's ranges."""
    ranges = []
    for network, count, span in targets_of(rig.options):
        o = rig.options
        argv = ["simulate", "--network", network, "--count", str(count),
                "--port", str(o.snmp_port), "--speed", str(o.speed)]  # fmt: skip
        proc = _start(stack, argv, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        rig.simulators.append(proc)
        ranges.append(span)
    return ranges


def _simulators_ready(rig: Rig) -> None:
    for proc in rig.simulators:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith(b"serving"):
            raise RuntimeError(f"simulator did not start: {line!r}")
        proc.stdout.close()  # nothing more is read; the simulator prints nothing after


def _token(rig: Rig, secret: str, ranges: list[str]) -> str:
    """Site, ranges and schedule in the database (as ``server add-range`` and ``set-schedule``
    would); a one-time enrolment token for the site."""
    from pydantic import SecretStr

    from printscout.domain.control import RangeConfig, Schedule
    from printscout.server.collectors.service import CollectorService
    from printscout.server.settings import ServerSettings
    from printscout.storage.accounts import ensure_site
    from printscout.storage.session import Database, DatabaseConfig

    settings = ServerSettings(data_dir=rig.folder / "server", secret_key=SecretStr(secret))
    db = Database(DatabaseConfig(rig.url))
    month = 30 * 24 * 3600
    try:
        with db.writer() as session:
            site_id = ensure_site(session, *SITE).id
        service = CollectorService(db, settings)
        schedule = Schedule(poll_every_s=rig.options.interval_s, discover_every_s=month,
                            identity_every_s=month)  # fmt: skip
        service.set_schedule(site_id, schedule)
        service.add_range(site_id, RangeConfig(targets=ranges, port=rig.options.snmp_port))
        return service.create_token(site_id)
    finally:
        db.dispose()


def _enrol(stack: ExitStack, rig: Rig, env: dict[str, str], token: str) -> None:
    """Enrol the collector through the forwarder, then start it."""
    collector = ["collector", "--data-dir", str(rig.collector_dir)]
    url = f"https://127.0.0.1:{rig.options.forward_port}"
    subprocess.run([*CLI, *collector, "enroll", url, token, "--name", "load"], cwd=ROOT,
                   env=env, check=True, capture_output=True)  # fmt: skip
    log: IO[bytes] = stack.enter_context((rig.folder / "collector-stderr.log").open("ab"))
    rig.collector = _start(stack, [*collector, "run"], env, stdout=log, stderr=log)


@contextmanager
def running(options: RigOptions, folder: Path, servers: int = 2) -> Iterator[Rig]:
    """Start everything for one fleet size; stop it all (and drop the database) afterwards."""
    raise_open_files(options.per_simulator + 1024)
    rig = Rig(options, folder)
    with ExitStack() as stack:
        rig.url = stack.enter_context(database("postgresql", folder))
        add_stored_at(rig.url)
        secret = secrets.token_urlsafe(48)
        env = _env(rig, secret)
        ports = _servers(stack, rig, env, servers)
        ranges = _simulators(stack, rig, env)
        token = _token(rig, secret, ranges)  # while the servers and simulators start
        ca = rig.folder / "server" / "ca" / "ca.pem"
        for n, (port, proc) in enumerate(zip(ports, rig.servers, strict=True)):
            _wait_ready(f"https://127.0.0.1:{port}", ca, proc, rig.folder / f"server-{n}.log")
        _simulators_ready(rig)
        rig.forwarder = Forwarder(
            ("127.0.0.1", options.forward_port), [("127.0.0.1", p) for p in ports]
        )
        rig.forwarder.start()
        stack.callback(rig.forwarder.stop)
        _enrol(stack, rig, env, token)
        yield rig
