"""Ingest throughput and latency: real server processes, SQLite and PostgreSQL, one and two.

``python -m bench.ingest --out bench/ingest.json`` (about 3 minutes). For each database and
process count (three runs each, the median kept) it starts that many ``printscout server
serve`` processes on loopback, registers collectors, and uploads zstd-compressed batches of
readings built from the project recordings (read once through the simulator, then given their
own serial, MAC, address, counters and slowly falling toner per printer and poll). The first
poll of every printer (devices and supplies created) is a warm-up; the rest is timed. Batches
go round-robin to the processes with a fixed number in flight. Afterwards the database must
hold exactly the readings sent, once each.

PostgreSQL is the server at ``$PRINTSCOUT_BENCH_PG_URL`` (default the local ``test`` database's
server); the bench creates and drops a database of its own there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import httpx
import psycopg
import zstandard
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.measure import ROOT, Json, process_cpu
from printscout.collector.reader import Reader
from printscout.domain.reading import Reading, Supply, SupplyState
from printscout.domain.wire import ObservedReading, ReadingBatch, batch_to_wire
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.server.ready import wait_ready
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings
from printscout.storage import schema
from printscout.storage.accounts import create_collector, ensure_site
from printscout.storage.readings import ReadingRecord
from printscout.storage.session import Database, DatabaseConfig, sqlite_url

PG_URL: Final = os.environ.get(
    "PRINTSCOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SIM_PORT: Final = 16390
POLL: Final = timedelta(minutes=15)
Process = subprocess.Popen[bytes]


def read_templates() -> list[Reading]:
    """One reading of each project recording, through the simulator and the real reader."""

    async def run() -> list[Reading]:
        recordings = builtin_recordings()
        addresses = [f"127.79.30.{n + 1}" for n in range(len(recordings))]
        fleet = await start_fleet(recordings, addresses, port=SIM_PORT, speed=0.0)
        try:
            async with SnmpEngine() as engine:
                reader = Reader(Walker(engine))
                return list(
                    await asyncio.gather(*(reader.read(Target(a, SIM_PORT)) for a in addresses))
                )
        finally:
            fleet.close()

    return asyncio.run(run())


def printer(template: Reading, n: int, poll: int) -> Reading:
    """Printer ``n`` at its ``poll``-th reading: its own identity, more pages, less toner."""
    ident = replace(
        template.identity,
        serial=f"BENCH{n:07d}",
        mac=f"02:be:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}:01",
        hostname=f"PRN{n:07d}",
        uptime_s=(template.identity.uptime_s or 0) + poll * 900,
    )
    pages = poll * (20 + n % 37)
    total = (template.counters.total or 0) + pages
    counters = replace(template.counters, total=total)
    supplies = tuple(_drained(s, (poll + n + s.index) // 8) for s in template.supplies)
    return replace(
        template,
        address=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
        identity=ident,
        counters=counters,
        supplies=supplies,
    )


def _drained(s: Supply, used: int) -> Supply:
    if s.level_percent is None or s.kind not in ("toner", "ink"):
        return s
    level = max(1, s.level_percent - used % max(1, s.level_percent))
    state = SupplyState.LOW if level <= 10 else SupplyState.OK
    return replace(s, level_percent=level, level=level, state=state)


def build_bodies(
    templates: list[Reading], collectors: list[str], per_batch: int, polls: int, start: datetime
) -> list[list[tuple[bytes, int]]]:
    """Compressed bodies per poll round: ``[(body, readings)]``, one batch per collector."""
    compressor = zstandard.ZstdCompressor(level=3)
    rounds = []
    for poll in range(polls):
        at = start + poll * POLL
        bodies = []
        for c, collector in enumerate(collectors):
            numbers = range(c * per_batch, (c + 1) * per_batch)
            readings = tuple(
                ObservedReading(at, printer(templates[n % len(templates)], n, poll))
                for n in numbers
            )
            batch = ReadingBatch(uuid.uuid4(), collector, at + timedelta(seconds=30), readings)
            raw = json.dumps(batch_to_wire(batch), separators=(",", ":")).encode()
            bodies.append((compressor.compress(raw), len(readings)))
        rounds.append(bodies)
    return rounds


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, migrated database; yields its URL (PostgreSQL: dropped afterwards)."""
    if backend == "sqlite":
        url = sqlite_url(folder)
        _migrate(url)
        yield url
        return
    name = f"printscout_bench_{uuid.uuid4().hex[:8]}"
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        yield url
    finally:
        with psycopg.connect(libpq, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def _migrate(url: str) -> None:
    db = Database(DatabaseConfig(url))
    try:
        schema.upgrade(db)
    finally:
        db.dispose()


def register(url: str, count: int) -> list[tuple[str, str]]:
    """``count`` collectors, one site each: ``[(public id, key)]``."""
    db = Database(DatabaseConfig(url))
    out = []
    try:
        with db.writer() as session:
            for n in range(count):
                site = ensure_site(session, "Bench Dealer", f"Customer {n % 5}", f"Site {n}")
                collector, key = create_collector(session, site.id, f"collector-{n}")
                out.append((str(collector.public_id), key))
    finally:
        db.dispose()
    return out


def stored_readings(url: str) -> int:
    """Readings in the database."""
    db = Database(DatabaseConfig(url))
    try:
        with db.reader() as session:
            return session.scalar(select(func.count()).select_from(ReadingRecord)) or 0
    finally:
        db.dispose()


@contextmanager
def servers(url: str, count: int, folder: Path) -> Iterator[list[tuple[Process, str]]]:
    """``count`` server processes on loopback; yields each with its base URL."""
    env = {
        **os.environ,
        "PRINTSCOUT_DATABASE__URL": url,
        "PRINTSCOUT_DATABASE__AUTO_MIGRATE": "false",
        "PRINTSCOUT_SECRET_KEY": secrets.token_urlsafe(48),
        "PRINTSCOUT_DATA_DIR": str(folder),
        "PRINTSCOUT_LOG__LEVEL": "WARNING",
    }
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for _ in range(count):
            listener = socket.create_server(("127.0.0.1", 0), backlog=2048)
            fd = listener.fileno()
            argv = [sys.executable, "-m", "printscout.cli.main", "server", "serve", "--fd", str(fd)]
            procs.append(subprocess.Popen(argv, cwd=ROOT, env=env, pass_fds=[fd]))
            urls.append(f"http://127.0.0.1:{listener.getsockname()[1]}")
            listener.close()
        for base in urls:
            _wait_ready(base)
        yield list(zip(procs, urls, strict=True))
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def database_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this machine."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                total += process_cpu(int(entry.name))
        except OSError:
            continue
    return total


def _wait_ready(base: str) -> None:
    wait_ready(base, timeout=30)


async def upload(
    urls: list[str], keys: list[str], bodies: list[tuple[bytes, int]], in_flight: int
) -> tuple[float, list[float], int]:
    """Send every body once, ``in_flight`` at a time; returns wall s, latencies s, stored."""
    queue: asyncio.Queue[tuple[int, bytes, int]] = asyncio.Queue()
    for n, (body, readings) in enumerate(bodies):
        queue.put_nowait((n, body, readings))
    latencies: list[float] = []
    stored = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal stored
        while not queue.empty():
            n, body, _ = queue.get_nowait()
            headers = {
                "Authorization": f"Bearer {keys[n % len(keys)]}",
                "Content-Encoding": "zstd",
                "Content-Type": "application/json",
            }
            t0 = time.perf_counter()
            response = await client.post(
                f"{urls[n % len(urls)]}/api/v1/ingest", content=body, headers=headers
            )
            latencies.append(time.perf_counter() - t0)
            answer = response.raise_for_status().json()
            if answer["rejected"]:
                raise RuntimeError(f"batch rejected: {answer['rejected']}")
            stored += sum(s["readings"] for s in answer["stored"])

    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(in_flight)))
        wall = time.perf_counter() - t0
    return wall, latencies, stored


