"""Certificate renewal on the collector's side: when it is due, and a staged swap that a crash
between the two renames cannot leave half done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from printscout.collector.enrolment import finish_renewal, renewal_due, stage_renewal
from printscout.collector.settings import CollectorSettings


def _settings(tmp_path: Path, days: int, used: int) -> CollectorSettings:
    """An identity valid ``days`` days, of which ``used`` have passed."""
    settings = CollectorSettings(data_dir=tmp_path)
    settings.identity_dir.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "c")])
    start = datetime.now(UTC) - timedelta(days=used)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1).not_valid_before(start)
        .not_valid_after(start + timedelta(days=days)).sign(key, hashes.SHA256())
    )  # fmt: skip
    settings.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    settings.key_path.write_bytes(b"old key")
    return settings


def test_it_renews_when_a_third_of_the_lifetime_is_left(tmp_path: Path) -> None:
    assert not renewal_due(_settings(tmp_path / "young", 90, 10))
    assert renewal_due(_settings(tmp_path / "old", 90, 70))


def test_it_swaps_key_and_certificate_together(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 90, 70)
    stage_renewal(settings, b"new key", b"new cert")
    assert settings.key_path.read_bytes() == b"new key"
    assert settings.cert_path.read_bytes() == b"new cert"
    assert not list(settings.identity_dir.glob("*.next"))


def test_it_completes_a_swap_interrupted_between_the_renames(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 90, 70)
    settings.key_path.write_bytes(b"new key")  # the key was renamed, then the process died
    (settings.identity_dir / "collector.pem.next").write_bytes(b"new cert")
    finish_renewal(settings)
    assert settings.cert_path.read_bytes() == b"new cert"


def test_it_drops_a_staged_key_whose_certificate_never_came(tmp_path: Path) -> None:
    settings = _settings(tmp_path, 90, 70)
    (settings.identity_dir / "collector.key.next").write_bytes(b"orphan")
    finish_renewal(settings)
    assert settings.key_path.read_bytes() == b"old key"
    assert not list(settings.identity_dir.glob("*.next"))
