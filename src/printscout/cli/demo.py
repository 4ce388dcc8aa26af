"""``make demo``: the server (SQLite, mutual TLS), a simulated fleet of 50 printers on loopback
and a collector enrolled with a one-time token, each a process of its own; prints the URL and
the admin's first-login credentials, and runs until Ctrl-C."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console

NETWORK = "127.105.50.0/24"
PRINTERS = 50
SNMP_PORT = 16161
HTTPS_PORT = 8443
ADMIN = "admin@demo.printscout.test"
DEALER = "Demo Dealer"
CLI = [sys.executable, "-m", "printscout.cli.main"]


def _listener() -> socket.socket:
    try:
        return socket.create_server(("127.0.0.1", HTTPS_PORT))
    except OSError:
        return socket.create_server(("127.0.0.1", 0))


def _start(stack: ExitStack, argv: list[str], env: dict[str, str], **kw: Any) -> None:
    proc = subprocess.Popen([*CLI, *argv], env=env, **kw)

    def stop() -> None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)


def _wait_ready(url: str, ca: Path) -> None:
    from printscout.server.ready import NotReady, wait_ready

    try:
        wait_ready(url, ca)
    except NotReady as exc:
        raise SystemExit(f"{exc}; see its log") from exc


def _prepare(data: Path, secret: str) -> tuple[str, str]:
    """Site, range, schedule, admin user and an enrolment token; returns (token, password)."""
    from printscout.cli.server import create_admin
    from printscout.domain.control import RangeConfig, Schedule
    from printscout.server.collectors.service import CollectorService
    from printscout.server.settings import ServerSettings
    from printscout.storage.accounts import ensure_site
    from printscout.storage.session import Database, DatabaseConfig, sqlite_url

    settings = ServerSettings(data_dir=data, secret_key=SecretStr(secret))
    db = Database(DatabaseConfig(sqlite_url(data)))
    password = secrets.token_urlsafe(12)
    try:
        with db.writer() as session:
            site_id = ensure_site(session, DEALER, "Demo Customer", "Head office").id
        create_admin(db, ADMIN, password, dealer=DEALER)
        service = CollectorService(db, settings)
        service.set_schedule(site_id, Schedule(discover_every_s=3600, poll_every_s=60))
        service.add_range(site_id, RangeConfig(targets=[NETWORK], port=SNMP_PORT))
        return service.create_token(site_id), password
    finally:
        db.dispose()


def _delivered(data: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{data / 'printscout.sqlite3'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(DISTINCT device_id) FROM readings").fetchone()[0])


def run(console: Console) -> int:
    """Start everything, print how to get in, wait for Ctrl-C."""
    root = Path(tempfile.mkdtemp(prefix="printscout-demo-"))
    server_dir, collector_dir = root / "server", root / "collector"
    secret = secrets.token_urlsafe(48)
    env = {
        **os.environ, "PRINTSCOUT_DATA_DIR": str(server_dir), "PRINTSCOUT_SECRET_KEY": secret,
        "PRINTSCOUT_COLLECTORS__TLS": "true", "PRINTSCOUT_LOG__LEVEL": "WARNING",
    }  # fmt: skip
    server_dir.mkdir(parents=True)
    listener = _listener()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"
    with ExitStack() as stack:
        log = stack.enter_context((root / "server.log").open("ab"))
        fd = listener.fileno()
        argv = ["server", "serve", "--fd", str(fd)]
        _start(stack, argv, env, pass_fds=[fd], stderr=log, stdout=log)
        listener.close()
        _wait_ready(url, server_dir / "ca" / "ca.pem")
        simulate = ["simulate", "--network", NETWORK, "--count", str(PRINTERS)]
        _start(stack, [*simulate, "--port", str(SNMP_PORT), "--speed", "60"], env,
               stdout=subprocess.DEVNULL)  # fmt: skip
        token, password = _prepare(server_dir, secret)
        collector = ["collector", "--data-dir", str(collector_dir)]
        subprocess.run([*CLI, *collector, "enroll", url, token, "--name", "demo"], env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        _start(stack, [*collector, "run"], env, stderr=subprocess.DEVNULL)
        console.print(f"[bold]PrintScout demo[/] (data in {root})")
        console.print(f"  console / server URL: {url}/  (CA: {server_dir / 'ca' / 'ca.pem'})")
        console.print(f"  admin login: {ADMIN}  password: {password}")
        console.print(f"  collector: {collector_dir}; `printscout collector --data-dir "
                      f"{collector_dir} status`")  # fmt: skip
        console.print(f"  {PRINTERS} simulated printers on {NETWORK} port {SNMP_PORT}")
        return _watch(console, server_dir)


def _watch(console: Console, server_dir: Path) -> int:
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    reported = -1
    try:
        while not stop["now"]:
            found = _delivered(server_dir)
            if found != reported:
                console.print(f"  {found} printers have reported to the server; Ctrl-C stops")
                reported = found
            time.sleep(2)
    except KeyboardInterrupt:
        pass
    return 0


def main() -> int:
    """Run the demo."""
    return run(Console(width=160))


if __name__ == "__main__":
    sys.exit(main())
