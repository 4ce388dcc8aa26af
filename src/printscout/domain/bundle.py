"""Offline bundles: upload batches in one encrypted, signed file (pure format, no I/O).

A site with no route to the server exports its queued ``printscout.batch/1`` batches into a
bundle; someone carries it (or mails it) to the server, which imports it through the ingest
service, so batch ids keep it idempotent. Layout, integers big-endian::

    b"PSBUNDLE" | u32 header length | header (JSON) | u32 signature length | signature | body

The header, readable without keys, says the format, bundle id, collector, creation time, batch
count, the recipient key's id, the sender's ephemeral X25519 key, the nonce and the body length.
The body is AES-256-GCM over zstd(JSON array of batches), the header as associated data; its key
is HKDF-SHA256 of the X25519 agreement between the ephemeral key and the server's bundle key
(ECIES: only the server can read it, and a stolen bundle says nothing). The signature, by the
collector's enrolment key (ECDSA P-256/SHA-256, Ed25519 or RSA-PSS/SHA-256), covers everything
before it and the body, and is checked with the collector's certificate before decrypting.

BundleError                     a bundle cannot be made or imported (PrintScoutError, permanent)
 ├── BundleFormatError          not a bundle, an unknown format version, or malformed contents
 ├── BundleTruncated            shorter than its header says
 ├── BundleSignatureError       tampered, or not signed by the collector's certificate key
 ├── BundleDecryptError         encrypted to another key, or the body was altered
 ├── BundleForeignError         for another server, from an unknown collector, or holding
 │                              another collector's batches
 └── BundleReplayError          too old to de-duplicate safely, or dated in the future
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid4

import zstandard
from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from printscout.domain.errors import PrintScoutError

MAGIC: Final = b"PSBUNDLE"
FORMAT: Final = "printscout.bundle/1"
CIPHER: Final = "X25519-HKDF-SHA256-AES-256-GCM"
MAX_HEADER: Final = 16 * 1024
MAX_SIGNATURE: Final = 2048
MAX_PLAIN: Final = 256 << 20  # decompressed body: refuse zip bombs

SigningKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
CertificateLookup = Callable[[str], x509.Certificate | None]


class BundleError(PrintScoutError):
    """A bundle cannot be made or imported."""


class BundleFormatError(BundleError):
    """Not a bundle, an unknown format version, or malformed contents."""


class BundleTruncated(BundleError):
    """The file is shorter than its header says."""


class BundleSignatureError(BundleError):
    """Tampered, or not signed by the key of the collector's certificate."""


class BundleDecryptError(BundleError):
    """Encrypted to another key, or the encrypted body was altered."""


class BundleForeignError(BundleError):
    """For another server, from an unknown collector, or holding another collector's batches."""


class BundleReplayError(BundleError):
    """Too old for its batch ids to be remembered, or dated in the future."""


@dataclass(frozen=True, slots=True)
class BundleHeader:
    """What a bundle says about itself, in the clear."""

    bundle_id: UUID
    collector: str
    created_at: datetime
    batches: int
    recipient: str  # key id of the server's bundle key
    ephemeral: bytes  # the sender's one-time X25519 public key
    nonce: bytes
    body_bytes: int

    def to_json(self) -> bytes:
        """The header's bytes, as signed and authenticated."""
        body = {
            "format": FORMAT,
            "cipher": CIPHER,
            "bundle_id": str(self.bundle_id),
            "collector": self.collector,
            "created_at": self.created_at.isoformat(),
            "batches": self.batches,
            "recipient": self.recipient,
            "ephemeral": base64.b64encode(self.ephemeral).decode(),
            "nonce": base64.b64encode(self.nonce).decode(),
            "body_bytes": self.body_bytes,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class OpenedBundle:
    """A verified, decrypted bundle: its header and its batches as wire dicts."""

    header: BundleHeader
    batches: list[dict[str, Any]]


def recipient_id(public_key: X25519PublicKey) -> str:
    """A short fingerprint of a server bundle key (SHA-256 of the raw key, 16 hex digits)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _key(shared: bytes, ephemeral: bytes, recipient: X25519PublicKey) -> bytes:
    raw = recipient.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return HKDF(hashes.SHA256(), 32, ephemeral + raw, FORMAT.encode()).derive(shared)


def seal_bundle(
    batches: Sequence[Mapping[str, Any]],
    *,
    collector: str,
    signing_key: SigningKey,
    recipient: X25519PublicKey,
    created_at: datetime,
    bundle_id: UUID | None = None,
) -> bytes:
    """One bundle file's bytes holding ``batches`` (wire dicts), encrypted and signed."""
    if not batches:
        raise BundleFormatError("a bundle holds at least one batch")
    plain = zstandard.ZstdCompressor(level=9).compress(json.dumps(list(batches)).encode())
    ephemeral_key = X25519PrivateKey.generate()
    ephemeral = ephemeral_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    header = BundleHeader(
        bundle_id or uuid4(), collector, created_at, len(batches), recipient_id(recipient),
        ephemeral, os.urandom(12), len(plain) + 16,
    )  # fmt: skip
    head = header.to_json()
    key = _key(ephemeral_key.exchange(recipient), ephemeral, recipient)
    body = AESGCM(key).encrypt(header.nonce, plain, head)
    prefix = MAGIC + struct.pack(">I", len(head)) + head
    signature = _sign(signing_key, prefix + body)
    return prefix + struct.pack(">I", len(signature)) + signature + body


def _sign(key: SigningKey, data: bytes) -> bytes:
    if isinstance(key, Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data, _pss(), hashes.SHA256())


def _pss() -> padding.PSS:
    return padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)


