"""Console page times at 10,000 devices, on SQLite and PostgreSQL.

``python -m bench.console --out bench/console.json`` (about two minutes). For each database it
creates a fresh database, seeds a dealer with 20 customers, 100 sites and 10,000 devices (four
supplies each, some low or empty; a day of hourly readings per device and 30 days of
15-minute readings for one) with bulk inserts, then asks the application in-process (no
network: the time is the server's) for the dashboard, filtered and deep pages of it, device
pages and a device's chart data, as an admin over every customer and as a viewer of one. Each
case runs ``--requests`` times after a warm-up; p50, p95 and the maximum are kept.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
from pydantic import SecretStr

from bench.ingest import database
from bench.measure import ROOT, Json
from printscout.cli.server import create_admin
from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import Customer, Dealer, Role, Site, create_user
from printscout.storage.base import table_of
from printscout.storage.bulk import insert_rows
from printscout.storage.console import set_password_hash
from printscout.storage.fleet import Device, DeviceSupply
from printscout.storage.readings import ReadingRecord
from printscout.storage.session import Database, DatabaseConfig
from printscout.web.passwords import hash_password

DEVICES: Final = 10_000
CUSTOMERS: Final = 20
SITES: Final = 100
HOURS: Final = 24
LONG_DEVICE: Final = 1  # has 30 days of readings every 15 minutes
PASSWORD: Final = "bench console password"
MODELS: Final = ("LaserJet M555", "bizhub C360i", "ECOSYS P3145dn", "MP C3004", "AltaLink C8155")
CHUNK: Final = 5000


def _devices(now: datetime, dealer_id: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(1, DEVICES + 1):
        silent = n % 20 == 0  # 5 % not heard from for a day
        rows.append(
            {
                "id": n, "dealer_id": dealer_id, "site_id": 1 + n % SITES,
                "collector_id": None, "serial": f"SER{n:07d}", "mac": None,
                "address": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", "kind": "printer",
                "manufacturer": "Bench", "model": MODELS[n % len(MODELS)],
                "hostname": f"PRN{n:07d}", "location": f"Floor {n % 9}, room {n % 97}",
                "first_seen_at": now - timedelta(days=400),
                "last_seen_at": now - timedelta(days=1 if silent else 0),
            }
        )  # fmt: skip
    return rows


def _supplies(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(1, DEVICES + 1):
        for index, color in enumerate(("black", "cyan", "magenta", "yellow"), start=1):
            level = (n * 7 + index * 13) % 100
            state = "empty" if level == 0 else "low" if level < 10 else "ok"
            rows.append(
                {
                    "device_id": n, "supply_index": index, "kind": "toner", "color": color,
                    "description": f"{color.title()} Toner", "unit": "percent",
                    "supply_class": "consumed", "level_source": "percent", "max_capacity": 100,
                    "serial": None, "level": level, "level_percent": level, "state": state,
                    "first_seen_at": now, "changed_at": now, "installed_at": None,
                }
            )  # fmt: skip
    return rows


def _reading(n: int, at: datetime, step: int) -> dict[str, Any]:
    status = "down" if n % 50 == 1 else "warning" if n % 20 == 3 else "running"
    level = max(0, 90 - step // 40)
    return {
        "device_id": n, "collector_id": None, "observed_at": at, "uptime_s": 1000 + step,
        "device_status": status, "printer_status": "idle", "counter_anomalies": None,
        "errors": [], "display": ["Ready"], "alerts": [], "trays": [],
        "supplies": [{"index": i, "level_percent": level, "state": "ok"} for i in (1, 2, 3, 4)],
        "counter_total": 100_000 + step * 20, "counter_mono": 80_000 + step * 15,
        "counter_color": 20_000 + step * 5, "counter_print": None, "counter_copy": None,
        "counter_fax": None, "counter_scan": None, "counter_large": None, "counter_unit": None,
    }  # fmt: skip


def _readings(devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for device in devices:
        n, last = device["id"], device["last_seen_at"]
        if n == LONG_DEVICE:
            rows += [_reading(n, last - timedelta(minutes=15 * k), -k) for k in range(30 * 96)]
        else:
            rows += [_reading(n, last - timedelta(hours=k), -k) for k in range(HOURS)]
    return rows


def seed(db: Database) -> tuple[int, int]:
    """The fleet above; returns the seconds it took and the id of the viewer's customer."""
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    with db.writer() as s:
        dealer = Dealer(name="Bench Dealer")
        s.add(dealer)
        s.flush()
        customers = [
            Customer(dealer_id=dealer.id, name=f"Customer {c:02d}") for c in range(CUSTOMERS)
        ]
        s.add_all(customers)
        s.flush()
        s.add_all(
            Site(id=k + 1, customer_id=customers[k % CUSTOMERS].id, name=f"Site {k:03d}")
            for k in range(SITES)
        )
        s.flush()
        devices = _devices(now, dealer.id)
        for table, rows in (
            (table_of(Device), devices),
            (table_of(DeviceSupply), _supplies(now)),
            (table_of(ReadingRecord), _readings(devices)),
        ):
            for k in range(0, len(rows), CHUNK):
                insert_rows(s, table, rows[k : k + CHUNK])
        viewer = create_user(s, dealer.id, "viewer@bench.test", Role.VIEWER,
                             customer_ids=frozenset({customers[3].id}))  # fmt: skip
        set_password_hash(s, viewer.id, hash_password(PASSWORD))
        customer = customers[3].id
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE")
    create_admin(db, "admin@bench.test", PASSWORD, "Bench Dealer")
    return round(time.perf_counter() - started), customer


