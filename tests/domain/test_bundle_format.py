"""The offline bundle format: sealed by a collector, opened only by the server it names."""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.domain.bundle import (
    MAGIC,
    BundleDecryptError,
    BundleError,
    BundleForeignError,
    BundleFormatError,
    BundleSignatureError,
    BundleTruncated,
    SigningKey,
    read_header,
    seal_bundle,
)
from printscout.domain.bundle import open_bundle as open_sealed
from tests.storage.fleet_samples import fleet_batch, wire
from tests.support.certs import Issued, issue, make_ca

NOW = datetime.now(UTC).replace(microsecond=0)
COLLECTOR = str(uuid.uuid4())
SERVER = X25519PrivateKey.generate()


def _batches(collector: str = COLLECTOR, count: int = 3) -> list[dict[str, Any]]:
    at = NOW - timedelta(hours=1)
    return [wire(fleet_batch(collector, range(n, n + 2), at)) for n in range(0, 2 * count, 2)]


def _collector(key: SigningKey | None = None) -> Issued:
    return issue(make_ca(), COLLECTOR, key=key)


def _seal(me: Issued, batches: list[dict[str, Any]] | None = None, **kw: Any) -> bytes:
    return seal_bundle(
        batches or _batches(), collector=COLLECTOR, signing_key=me.key,
        recipient=kw.pop("recipient", SERVER.public_key()), created_at=kw.pop("at", NOW), **kw,
    )  # fmt: skip


def _open(data: bytes, cert: x509.Certificate | None) -> list[dict[str, Any]]:
    lookup = {COLLECTOR: cert} if cert is not None else {}
    return open_sealed(data, recipient_key=SERVER, certificate_for=lookup.get).batches


@pytest.mark.parametrize(
    "key",
    [None, Ed25519PrivateKey.generate(), rsa.generate_private_key(65537, 2048)],
    ids=["ecdsa-p256", "ed25519", "rsa-pss"],
)
def test_it_round_trips_for_every_kind_of_collector_key(key: SigningKey | None) -> None:
    me = _collector(key)
    batches = _batches()
    data = _seal(me, batches)
    header = read_header(data)
    assert (header.collector, header.batches, header.created_at) == (COLLECTOR, 3, NOW)
    assert _open(data, me.certificate) == batches
    # the readings are not in the clear
    assert batches[0]["readings"][0]["identity"]["serial"].encode() not in data


def test_it_refuses_any_altered_byte() -> None:
    me = _collector()
    data = _seal(me)
    head_end = len(MAGIC) + 4 + struct.unpack_from(">I", data, len(MAGIC))[0]
    for position in (head_end - 3, len(data) - 1, len(data) // 2 + 200):
        altered = bytearray(data)
        altered[position] ^= 0x01
        with pytest.raises((BundleSignatureError, BundleFormatError)):
            _open(bytes(altered), me.certificate)


def test_it_refuses_truncated_files_whatever_the_cut() -> None:
    me = _collector()
    data = _seal(me)
    for length in (0, 5, len(MAGIC) + 2, len(MAGIC) + 40, len(data) - 200, len(data) - 1):
        with pytest.raises((BundleTruncated, BundleFormatError)) as refused:
            _open(data[:length], me.certificate)
        if length > len(MAGIC) + 40:
            assert isinstance(refused.value, BundleTruncated)
            assert "truncated" in str(refused.value)


def test_it_refuses_what_is_not_a_bundle_or_has_trailing_bytes() -> None:
    me = _collector()
    with pytest.raises(BundleFormatError, match="not a PrintScout bundle"):
        _open(b"PK\x03\x04 a zip file", me.certificate)
    with pytest.raises(BundleFormatError, match="after its body"):
        _open(_seal(me) + b"x", me.certificate)


def test_it_refuses_a_bundle_for_another_server() -> None:
    me = _collector()
    data = _seal(me, recipient=X25519PrivateKey.generate().public_key())
    with pytest.raises(BundleForeignError, match="encrypted to server key"):
        _open(data, me.certificate)


def test_it_refuses_a_bundle_signed_with_another_key_or_from_an_unknown_collector() -> None:
    me, impostor = _collector(), _collector()
    data = _seal(impostor)
    with pytest.raises(BundleSignatureError, match="collector's certificate"):
        _open(data, me.certificate)
    with pytest.raises(BundleForeignError, match="no certificate"):
        _open(data, None)


def test_it_refuses_a_bundle_made_outside_the_certificate_validity() -> None:
    ca = make_ca()
    expired = issue(
        ca, COLLECTOR, not_before=NOW - timedelta(days=10), not_after=NOW - timedelta(days=5)
    )
    with pytest.raises(BundleSignatureError, match="not valid when"):
        _open(_seal(expired), expired.certificate)


def test_it_refuses_batches_of_another_collector_inside() -> None:
    me = _collector()
    data = _seal(me, _batches() + _batches(collector=str(uuid.uuid4()), count=1))
    with pytest.raises(BundleForeignError, match="holds batches of"):
        _open(data, me.certificate)


def test_it_refuses_a_body_encrypted_to_another_key_under_a_forged_header() -> None:
    # a sender who signs correctly but encrypted with a key the server does not hold: the
    # header's recipient id matches, the AES-GCM tag does not
    me = _collector()
    other = X25519PrivateKey.generate()
    with pytest.raises(BundleDecryptError, match="wrong key or altered body"):
        open_sealed(
            _seal(me, recipient=other.public_key()),
            recipient_key=_SameIdKey(other, SERVER),
            certificate_for={COLLECTOR: me.certificate}.get,
        )


class _SameIdKey(X25519PrivateKey):
    """A server key that reports ``shown``'s public key but agrees with ``actual``."""

    def __init__(self, shown: X25519PrivateKey, actual: X25519PrivateKey) -> None:
        self._shown, self._actual = shown, actual

    def public_key(self) -> Any:
        return self._shown.public_key()

    def exchange(self, peer_public_key: Any) -> bytes:
        return self._actual.exchange(peer_public_key)

    def private_bytes(self, *args: Any) -> bytes:
        raise NotImplementedError

    def private_bytes_raw(self) -> bytes:
        raise NotImplementedError

    def __copy__(self) -> X25519PrivateKey:
        return self

    def __deepcopy__(self, memo: Any) -> X25519PrivateKey:
        return self


_ME = _collector()
_SEALED = _seal(_ME)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_only_ever_raise_bundle_errors(data: bytes) -> None:
    with pytest.raises(BundleError):
        _open(data, _ME.certificate)
    with pytest.raises(BundleError):
        _open(MAGIC + data, _ME.certificate)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_SEALED) - 1), st.integers(1, 255), st.integers(0, len(_SEALED)))
def test_every_altered_or_cut_bundle_is_refused_with_a_bundle_error(
    position: int, flip: int, cut: int
) -> None:
    altered = bytearray(_SEALED)
    altered[position] ^= flip
    with pytest.raises(BundleError):
        _open(bytes(altered), _ME.certificate)
    if cut < len(_SEALED):
        with pytest.raises(BundleError):
            _open(_SEALED[:cut], _ME.certificate)