def _verify(certificate: x509.Certificate, signature: bytes, data: bytes) -> None:
    key = certificate.public_key()
    try:
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, _pss(), hashes.SHA256())
        else:
            raise BundleSignatureError(f"unsupported certificate key {type(key).__name__}")
    except InvalidSignature as exc:
        raise BundleSignatureError(
            "bundle signature does not verify with the collector's certificate: "
            "the file was altered or signed by another key"
        ) from exc


@dataclass(frozen=True, slots=True)
class _Parts:
    header: BundleHeader
    signed: bytes  # everything the signature covers
    head: bytes
    signature: bytes
    body: bytes


def _split(data: bytes) -> _Parts:
    """The parts of a bundle file, with every length checked."""
    if not data.startswith(MAGIC):
        raise BundleFormatError("not a PrintScout bundle (no PSBUNDLE magic)")
    pos = len(MAGIC)
    head, pos = _chunk(data, pos, MAX_HEADER, "header")
    header = parse_header(head)
    signature, pos = _chunk(data, pos, MAX_SIGNATURE, "signature")
    body = data[pos:]
    if len(body) < header.body_bytes:
        raise BundleTruncated(
            f"bundle truncated: body of {len(body)} B, header says {header.body_bytes} B"
        )
    if len(body) > header.body_bytes:
        raise BundleFormatError("bundle has bytes after its body")
    signed = data[: len(MAGIC) + 4 + len(head)] + body
    return _Parts(header, signed, head, signature, body)


def _chunk(data: bytes, pos: int, limit: int, what: str) -> tuple[bytes, int]:
    if len(data) < pos + 4:
        raise BundleTruncated(f"bundle truncated before its {what}")
    (size,) = struct.unpack_from(">I", data, pos)
    if size > limit:
        raise BundleFormatError(f"bundle {what} of {size} B is over {limit} B")
    if len(data) < pos + 4 + size:
        raise BundleTruncated(f"bundle truncated inside its {what}")
    return data[pos + 4 : pos + 4 + size], pos + 4 + size


def parse_header(head: bytes) -> BundleHeader:
    """The header of a bundle, or BundleFormatError."""
    try:
        h = json.loads(head)
        if h.get("format") != FORMAT or h.get("cipher") != CIPHER:
            raise BundleFormatError(f"unsupported bundle format {h.get('format')!r}")
        created = datetime.fromisoformat(h["created_at"])
        if created.tzinfo is None:
            raise ValueError("created_at without a time zone")
        return BundleHeader(
            UUID(h["bundle_id"]), str(h["collector"]), created, int(h["batches"]),
            str(h["recipient"]), base64.b64decode(h["ephemeral"], validate=True),
            base64.b64decode(h["nonce"], validate=True), int(h["body_bytes"]),
        )  # fmt: skip
    except BundleFormatError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BundleFormatError(f"malformed bundle header: {exc}") from exc


def read_header(data: bytes) -> BundleHeader:
    """The header of a bundle file, unverified (to find whose certificate checks it)."""
    return _split(data).header


def open_bundle(
    data: bytes, *, recipient_key: X25519PrivateKey, certificate_for: CertificateLookup
) -> OpenedBundle:
    """Check, verify and decrypt a bundle; every failure raises a BundleError saying why."""
    parts = _split(data)
    header = parts.header
    certificate = certificate_for(header.collector)
    if certificate is None:
        raise BundleForeignError(f"no certificate for collector {header.collector}")
    _verify(certificate, parts.signature, parts.signed)  # first: an altered byte says so
    if not certificate.not_valid_before_utc <= header.created_at <= certificate.not_valid_after_utc:
        raise BundleSignatureError("the collector's certificate was not valid when it was made")
    ours = recipient_id(recipient_key.public_key())
    if header.recipient != ours:
        raise BundleForeignError(
            f"bundle is encrypted to server key {header.recipient}, this server's is {ours}"
        )
    return OpenedBundle(header, _decrypt(parts, recipient_key))


def _decrypt(parts: _Parts, recipient_key: X25519PrivateKey) -> list[dict[str, Any]]:
    header = parts.header
    try:
        shared = recipient_key.exchange(X25519PublicKey.from_public_bytes(header.ephemeral))
        key = _key(shared, header.ephemeral, recipient_key.public_key())
        plain = AESGCM(key).decrypt(header.nonce, parts.body, parts.head)
    except (InvalidTag, ValueError) as exc:
        raise BundleDecryptError("bundle does not decrypt: wrong key or altered body") from exc
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(plain))
        text = reader.read(MAX_PLAIN + 1)
        batches = json.loads(text) if len(text) <= MAX_PLAIN else None
    except (zstandard.ZstdError, ValueError) as exc:
        raise BundleFormatError(f"bundle body is not zstd JSON: {exc}") from exc
    if not isinstance(batches, list) or not all(isinstance(b, dict) for b in batches):
        raise BundleFormatError("bundle body is not an array of batches (or is too large)")
    if len(batches) != header.batches:
        raise BundleFormatError(
            f"bundle holds {len(batches)} batches, header says {header.batches}"
        )
    strangers = {str(b.get("collector")) for b in batches} - {header.collector}
    if strangers:
        raise BundleForeignError(
            f"bundle of collector {header.collector} holds batches of {sorted(strangers)}"
        )
    return batches
