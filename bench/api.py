"""Integration API latency on a fleet of realistic size: SQLite and PostgreSQL, in-process.

``python -m bench.api --out bench/api.json`` (a few minutes). Stores ``--devices`` printers
over two customers with ``--polls`` readings each (15 minutes apart, so 96 is one day of raw
history per device), then times the API through httpx's ASGI transport with an admin token:
the first device page (500), a filtered page, one device's detail, a page of 100 readings, and
a full ``/metrics`` scrape. Each figure is the median of ``--runs`` requests after one warm-up.

PostgreSQL is the server at ``$PRINTSCOUT_BENCH_PG_URL`` (default the local ``test`` database's
server); the bench creates and drops a database of its own there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import httpx
import psycopg
from psycopg import sql
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage import schema
from printscout.storage.accounts import Customer, Role, create_user
from printscout.storage.api_tokens import create_token
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.storage.databases import add_collector
from tests.storage.fleet_samples import fleet_batch

PG_URL: Final = os.environ.get(
    "PRINTSCOUT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
POLL: Final = timedelta(minutes=15)
PER_BATCH: Final = 500


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the bench, dropped afterwards."""
    name = f"printscout_bench_api_{os.getpid()}"
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(PG_URL), autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def fill(db: Database, devices: int, polls: int) -> str:
    """Store the fleet and return an admin's API token."""
    half = devices // 2
    collectors = [
        (add_collector(db, "c1", "HQ", "Acme")[0], range(half)),
        (add_collector(db, "c2", "Plant", "Globex")[0], range(half, devices)),
    ]
    start = datetime.now(UTC).replace(microsecond=0) - POLL * polls
    for poll in range(polls):
        at = start + POLL * (poll + 1)
        for collector, numbers in collectors:
            for first in range(numbers.start, numbers.stop, PER_BATCH):
                chunk = range(first, min(first + PER_BATCH, numbers.stop))
                batch = fleet_batch(str(collector.public_id), chunk, at, total=10_000 + 7 * poll)
                store_batch(db, collector, batch, IngestRules())
    with db.writer() as session:
        dealer = session.get_one(Customer, collectors[0][0].customer_id).dealer_id
        user = create_user(session, dealer, "bench@dealer.test", Role.ADMIN)
        return create_token(session, user.id, read_only=True)[1]


async def _timed(client: httpx.AsyncClient, url: str, runs: int) -> dict[str, Any]:
    response = await client.get(url)
    assert response.status_code == 200, response.text[:200]
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = await client.get(url)
        samples.append(time.perf_counter() - began)
        assert response.status_code == 200
    median_ms = round(statistics.median(samples) * 1000, 1)
    return {"median_ms": median_ms, "bytes": len(response.content)}


async def measure(db: Database, token: str, data_dir: Path, runs: int) -> dict[str, Any]:
    """The latencies of the API calls on ``db``."""
    settings = ServerSettings(data_dir=data_dir, secret_key=SecretStr("b" * 40))
    app = create_app(settings, database=db)
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers, timeout=120
    ) as client:
        first = (await client.get("/api/v1/devices", params={"limit": 1})).json()
        device = first["items"][0]["id"]
        urls = {
            "devices_page_500": "/api/v1/devices?limit=500",
            "devices_running_model_500": (
                "/api/v1/devices?limit=500&state=running&model=Color%20LaserJet%20M555"
            ),
            "device_detail": f"/api/v1/devices/{device}",
            "readings_page_100": f"/api/v1/devices/{device}/readings?limit=100",
            "sites": "/api/v1/sites",
            "metrics_full_scrape": "/metrics",
        }
        return {name: await _timed(client, url, runs) for name, url in urls.items()}


def run_one(kind: str, url: str, devices: int, polls: int, runs: int, tmp: Path) -> dict[str, Any]:
    """Fill one database, then measure."""
    db = Database(DatabaseConfig(url, pool_size=4))
    try:
        schema.upgrade(db)
        began = time.perf_counter()
        token = fill(db, devices, polls)
        filled = time.perf_counter() - began
        figures = asyncio.run(measure(db, token, tmp, runs))
    finally:
        db.dispose()
    return {"database": kind, "fill_s": round(filled, 1), "calls": figures}


def main() -> None:
    """Run the bench on SQLite and PostgreSQL and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--polls", type=int, default=96)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = []
    size = (args.devices, args.polls, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_one("sqlite", sqlite_url(Path(tmp)), *size, Path(tmp)))
        with pg_database() as pg:
            results.append(run_one("postgresql", pg, *size, Path(tmp)))
    report = {"devices": args.devices, "readings_per_device": args.polls, "results": results}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
