"""``collector enroll``: a key pair and CSR made here, the server's CA checked against the
token's fingerprint, the signed certificate stored next to the key, the CA pinned."""

from __future__ import annotations

import hashlib
import os
import ssl
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from printscout.collector.errors import EnrolmentFailed
from printscout.collector.settings import CONFIG_FILE, CollectorSettings
from printscout.domain.control import EnrolRequest, EnrolResponse


def make_key_and_csr(name: str) -> tuple[bytes, bytes]:
    """A new EC P-256 key (PEM) and a CSR for it (the server sets the real subject)."""
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64])]))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, csr.public_bytes(serialization.Encoding.PEM)


def fetch_ca(url: str, pinned: str, timeout: float = 30.0) -> bytes:
    """The server's CA certificate, accepted only if its SHA-256 matches the token's.

    This one request cannot verify the server (there is no trust anchor yet); the fingerprint
    in the token, which came from the administrator, is what makes the answer trustworthy.
    """
    try:
        answer = httpx.get(f"{url}/api/v1/enrol/ca", verify=False, timeout=timeout)  # noqa: S501
        answer.raise_for_status()
        der = x509.load_pem_x509_certificate(answer.content).public_bytes(
            serialization.Encoding.DER
        )
    except (httpx.HTTPError, ValueError) as exc:
        raise EnrolmentFailed(f"cannot fetch the server's CA from {url}: {exc}") from exc
    if hashlib.sha256(der).hexdigest() != pinned.lower():
        raise EnrolmentFailed("the server's CA does not match the token: wrong server or token")
    return answer.content


def enrol(url: str, token: str, name: str, settings: CollectorSettings) -> EnrolResponse:
    """Enrol at ``url`` with ``token``; writes key, certificate, CA and ``collector.toml``."""
    url = url.rstrip("/")
    if not url.startswith("https://"):
        raise EnrolmentFailed("the server URL must start with https://")
    _, dot, pinned = token.rpartition(".")
    if not dot or len(pinned) != 64:
        raise EnrolmentFailed("this is not an enrolment token (<secret>.<CA fingerprint>)")
    ca_pem = fetch_ca(url, pinned)
    key_pem, csr_pem = make_key_and_csr(name)
    request = EnrolRequest(token=token, name=name, csr=csr_pem.decode())
    context = ssl.create_default_context(cadata=ca_pem.decode())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        answer = httpx.post(
            f"{url}/api/v1/enrol", json=request.model_dump(), verify=context, timeout=30.0
        )
    except httpx.HTTPError as exc:
        raise EnrolmentFailed(f"enrolment request failed: {exc}") from exc
    if answer.status_code != 200:
        raise EnrolmentFailed(f"the server refused enrolment: {answer.status_code} {answer.text}")
    response = EnrolResponse.model_validate_json(answer.content)
    _store(settings, url, key_pem, response)
    return response


def _store(settings: CollectorSettings, url: str, key_pem: bytes, response: EnrolResponse) -> None:
    settings.identity_dir.mkdir(parents=True, exist_ok=True)
    _write(settings.key_path, key_pem, 0o600)
    _write(settings.cert_path, response.certificate.encode(), 0o644)
    _write(settings.ca_path, response.ca.encode(), 0o644)
    config = settings.data_dir / CONFIG_FILE
    lines = [f'server_url = "{url}"', f'collector_id = "{response.collector}"']
    if config.exists():
        kept = [
            line
            for line in config.read_text().splitlines()
            if not line.startswith(("server_url", "collector_id"))
        ]
        lines = [*lines, *kept]
    _write(config, ("\n".join(lines) + "\n").encode(), 0o644)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically with ``mode`` from the start (a key is never readable by others)."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def renewal_due(settings: CollectorSettings, now: datetime | None = None) -> bool:
    """Whether the certificate has less than a third of its lifetime left."""
    cert = x509.load_pem_x509_certificate(settings.cert_path.read_bytes())
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    left = cert.not_valid_after_utc - (now or datetime.now(UTC))
    return left < lifetime / 3


def stage_renewal(settings: CollectorSettings, key_pem: bytes, cert_pem: bytes) -> None:
    """Put a renewed key and certificate in place: both are written as ``.next`` first, so a
    crash between the two renames is completed by ``finish_renewal`` at the next start."""
    _write(_next(settings.key_path), key_pem, 0o600)
    _write(_next(settings.cert_path), cert_pem, 0o644)
    finish_renewal(settings)


def finish_renewal(settings: CollectorSettings) -> None:
    """Complete a staged renewal (the certificate's ``.next`` file is written last)."""
    key, cert = _next(settings.key_path), _next(settings.cert_path)
    if cert.exists():
        if key.exists():
            os.replace(key, settings.key_path)
        os.replace(cert, settings.cert_path)
    elif key.exists():
        key.unlink()  # the certificate never arrived: keep the old pair


def _next(path: Path) -> Path:
    return path.with_name(path.name + ".next")