def run_case(
    backend: str, processes: int, templates: list[Reading], args: argparse.Namespace
) -> Json:
    """One database and process count: warm-up poll, then the timed polls."""
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ps-bench-")))
        url = stack.enter_context(database(backend, folder))
        registered = register(url, args.collectors)
        ids, keys = [c for c, _ in registered], [k for _, k in registered]
        start = datetime.now(UTC) - timedelta(days=3)
        rounds = build_bodies(templates, ids, args.batch, args.polls + 1, start)
        running = stack.enter_context(servers(url, processes, folder))
        procs, urls = [p for p, _ in running], [u for _, u in running]
        warm_wall, _, warm_stored = asyncio.run(upload(urls, keys, rounds[0], args.in_flight))
        timed = [body for poll in rounds[1:] for body in poll]
        load_before = os.getloadavg()[0]
        cpu_before = (sum(process_cpu(p.pid) for p in procs), database_cpu(), time.process_time())
        wall, latencies, stored = asyncio.run(upload(urls, keys, timed, args.in_flight))
        cpu_after = (sum(process_cpu(p.pid) for p in procs), database_cpu(), time.process_time())
        load_after = os.getloadavg()[0]
        expected = sum(n for _, n in timed)
        in_db = stored_readings(url)
    if stored != expected or in_db != expected + warm_stored:
        raise RuntimeError(f"{backend}: stored {stored}/{expected}, database holds {in_db}")
    ms = sorted(x * 1000 for x in latencies)
    return {
        "database": backend,
        "processes": processes,
        "batches": len(timed),
        "readings": stored,
        "readings_per_batch": args.batch,
        "in_flight": args.in_flight,
        "wall_s": round(wall, 3),
        "readings_per_s": round(stored / wall),
        "batch_latency_ms": {
            "p50": round(statistics.median(ms), 1),
            "p99": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 1),
            "max": round(ms[-1], 1),
        },
        "cpu_ms_per_batch": {
            name: round((after - before) / len(timed) * 1000, 1)
            for name, before, after in zip(
                ("servers", "postgresql", "client"), cpu_before, cpu_after, strict=True
            )
        },
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "warmup": {"readings": warm_stored, "readings_per_s": round(warm_stored / warm_wall)},
        "database_rows": in_db,
    }


