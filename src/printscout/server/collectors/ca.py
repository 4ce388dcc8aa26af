"""The server's own certificate authority: made on first start, signs the server's certificate
and the collectors' client certificates (from their CSRs). Pure ``cryptography``, files only.

Several server processes may share one data directory and start at the same moment: the CA is
made under an exclusive lock on ``ca.lock`` (the first process makes it, the others wait and
load it), and each process keeps its own server certificate in memory, never in a shared file
another process could overwrite between writing the key and loading the pair."""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final
from uuid import UUID

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from printscout.server.errors import ConfigError, EnrolmentRefused

CA_CERT: Final = "ca.pem"
CA_KEY: Final = "ca.key"
LOCK: Final = "ca.lock"
CA_YEARS: Final = 10


def fingerprint(der: bytes) -> str:
    """SHA-256 hex of a certificate's DER bytes: how certificates are looked up and pinned."""
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate the CA just signed."""

    pem: bytes
    serial: int
    fingerprint: str
    not_after: datetime


@dataclass(frozen=True, slots=True)
class CertificateAuthority:
    """The CA's certificate and key, and the directory they live in."""

    directory: Path
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_path(self) -> Path:
        """The CA certificate (PEM), what collectors pin."""
        return self.directory / CA_CERT

    @property
    def pem(self) -> bytes:
        """The CA certificate as PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the CA certificate (part of every enrolment token)."""
        return fingerprint(self.certificate.public_bytes(serialization.Encoding.DER))

    def issue_server(self, hostnames: list[str], days: int = 397) -> tuple[bytes, bytes]:
        """A fresh server certificate for ``hostnames`` (DNS names or IP addresses) and its new
        key; returns (certificate PEM, key PEM)."""
        key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = []
        for host in hostnames:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = self._builder(hostnames[0] if hostnames else "printscout", key, days)
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        cert = builder.sign(self.key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)

    def sign_collector(
        self, csr_pem: bytes, collector: UUID, site: str, days: int
    ) -> IssuedCertificate:
        """Sign a collector's CSR; the subject is set here (the collector and its site), only
        the public key is taken from the request."""
        try:
            csr = x509.load_pem_x509_csr(csr_pem)
        except ValueError as exc:
            raise EnrolmentRefused("the certificate request is not a PEM CSR") from exc
        if not csr.is_signature_valid:
            raise EnrolmentRefused("the certificate request's signature does not verify")
        public = csr.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise EnrolmentRefused("the certificate request must hold an EC key")
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, str(collector)),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, site[:64] or "site"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PrintScout collector"),
            ]
        )
        builder = self._builder(subject, public, days).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        cert = builder.sign(self.key, hashes.SHA256())
        der = cert.public_bytes(serialization.Encoding.DER)
        return IssuedCertificate(
            cert.public_bytes(serialization.Encoding.PEM),
            cert.serial_number,
            fingerprint(der),
            cert.not_valid_after_utc,
        )

    def _builder(
        self,
        subject: str | x509.Name,
        public: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey,
        days: int,
    ) -> x509.CertificateBuilder:
        if isinstance(subject, str):
            subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        if isinstance(public, ec.EllipticCurvePrivateKey):
            public = public.public_key()
        now = datetime.now(UTC)
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )


def load_or_create(directory: Path) -> CertificateAuthority:
    """The CA kept in ``directory``, made there (key mode 0600) when absent; processes starting
    together make one CA between them."""
    cert_path, key_path = directory / CA_CERT, directory / CA_KEY
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory / LOCK):
        if not cert_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            _write_private(key_path, _key_pem(key))
            _write_atomically(cert_path, _self_signed(key).public_bytes(serialization.Encoding.PEM))
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the collector CA in {directory}: {exc}") from exc
    if not isinstance(loaded, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{key_path} is not an EC private key")
    return CertificateAuthority(directory, cert, loaded)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (released when the file is closed)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` under a temporary name, then rename it into place."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_bytes(data)
    os.replace(partial, path)


def _self_signed(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "PrintScout collector CA")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write a key readable by the owner only, without a moment of wider permissions."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
