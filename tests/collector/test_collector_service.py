"""The collector service as systemd runs it: READY and WATCHDOG over ``NOTIFY_SOCKET``,
STOPPING and a clean exit on SIGTERM, ``collector status``, a ``send_logs`` command, and
address masking before upload (a real TLS server process, a small simulated fleet)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

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


class NotifyListener:
    """What systemd would receive on ``NOTIFY_SOCKET``, read on a thread as systemd does."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.messages: list[str] = []
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(self.path)
        self._socket.settimeout(0.2)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._done.is_set():
            try:
                self.messages.append(self._socket.recv(256).decode())
            except TimeoutError:
                continue

    def close(self) -> None:
        """Stop reading and close the socket."""
        self._done.set()
        self._thread.join()
        self._socket.close()


def _at_least(rows: list[tuple[Any, ...]], count: int) -> list[tuple[Any, ...]]:
    """``rows`` once there are ``count`` of them, else an empty list (keep waiting)."""
    return rows if len(rows) >= count else []


def test_it_notifies_systemd_masks_addresses_and_reports_status(tmp_path: Path) -> None:
    listener = NotifyListener(tmp_path / "notify")
    try:
        with running_server(tmp_path / "server") as server:
            token = enrolled_site(server, "127.105.3.1-127.105.3.5", SNMP_PORT, 60, mask=True)
            env = {**collector_env(), "NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"}
            collector = CollectorProcess(tmp_path / "collector", env)
            collector.enroll(server.url, token)
            with simulated_fleet("127.105.3.0/24", 3, SNMP_PORT):
                collector.start()
                try:
                    wait_for(lambda: "READY=1" in " ".join(listener.messages), what="READY")
                    wait_for(lambda: listener.messages.count("WATCHDOG=1") >= 3, what="pings")
                    # every printer: the service's lean sweep must not miss one
                    addresses = wait_for(
                        lambda: _at_least(server.query("SELECT address FROM device_addresses"), 3),
                        what="all three devices on the server",
                    )
                    server.cli("collector-command", collector.collector_id, "send_logs")
                    logs = wait_for(
                        lambda: server.query(
                            "SELECT result FROM collector_commands WHERE done_at IS NOT NULL"
                        ),
                        what="send_logs done",
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
        wait_for(lambda: "STOPPING=1" in listener.messages, what="STOPPING")
    finally:
        listener.close()
    assert all(a.startswith("masked-") for (a,) in addresses)
    assert not any("127.105" in a for (a,) in addresses)
    assert "uploaded" in json.loads(logs[0][0])["detail"]
    report = json.loads(status.stdout)
    assert report["enrolled"] is True
    assert report["collector_id"] == collector.collector_id
    assert report["service"]["running"] is True