def main() -> None:
    """Run every case and write the JSON results (and a Markdown table on stdout)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "ingest.json")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--processes", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--collectors", type=int, default=20, help="one batch each per poll")
    parser.add_argument("--batch", type=int, default=100, help="readings per batch")
    parser.add_argument("--polls", type=int, default=20, help="timed poll rounds")
    parser.add_argument("--in-flight", type=int, default=8, help="concurrent uploads")
    parser.add_argument("--runs", type=int, default=3, help="runs per case; the median is kept")
    args = parser.parse_args()
    templates = read_templates()
    cases = []
    for d in args.databases:
        for p in args.processes:
            runs = sorted(
                (run_case(d, p, templates, args) for _ in range(args.runs)),
                key=lambda c: int(c["readings_per_s"]),
            )
            median = runs[len(runs) // 2]
            median["runs_readings_per_s"] = [c["readings_per_s"] for c in runs]
            cases.append(median)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "printers": args.collectors * args.batch,
        "recordings": len(templates),
        "cases": cases,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(cases))


def table(cases: list[Json]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| database | processes | readings/s (median) | all runs | p50 ms | p99 ms "
        "| CPU ms per batch: servers + PostgreSQL + client |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in cases:
        lat, cpu = c["batch_latency_ms"], c["cpu_ms_per_batch"]
        lines.append(
            f"| {c['database']} | {c['processes']} | {c['readings_per_s']:,} "
            f"| {', '.join(f'{r:,}' for r in c['runs_readings_per_s'])} "
            f"| {lat['p50']} | {lat['p99']} "
            f"| {cpu['servers']} + {cpu['postgresql']} + {cpu['client']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
