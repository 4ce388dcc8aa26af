"""``printscout server serve`` with a certificate: the console over TLS, HSTS, and plain HTTP
redirected to HTTPS (a real server process, real sockets, a certificate made here)."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from printscout.simulator.tls import self_signed_certificate
from tests.server.conftest import SECRET

ADDRESS = "127.106.0.2"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ADDRESS (the simulator's helper makes the same kind)."""
    cert_pem, key_pem = self_signed_certificate([ADDRESS])
    cert_file, key_file = folder / "console.pem", folder / "console.key"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(key_pem)
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((ADDRESS, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, int, Path]]:
    """A server process serving TLS on one port and redirecting on another."""
    cert_file, key_file = _certificate(tmp_path)
    redirect = _free_port()
    listener = socket.create_server((ADDRESS, 0))
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "PRINTSCOUT_DATA_DIR": str(tmp_path),
        "PRINTSCOUT_SECRET_KEY": SECRET,
        "PRINTSCOUT_LOG__LEVEL": "WARNING",
        "PRINTSCOUT_CONSOLE__TLS_CERT_FILE": str(cert_file),
        "PRINTSCOUT_CONSOLE__TLS_KEY_FILE": str(key_file),
        "PRINTSCOUT_CONSOLE__REDIRECT_PORT": str(redirect),
    }
    argv = [sys.executable, "-m", "printscout.cli.main", "server", "serve", "--fd"]
    proc = subprocess.Popen([*argv, str(listener.fileno())], env=env, pass_fds=[listener.fileno()])
    listener.close()
    try:
        yield port, redirect, cert_file
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait(url: str, verify: ssl.SSLContext | bool) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, verify=verify, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_it_serves_the_console_over_tls_and_redirects_plain_http(
    tls_server: tuple[int, int, Path],
) -> None:
    port, redirect, cert_file = tls_server
    trust = ssl.create_default_context(cafile=str(cert_file))
    page = _wait(f"https://{ADDRESS}:{port}/login", trust)
    assert page.status_code == 200
    assert page.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in page.headers["set-cookie"].lower()
    moved = _wait(f"http://{ADDRESS}:{redirect}/devices/7?x=1", False)
    assert moved.status_code == 308
    assert moved.headers["location"] == f"https://{ADDRESS}:{port}/devices/7?x=1"
