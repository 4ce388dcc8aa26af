"""Secrets never reach a log: a real server process and a real collector, every log at DEBUG,
run the flows that carry secrets (the first admin's password, a login and its session cookie,
an API token, SNMP communities and v3 keys, an enrolment token, a webhook secret, the SMTP
password), then no log holds any of them, raw or in an obvious encoding."""

from __future__ import annotations

import base64
import json
import re
import secrets
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import quote, quote_plus

import httpx
import pytest

from printscout.server.collectors.service import CollectorService
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.security.world import World
from tests.support.collector_service import (
    CLI,
    ROOT,
    CollectorProcess,
    ServerProcess,
    collector_env,
    wait_for,
)

HOST: Final = "127.93.4.1"
SILENT_PRINTER: Final = "127.93.4.8"  # a range target nothing answers on
SITE: Final = ["--dealer", "Dealer", "--customer", "Acme", "--site", "HQ"]
TOKEN: Final = re.compile(r"printscout collector enroll \S+ ([\w.-]+)")


def secret(name: str) -> str:
    """A random secret with characters that URL and form encoding change."""
    return f"{name}-{secrets.token_urlsafe(12)}+/!="


def encodings(value: str) -> set[str]:
    """The secret as it might be written: raw, URL or form encoded, JSON, base64, hex."""
    raw = value.encode()
    return {
        value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
        base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("="),
        raw.hex(),
    }  # fmt: skip


def run_cli(server: ServerProcess, logs: list[str], *args: str) -> str:
    """``printscout server ARGS`` at DEBUG; its standard error joins the logs, stdout returns."""
    done = subprocess.run(
        [*CLI, "server", *args], cwd=ROOT, env=server.env, capture_output=True, check=True
    )
    logs.append(done.stderr.decode())
    return done.stdout.decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A TLS server logging everything at DEBUG, with an SMTP password configured."""
    folder = tmp_path_factory.mktemp("logged-server")
    smtp = secret("smtp")
    process = ServerProcess(folder, host=HOST)
    process.env.update(
        {
            "PRINTSCOUT_LOG__LEVEL": "DEBUG",
            "PRINTSCOUT_LOG__ACCESS": "true",
            "PRINTSCOUT_COLLECTORS__HOSTNAMES": json.dumps([HOST]),
            "PRINTSCOUT_ALERTS__SMTP_HOST": "127.93.4.2",
            "PRINTSCOUT_ALERTS__SMTP_USERNAME": "alerts",
            "PRINTSCOUT_ALERTS__SMTP_PASSWORD": smtp,
            "PRINTSCOUT_TEST_SMTP_SECRET": smtp,  # read back by the test, not by the server
        }
    )
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_it_logs_no_secret_of_any_flow(server: ServerProcess, tmp_path: Path) -> None:
    logs: list[str] = []
    found: dict[str, str] = {"smtp password": server.env["PRINTSCOUT_TEST_SMTP_SECRET"]}
    found["admin password"] = password = secret("admin")
    (tmp_path / "pw").write_text(password)
    run_cli(server, logs, "create-admin", "--email", "boss@dealer.test",
            "--password-file", str(tmp_path / "pw"))  # fmt: skip
    run_cli(server, logs, "set-schedule", *SITE, "--discover-every", "3600", "--poll-every",
            "5", "--identity-every", "3600")  # fmt: skip
    site_id = server.query("SELECT id FROM sites")[0][0]
    context = ssl.create_default_context(cafile=str(server.ca_path))
    with httpx.Client(base_url=server.url, verify=context, timeout=30) as http:
        page = http.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        form = {"csrf": csrf.group(1), "email": "boss@dealer.test", "password": password}
        assert http.post("/login", data=form).status_code == 303
        found["session cookie"] = http.cookies["ps_session"]
        csrf = re.search(r'name="csrf" value="([^"]+)"', http.get("/collectors").text)
        assert csrf is not None
        found["community"], found["v3 auth key"], found["v3 priv key"] = (
            secret("community"), secret("auth"), secret("priv"),
        )  # fmt: skip
        added = http.post(
            f"/collectors/sites/{site_id}/ranges",
            data={
                "csrf": csrf.group(1), "targets": SILENT_PRINTER, "communities": found["community"],
                "v3_user": "monitor", "auth_protocol": "SHA-256", "auth_key": found["v3 auth key"],
                "priv_protocol": "AES", "priv_key": found["v3 priv key"],
            },
        )  # fmt: skip
        assert added.status_code == 303, added.text
        made = http.post(f"/collectors/sites/{site_id}/token", data={"csrf": csrf.group(1)})
        token = TOKEN.search(made.text)
        assert token is not None, made.text
        found["enrolment token"] = token.group(1)
        api = json.loads(run_cli(server, logs, "create-token", "--user", "boss@dealer.test"))
        found["api token"] = api["token"]
        bearer = {"Authorization": f"Bearer {api['token']}"}
        assert http.get("/api/v1/devices", headers=bearer).status_code == 200
        found["webhook secret"] = secret("webhook")
        hook = {"name": "hook", "kind": "webhook", "target": "https://hooks.example/x",
                "secret": found["webhook secret"]}  # fmt: skip
        assert http.post("/api/v1/notification-channels", json=hook, headers=bearer).is_success
        wrong = {"Authorization": f"Bearer {api['token']}x"}  # a near miss is logged too
        assert http.get("/api/v1/devices", headers=wrong).status_code == 401
    logs += run_collector(server, tmp_path / "collector", found["enrolment token"])
    server.stop()
    logs.append((server.data_dir / "server.log").read_text())
    everything = "\n".join(logs)
    assert everything.count("DEBUG") + everything.count('"debug"') > 20  # really at DEBUG
    leaks = [
        name for name, value in found.items() if any(e in everything for e in encodings(value))
    ]
    assert leaks == [], f"secrets in the logs: {leaks}"


def run_collector(server: ServerProcess, folder: Path, token: str) -> list[str]:
    """Enrol a collector and run it until it has checked in (and got its ranges); its logs."""
    env = collector_env(log_level="DEBUG")
    enrolled = subprocess.run(
        [*CLI, "collector", "--data-dir", str(folder), "enroll", server.url, token],
        cwd=ROOT, env=env, capture_output=True, check=True,
    )  # fmt: skip
    collector = CollectorProcess(folder, env)
    errors = folder / "stderr.log"
    with errors.open("wb") as sink:
        argv = [*CLI, "collector", "--data-dir", str(folder), "run"]
        collector.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sink, stderr=sink)
        try:
            # The check-in's answer carries the range with its credentials.
            wait_for(lambda: server.query("SELECT count(*) FROM collector_checkins")[0][0] > 0,
                     what="a check-in")  # fmt: skip
        finally:
            collector.stop()
    files = [p.read_text(errors="replace") for p in folder.rglob("*.log*") if p.is_file()]
    return [enrolled.stderr.decode(), *files]


@pytest.mark.parametrize("shared_db", ["sqlite"], indirect=True)
def test_it_makes_enrolment_tokens_the_enroll_command_takes_as_they_are(
    shared_db: Database, server_settings: ServerSettings, world: World
) -> None:
    # Found here: a URL-safe token starting with "-" made ``collector enroll`` exit with 2.
    service = CollectorService(shared_db, server_settings)
    tokens = [service.create_token(int(world.a.ids["site_id"])) for _ in range(20)]
    assert all(re.fullmatch(r"[0-9a-f]{64}\.[0-9a-f]{64}", t) for t in tokens), tokens
