"""The collector service as systemd runs it: READY and WATCHDOG over ``NOTIFY_SOCKET``,
STOPPING and a clean exit on SIGTERM, ``collector status``, and address masking before upload
(a real TLS server process, a small simulated fleet)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from pathlib import Path

from tests.support.collector_service import (
    CLI,
    ROOT,
    CollectorProcess,
    collector_env,
    enrolled_site,
    running_server,
    simulated_fleet,
    wait_for,
)

SNMP_PORT = 16164


def _received(listener: socket.socket, seen: list[str]) -> list[str]:
    try:
        while True:
            seen.append(listener.recv(256).decode())
    except BlockingIOError:
        return seen


def test_it_notifies_systemd_masks_addresses_and_reports_status(tmp_path: Path) -> None:
    notify = str(tmp_path / "notify")
    with (
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener,
        running_server(tmp_path / "server") as server,
    ):
        listener.bind(notify)
        listener.setblocking(False)
        token = enrolled_site(server, "127.105.3.1-127.105.3.5", SNMP_PORT)
        site = ["--dealer", "Dealer", "--customer", "Customer", "--site", "Site"]
        server.cli(
            "set-schedule", *site, "--discover-every", "3600", "--poll-every", "60",
            "--identity-every", "3600", "--mask-addresses",
        )  # fmt: skip
        env = {**collector_env(), "NOTIFY_SOCKET": notify, "WATCHDOG_USEC": "400000"}
        collector = CollectorProcess(tmp_path / "collector", env)
        collector.enroll(server.url, token)
        seen: list[str] = []
        with simulated_fleet("127.105.3.0/24", 3, SNMP_PORT):
            collector.start()
            try:
                wait_for(lambda: "READY=1" in " ".join(_received(listener, seen)), what="READY")
                wait_for(lambda: _received(listener, seen).count("WATCHDOG=1") >= 3, what="pings")
                addresses = wait_for(
                    lambda: server.query("SELECT address FROM device_addresses"),
                    what="devices on the server",
                )
                status = subprocess.run(
                    [*CLI, "collector", "--data-dir", str(collector.data_dir), "status"],
                    cwd=ROOT, env=env, capture_output=True, check=True,
                )  # fmt: skip
                assert collector.proc is not None
                collector.proc.send_signal(signal.SIGTERM)
                assert collector.proc.wait(timeout=20) == 0
            finally:
                collector.stop(signal.SIGKILL)
        wait_for(lambda: "STOPPING=1" in _received(listener, seen), what="STOPPING")
    assert all(a.startswith("masked-") for (a,) in addresses)
    assert not any("127.105" in a for (a,) in addresses)
    report = json.loads(status.stdout)
    assert report["enrolled"] is True
    assert report["collector_id"] == collector.collector_id
    assert report["service"]["running"] is True
