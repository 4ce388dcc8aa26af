"""End to end through a real ``printscout server serve`` process on loopback: a collector
uploads over HTTP, a token made with the CLI reads the devices and Prometheus metrics back."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from printscout.server.ready import wait_ready
from printscout.storage.accounts import Customer, Role, create_user
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.storage.databases import add_collector
from tests.storage.fleet_samples import fleet_batch, wire

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.117.0.1"  # this feature's loopback range


def _cli(env: dict[str, str], *args: str) -> str:
    argv = [sys.executable, "-m", "printscout.cli.main", "server", *args]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, timeout=60, check=True)
    return done.stdout.decode()


def _wait_ready(url: str) -> None:
    wait_ready(url, timeout=30)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a server on SQLite in ``tmp_path``."""
    return {
        **os.environ,
        "PRINTSCOUT_DATA_DIR": str(tmp_path),
        "PRINTSCOUT_SECRET_KEY": secrets.token_urlsafe(48),
        "PRINTSCOUT_LOG__LEVEL": "WARNING",
    }


@pytest.fixture
def server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A migrated server process listening on this feature's loopback address, port 0."""
    _cli(env, "migrate")
    listener = socket.create_server((HOST, 0))
    fd = listener.fileno()
    argv = [sys.executable, "-m", "printscout.cli.main", "server", "serve", "--fd", str(fd)]
    with (tmp_path / "server.log").open("wb") as log:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, pass_fds=[fd], stderr=log)
    url = f"http://{HOST}:{listener.getsockname()[1]}"
    listener.close()
    try:
        _wait_ready(url)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_it_serves_what_a_collector_uploaded_to_a_cli_token(
    server: str, env: dict[str, str], tmp_path: Path
) -> None:
    db = Database(DatabaseConfig(sqlite_url(tmp_path)))
    try:
        collector, key = add_collector(db, "hq-01", "HQ", "Acme")
        with db.writer() as session:
            dealer = session.get_one(Customer, collector.customer_id).dealer_id
            create_user(session, dealer, "grafana@dealer.test", Role.OPERATOR)
    finally:
        db.dispose()
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    batch = wire(fleet_batch(str(collector.public_id), range(3), at))
    upload = httpx.post(
        f"{server}/api/v1/ingest", json=batch, headers={"Authorization": f"Bearer {key}"}
    )
    assert upload.status_code == 200 and len(upload.json()["stored"]) == 1
    made = json.loads(_cli(env, "create-token", "--user", "grafana@dealer.test", "--read-only"))
    auth = {"Authorization": f"Bearer {made['token']}"}
    devices = httpx.get(f"{server}/api/v1/devices", headers=auth).json()
    assert [d["serial"] for d in devices["items"]] == ["PSHP000000", "PSHP000001", "PSHP000002"]
    scrape = httpx.get(f"{server}/metrics", headers=auth)
    assert scrape.headers["content-encoding"] == "gzip"
    families = {f.name: f for f in text_string_to_metric_families(scrape.text)}
    assert len(families["printscout_device_up"].samples) == 3
    refused = httpx.post(
        f"{server}/api/v1/sites", json={"customer_id": collector.customer_id, "name": "X"},
        headers=auth,
    )  # fmt: skip
    assert refused.status_code == 403  # the token is read-only, though its user may write
    _cli(env, "revoke-token", "--id", made["id"])
    assert httpx.get(f"{server}/api/v1/devices", headers=auth).status_code == 401
