"""The signed release manifest: it verifies only as signed, and nothing else gets through."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.domain.release import (
    ManifestError,
    ReleaseError,
    ReleaseManifest,
    SignatureError,
    generate_release_key,
    key_id,
    load_private_key,
    load_public_key,
    sign_manifest,
    verify_manifest,
    wheel_version,
)

KEY = Ed25519PrivateKey.generate()
MANIFEST = ReleaseManifest(
    version="1.2.3",
    wheel="printscout-1.2.3-py3-none-any.whl",
    sha256="ab" * 32,
    size=12345,
    created=datetime(2026, 12, 5, 12, 0, tzinfo=UTC),
    min_version="1.0.0",
)
SIGNED = sign_manifest(MANIFEST, KEY)


def test_it_round_trips_and_names_the_key() -> None:
    assert verify_manifest(SIGNED, KEY.public_key()) == MANIFEST
    assert json.loads(SIGNED)["key_id"] == key_id(KEY.public_key())


def test_generated_keys_load_and_sign() -> None:
    private, public = generate_release_key()
    signed = sign_manifest(MANIFEST, load_private_key(private))
    assert verify_manifest(signed, load_public_key(public)) == MANIFEST
    with pytest.raises(SignatureError):
        verify_manifest(signed, KEY.public_key())
    other = X25519PrivateKey.generate().public_key()
    pem = other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ManifestError, match="must be an Ed25519 key"):
        load_public_key(pem)
    with pytest.raises(ManifestError, match="not a PEM public key"):
        load_public_key(b"-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")


def test_it_refuses_a_manifest_whose_wheel_is_another_version_or_package() -> None:
    for wheel in ("printscout-1.2.4-py3-none-any.whl", "other-1.2.3-py3-none-any.whl"):
        signed = sign_manifest(ReleaseManifest("1.2.3", wheel, "ab" * 32, 1, MANIFEST.created), KEY)
        with pytest.raises(ManifestError, match=r"is not printscout 1\.2\.3"):
            verify_manifest(signed, KEY.public_key())
    assert wheel_version("printscout-0.2.0-1-py3-none-any.whl") == ("printscout", "0.2.0")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_only_ever_raise_release_errors(data: bytes) -> None:
    with pytest.raises(ReleaseError):
        verify_manifest(data, KEY.public_key())


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SIGNED) - 1), st.integers(1, 255))
def test_any_altered_byte_is_refused_or_changes_nothing(position: int, flip: int) -> None:
    altered = bytearray(SIGNED)
    altered[position] ^= flip
    try:
        manifest = verify_manifest(bytes(altered), KEY.public_key())
    except ReleaseError:
        return
    # JSON whitespace or an equivalent base64 padding bit may change without changing a byte
    # of what was signed: then the manifest is exactly the signed one
    assert manifest == MANIFEST
