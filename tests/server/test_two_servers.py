"""Two real server processes on one PostgreSQL: the same and different batches, concurrently.

Both processes are ``printscout server serve`` started as a collector's server would be, each on
its own loopback port. Every batch is sent to both at once (singly or inside a list), and
others to one of them; a retryable rejection is sent again, as a collector does. Afterwards
each batch must have been stored exactly once and the database must hold every reading and
every printer exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import zstandard
from sqlalchemy import func, select

from printscout.server.ready import wait_ready
from printscout.storage.fleet import Device
from printscout.storage.readings import IngestBatch, ReadingRecord
from printscout.storage.session import Database, DatabaseConfig
from tests.storage.databases import add_collector, empty_database
from tests.storage.fleet_samples import fleet_batch, wire

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(pg_url: str) -> Iterator[Database]:
    """The session's PostgreSQL database, emptied."""
    db = Database(DatabaseConfig(pg_url, pool_size=2))
    empty_database(db)
    yield db
    db.dispose()


@pytest.fixture
def servers(pg_url: str, database: Database, tmp_path: Path) -> Iterator[list[str]]:
    """Two server processes on 127.0.0.1, each on a port of its own."""
    env = {
        **os.environ,
        "PRINTSCOUT_DATABASE__URL": pg_url,
        "PRINTSCOUT_DATABASE__AUTO_MIGRATE": "false",
        "PRINTSCOUT_DATABASE__POOL_SIZE": "4",
        "PRINTSCOUT_SECRET_KEY": secrets.token_urlsafe(48),
        "PRINTSCOUT_DATA_DIR": str(tmp_path),
        "PRINTSCOUT_LOG__LEVEL": "WARNING",
    }
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    with ExitStack() as logs:
        logs.callback(_stop, procs)
        for n in range(2):
            listener = socket.create_server(("127.0.0.1", 0))
            fd = listener.fileno()
            argv = [sys.executable, "-m", "printscout.cli.main", "server", "serve", "--fd", str(fd)]
            log = logs.enter_context((tmp_path / f"server{n}.log").open("wb"))
            procs.append(subprocess.Popen(argv, cwd=ROOT, env=env, pass_fds=[fd], stderr=log))
            urls.append(f"http://127.0.0.1:{listener.getsockname()[1]}")
            listener.close()
        for url in urls:
            _wait_ready(url)
        yield urls


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(url: str) -> None:
    wait_ready(url, timeout=30)


async def send(
    client: httpx.AsyncClient, url: str, key: str, body: Any, answers: list[dict[str, Any]]
) -> None:
    """POST ``body``; resend the batches rejected as retryable, as a collector would."""
    compressed = zstandard.ZstdCompressor().compress(json.dumps(body).encode())
    headers = {"Authorization": f"Bearer {key}", "Content-Encoding": "zstd"}
    for _ in range(20):
        response = await client.post(f"{url}/api/v1/ingest", content=compressed, headers=headers)
        response.raise_for_status()
        answer = response.json()
        answers.append(answer)
        retry = {r["batch_id"] for r in answer["rejected"] if r["retryable"]}
        if not retry:
            return
        batches = body if isinstance(body, list) else [body]
        body = [b for b in batches if b["batch_id"] in retry]
        compressed = zstandard.ZstdCompressor().compress(json.dumps(body).encode())
        await asyncio.sleep(0.05)
    raise AssertionError("batches still rejected after 20 tries")


def count(db: Database, model: type[Any]) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_stores_every_batch_once_across_two_server_processes(
    servers: list[str], database: Database
) -> None:
    collectors = [add_collector(database, name=f"c{n}", site=f"Site {n}") for n in range(3)]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
    plan: list[tuple[str, str, Any]] = []  # (server, key, body)
    unique: list[dict[str, Any]] = []
    for n, (collector, key) in enumerate(collectors):
        printers = range(n * 100, n * 100 + 25)
        polls = [
            wire(fleet_batch(str(collector.public_id), printers, start + timedelta(minutes=15 * p)))
            for p in range(8)
        ]
        unique += polls
        for p, batch in enumerate(polls[:4]):  # the same batch to both processes at once
            plan += [(servers[0], key, batch), (servers[1], key, batch)]
            if p == 0:  # and again inside a list
                plan.append((servers[p % 2], key, [batch]))
        plan.append((servers[0], key, polls[4:6]))  # different batches to each process
        plan.append((servers[1], key, polls[6]))
        plan.append((servers[0], key, polls[7]))
        plan.append((servers[1], key, [polls[5], polls[7]]))  # and some again, crosswise

    async def run() -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        async with httpx.AsyncClient(timeout=30) as client:
            await asyncio.gather(*(send(client, u, k, b, answers) for u, k, b in plan))
        return answers

    answers = asyncio.run(run())
    stored = Counter(s["batch_id"] for a in answers for s in a["stored"])
    assert sorted(stored) == sorted(b["batch_id"] for b in unique)
    assert set(stored.values()) == {1}
    assert [r for a in answers for r in a["rejected"] if not r["retryable"]] == []
    readings = sum(len(b["readings"]) for b in unique)
    assert sum(s["readings"] for a in answers for s in a["stored"]) == readings
    assert count(database, ReadingRecord) == readings == 3 * 8 * 25
    assert count(database, Device) == 3 * 25
    assert count(database, IngestBatch) == len(unique)
