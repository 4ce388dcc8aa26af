"""``printscout server serve`` with a certificate: the console over TLS, HSTS, and plain HTTP
redirected to HTTPS (a real server process, real sockets, a certificate made here)."""

from __future__ import annotations

import datetime as dt
import ipaddress
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
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.server.conftest import SECRET

ADDRESS = "127.106.0.2"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "console.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ADDRESS))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "console.pem", folder / "console.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
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