async def _sign_in(http: httpx.AsyncClient, email: str) -> None:
    page = await http.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "email": email, "password": PASSWORD, "next": "/"}
    answer = await http.post("/login", data=form)
    if answer.status_code != 303:
        raise RuntimeError(f"bench login failed: {answer.status_code}")


async def _time(http: httpx.AsyncClient, urls: Callable[[int], str], count: int, hx: bool) -> Json:
    headers = {"HX-Request": "true"} if hx else {}
    for k in range(5):  # warm-up: plans, pools, templates
        (await http.get(urls(k), headers=headers)).raise_for_status()
    times, cpu = [], []
    for k in range(count):
        started, cpu0 = time.perf_counter(), time.process_time()
        answer = await http.get(urls(k), headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu0) * 1000)
        answer.raise_for_status()
    times.sort()
    return {
        "unit": "ms",
        "p50": round(statistics.median(times), 1),
        "p95": round(times[int(0.95 * (len(times) - 1))], 1),
        "max": round(times[-1], 1),
        # CPU of this process (app, and SQLite's engine): less moved by a busy machine.
        "cpu_p50": round(statistics.median(cpu), 1),
        "requests": count,
    }


def cases(customer: int) -> list[tuple[str, str, Callable[[int], str], bool]]:
    """(name, persona, URL of the k-th request, HTMX fragment) for every case."""
    pick = random.Random(7)
    devices = [pick.randint(2, DEVICES) for _ in range(1000)]
    return [
        ("dashboard", "admin", lambda k: "/", False),
        ("dashboard, one customer", "admin", lambda k: f"/?customer={1 + k % CUSTOMERS}", False),
        ("dashboard, scoped viewer", "viewer", lambda k: "/", False),
        ("device table, deep page", "admin", lambda k: f"/?after={9000 + k}", True),
        ("device table, search", "admin", lambda k: f"/?q=SER00{k % 90 + 10}", True),
        ("device table, state error", "admin", lambda k: "/?state=error", True),
        (
            "device table, viewer filter",
            "viewer",
            lambda k: f"/?customer={customer}&state=ok",
            True,
        ),
        ("device page", "admin", lambda k: f"/devices/{devices[k]}", False),
        ("device page, scoped viewer", "viewer", lambda k: f"/devices/{20 * k + 3}", False),
        (
            "device chart data, 30 days",
            "admin",
            lambda k: f"/devices/{LONG_DEVICE}/history.json",
            False,
        ),
    ]


async def measure(db: Database, folder: Path, customer: int, count: int) -> list[Json]:
    """Time every case against the application in-process."""
    settings = ServerSettings(data_dir=folder, secret_key=SecretStr(os.urandom(24).hex()))
    app = create_app(settings, database=db)
    results = []
    clients = {}
    for persona in ("admin", "viewer"):
        transport = httpx.ASGITransport(app=app)
        clients[persona] = httpx.AsyncClient(transport=transport, base_url="http://bench.test")
        await _sign_in(clients[persona], f"{persona}@bench.test")
    try:
        for name, persona, urls, hx in cases(customer):
            timing = await _time(clients[persona], urls, count, hx)
            results.append({"case": name, "persona": persona, **timing})
    finally:
        for client in clients.values():
            await client.aclose()
    return results


def _tune_gc() -> None:
    """The collector settings ``printscout server serve`` runs with (cli/server.py), so the
    in-process app is measured as it is served."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def run(backend: str, count: int) -> Json:
    """Seed and measure one database."""
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        db = Database(DatabaseConfig(url))
        try:
            seconds, customer = seed(db)
            _tune_gc()
            cases = asyncio.run(measure(db, Path(tmp), customer, count))
        finally:
            db.dispose()
    return {
        "database": backend,
        "seed_s": seconds,
        "load_average": os.getloadavg()[0],
        "cases": cases,
    }


def main() -> None:
    """Run both databases; write the JSON and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "console.json")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=60, help="timed requests per case")
    args = parser.parse_args()
    results = [run(backend, args.requests) for backend in args.databases]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "devices": DEVICES,
        "readings": (DEVICES - 1) * HOURS + 30 * 96,
        "target": "p95 under 300 ms",
        "databases": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))


def table(results: list[Json]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| database | case | p50 ms | p95 ms | max ms | CPU p50 ms |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        for c in result["cases"]:
            lines.append(
                f"| {result['database']} | {c['case']} | {c['p50']} | {c['p95']} | {c['max']} "
                f"| {c['cpu_p50']} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
