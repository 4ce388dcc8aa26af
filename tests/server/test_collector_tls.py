"""Mutual TLS against a real server process: enrolment, then who is refused and how.

The server (``printscout server serve`` with ``collectors.tls``) makes its CA on first start.
Certificates for the refusals are made here: one from another CA, one from the server's own CA
but expired, one valid but never registered; a revoked collector is refused on the very
connection it used a moment before.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from printscout.collector.enrolment import make_key_and_csr
from tests.support.collector_service import (
    CollectorProcess,
    ServerProcess,
    collector_env,
    running_server,
)

SITE = ["--dealer", "Dealer", "--customer", "Customer", "--site", "Site"]
CHECKIN = "/api/v1/collector/checkin"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One TLS server for the module."""
    with running_server(tmp_path_factory.mktemp("tls-server")) as found:
        yield found


@pytest.fixture
def enrolled(server: ServerProcess, tmp_path: Path) -> CollectorProcess:
    """A collector enrolled with a fresh token."""
    collector = CollectorProcess(tmp_path / "collector", collector_env())
    collector.enroll(server.url, server.cli("create-enrolment-token", *SITE)["token"])
    return collector


def _context(ca: Path, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    if cert is not None and key is not None:
        context.load_cert_chain(cert, key)
    return context


def _client(server: ServerProcess, context: ssl.SSLContext) -> httpx.Client:
    return httpx.Client(base_url=server.url, verify=context, timeout=10)


def _identity(collector: CollectorProcess) -> tuple[Path, Path]:
    identity = collector.data_dir / "identity"
    return identity / "collector.pem", identity / "collector.key"


def _make_cert(
    tmp_path: Path, issuer_cert: x509.Certificate | None, issuer_key: ec.EllipticCurvePrivateKey,
    *, expired: bool = False, name: str = "cert",
) -> tuple[Path, Path]:  # fmt: skip
    """A client certificate signed by ``issuer`` (self-signed when None); files in tmp_path."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=3), now - timedelta(days=1)) if expired else (
        now - timedelta(minutes=5), now + timedelta(days=1))  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(issuer_key if issuer_cert else key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_ca(server: ServerProcess) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert = x509.load_pem_x509_certificate(server.ca_path.read_bytes())
    key = serialization.load_pem_private_key((server.data_dir / "ca" / "ca.key").read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return cert, key


def test_it_accepts_an_enrolled_collector(
    server: ServerProcess, enrolled: CollectorProcess
) -> None:
    with _client(server, _context(server.ca_path, *_identity(enrolled))) as client:
        answer = client.post(CHECKIN, json={"version": "test"})
    assert answer.status_code == 200
    assert answer.json()["schema"] == "printscout.collector-config/1"
    assert answer.json()["collector"] == enrolled.collector_id


def test_it_refuses_a_request_without_a_certificate(server: ServerProcess) -> None:
    with _client(server, _context(server.ca_path)) as client:
        answer = client.post(CHECKIN, json={})
        ingest = client.post("/api/v1/ingest", content=b"[]")
    assert answer.status_code == ingest.status_code == 401


def test_it_refuses_a_certificate_from_another_ca_at_the_handshake(
    server: ServerProcess, tmp_path: Path
) -> None:
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_ca, _ = _make_cert(tmp_path, None, other_key, name="other-ca")
    ca_cert = x509.load_pem_x509_certificate(other_ca.read_bytes())
    cert, key = _make_cert(tmp_path, ca_cert, other_key, name="stranger")
    with (
        _client(server, _context(server.ca_path, cert, key)) as client,
        pytest.raises(httpx.TransportError),
    ):
        client.post(CHECKIN, json={})


def test_it_refuses_an_expired_certificate_at_the_handshake(
    server: ServerProcess, tmp_path: Path
) -> None:
    ca_cert, ca_key = _server_ca(server)
    cert, key = _make_cert(tmp_path, ca_cert, ca_key, expired=True, name="expired")
    with (
        _client(server, _context(server.ca_path, cert, key)) as client,
        pytest.raises(httpx.TransportError),
    ):
        client.post(CHECKIN, json={})


def test_it_refuses_a_valid_certificate_it_never_issued_to_a_collector(
    server: ServerProcess, tmp_path: Path
) -> None:
    ca_cert, ca_key = _server_ca(server)
    cert, key = _make_cert(tmp_path, ca_cert, ca_key, name="unregistered")
    with _client(server, _context(server.ca_path, cert, key)) as client:
        assert client.post(CHECKIN, json={}).status_code == 401


def test_it_refuses_a_revoked_collector_at_once_on_the_same_connection(
    server: ServerProcess, enrolled: CollectorProcess
) -> None:
    with _client(server, _context(server.ca_path, *_identity(enrolled))) as client:
        assert client.post(CHECKIN, json={}).status_code == 200
        server.cli("revoke-collector", enrolled.collector_id)
        assert client.post(CHECKIN, json={}).status_code == 401
        assert client.post("/api/v1/ingest", content=b"[]").status_code == 401


def test_it_accepts_a_token_once(server: ServerProcess, tmp_path: Path) -> None:
    token = server.cli("create-enrolment-token", *SITE)["token"]
    CollectorProcess(tmp_path / "first", collector_env()).enroll(server.url, token)
    with pytest.raises(Exception, match="returned non-zero"):
        CollectorProcess(tmp_path / "second", collector_env()).enroll(server.url, token)


def test_it_refuses_an_expired_token(server: ServerProcess, tmp_path: Path) -> None:
    token = server.cli("create-enrolment-token", *SITE, "--hours", "0.0000001")["token"]
    with pytest.raises(Exception, match="returned non-zero"):
        CollectorProcess(tmp_path / "late", collector_env()).enroll(server.url, token)


def test_it_renews_a_certificate_for_the_collector_presenting_one(
    server: ServerProcess, enrolled: CollectorProcess, tmp_path: Path
) -> None:
    key_pem, csr_pem = make_key_and_csr("renewing")
    with _client(server, _context(server.ca_path, *_identity(enrolled))) as client:
        answer = client.post("/api/v1/collector/certificate", json={"csr": csr_pem.decode()})
    assert answer.status_code == 200
    cert_path, key_path = tmp_path / "renewed.pem", tmp_path / "renewed.key"
    cert_path.write_text(answer.json()["certificate"])
    key_path.write_bytes(key_pem)
    renewed = x509.load_pem_x509_certificate(cert_path.read_bytes())
    common_name = renewed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == enrolled.collector_id
    with _client(server, _context(server.ca_path, cert_path, key_path)) as client:
        assert client.post(CHECKIN, json={}).status_code == 200
    with _client(server, _context(server.ca_path)) as client:
        refused = client.post("/api/v1/collector/certificate", json={"csr": csr_pem.decode()})
    assert refused.status_code == 401
