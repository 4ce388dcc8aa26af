"""The uploader's pieces that need no server: backoff bounds and the client TLS context."""

from __future__ import annotations

import random
import ssl
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from printscout.collector.errors import NotEnrolled
from printscout.collector.settings import CollectorSettings
from printscout.collector.uploader import Backoff, client_context
from tests.server.test_collector_tls import _make_cert


def test_it_backs_off_exponentially_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=30.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(12)]
    assert all(0.5 <= d <= 30.0 for d in delays)
    ceilings = [min(30.0, 2.0**n) for n in range(1, 13)]
    assert all(d <= c for d, c in zip(delays, ceilings, strict=True))
    assert len(set(delays)) == len(delays)  # jitter: no two retries in lock step
    backoff.reset()
    assert backoff.next_delay() <= 2.0


def test_it_refuses_to_build_a_context_before_enrolment(tmp_path: Path) -> None:
    with pytest.raises(NotEnrolled, match="enroll"):
        client_context(CollectorSettings(data_dir=tmp_path))


def test_it_pins_the_ca_and_requires_tls_1_2(tmp_path: Path) -> None:
    settings = CollectorSettings(data_dir=tmp_path)
    settings.identity_dir.mkdir(parents=True)
    cert, key = _make_cert(settings.identity_dir, None, ec.generate_private_key(ec.SECP256R1()))
    cert.rename(settings.cert_path)
    key.rename(settings.key_path)
    settings.ca_path.write_bytes(settings.cert_path.read_bytes())
    context = client_context(settings)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509"] == 1  # the pinned CA, no system roots
