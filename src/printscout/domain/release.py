"""Signed collector releases: the manifest format and its Ed25519 signature (pure, no I/O).

The server publishes a wheel with a manifest signed by the release key, which stays offline or
on the server; every collector pins the public key. The signed document is::

    {"schema": "printscout.release/1", "key_id": "<16 hex>",
     "manifest": "<base64 of the manifest's JSON bytes>", "signature": "<base64 Ed25519>"}

The signature covers the manifest's exact bytes, so nothing is re-serialised before checking.

ReleaseError                    a release cannot be published or installed (PrintScoutError)
 ├── ManifestError              the document or manifest is malformed (permanent)
 ├── SignatureError             the signature does not verify with the pinned key (permanent)
 ├── VersionError               not newer than the running version, or needs a newer one first
 ├── WheelError                 the wheel's size or SHA-256 differs from the manifest (permanent)
 ├── FetchError                 the manifest or wheel could not be fetched (retryable)
 └── InstallError               pip could not install the wheel (permanent)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from printscout.domain.errors import PrintScoutError

RELEASE_SCHEMA: Final = "printscout.release/1"
PACKAGE: Final = "printscout"
# {distribution}-{version}(-{build})?-{python}-{abi}-{platform}.whl (PEP 427)
_WHEEL: Final = re.compile(
    r"^([A-Za-z0-9_.]+)-([A-Za-z0-9_.!+]+)(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$"
)


class ReleaseError(PrintScoutError):
    """A release cannot be published, verified or installed."""

    kind = "release"

    def report(self) -> dict[str, Any]:
        """What the collector tells the server about a refused update."""
        return {"error": self.kind, "reason": str(self), "retryable": self.retryable}


class ManifestError(ReleaseError):
    """The signed document or its manifest is malformed."""

    kind = "malformed"


class SignatureError(ReleaseError):
    """The signature does not verify with the pinned release key."""

    kind = "bad_signature"


class VersionError(ReleaseError):
    """The release is not newer than the running version, or needs a newer one first."""

    kind = "version"


class WheelError(ReleaseError):
    """The downloaded wheel is not the one the manifest describes."""

    kind = "wheel_mismatch"


class FetchError(ReleaseError):
    """The manifest or the wheel could not be fetched; a later check may succeed."""

    kind = "fetch"
    retryable = True


class InstallError(ReleaseError):
    """pip could not install the wheel into the collector's environment."""

    kind = "install"


@dataclass(frozen=True, slots=True)
class ReleaseManifest:
    """One published collector release."""

    version: str
    wheel: str
    sha256: str
    size: int
    created: datetime
    min_version: str | None = None  # collectors older than this must update to it first
    package: str = PACKAGE

    def to_json(self) -> bytes:
        """The manifest's bytes, as signed."""
        body = {
            "package": self.package,
            "version": self.version,
            "wheel": self.wheel,
            "sha256": self.sha256,
            "size": self.size,
            "created": self.created.isoformat(),
            "min_version": self.min_version,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def wheel_version(filename: str) -> tuple[str, str]:
    """The distribution name and version of a wheel file name, or ManifestError."""
    match = _WHEEL.match(filename)
    if match is None:
        raise ManifestError(f"{filename!r} is not a wheel file name")
    return match.group(1), match.group(2)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint of a release key (SHA-256 of the raw key, 16 hex digits)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_manifest(manifest: ReleaseManifest, private_key: Ed25519PrivateKey) -> bytes:
    """The signed document of a manifest."""
    body = manifest.to_json()
    document = {
        "schema": RELEASE_SCHEMA,
        "key_id": key_id(private_key.public_key()),
        "manifest": base64.b64encode(body).decode(),
        "signature": base64.b64encode(private_key.sign(body)).decode(),
    }
    return json.dumps(document, indent=1).encode()


def verify_manifest(document: bytes, public_key: Ed25519PublicKey) -> ReleaseManifest:
    """The manifest of a signed document, if the pinned key signed it; else raise."""
    try:
        outer = json.loads(document)
        if not isinstance(outer, dict) or outer.get("schema") != RELEASE_SCHEMA:
            raise ManifestError(f"not a {RELEASE_SCHEMA} document")
        body = base64.b64decode(outer["manifest"], validate=True)
        signature = base64.b64decode(outer["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ManifestError(f"malformed release document: {exc}") from exc
    try:
        public_key.verify(signature, body)
    except InvalidSignature as exc:
        theirs = outer.get("key_id")
        raise SignatureError(
            f"release signature does not verify with the pinned key {key_id(public_key)} "
            f"(document names key {theirs})"
        ) from exc
    return _manifest(body)


def _manifest(body: bytes) -> ReleaseManifest:
    try:
        data = json.loads(body)
        manifest = ReleaseManifest(
            version=str(data["version"]),
            wheel=str(data["wheel"]),
            sha256=str(data["sha256"]).lower(),
            size=int(data["size"]),
            created=datetime.fromisoformat(data["created"]),
            min_version=None if data.get("min_version") is None else str(data["min_version"]),
            package=str(data["package"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"malformed release manifest: {exc}") from exc
    name, version = wheel_version(manifest.wheel)
    if name.replace("_", "-").lower() != manifest.package or version != manifest.version:
        raise ManifestError(f"wheel {manifest.wheel} is not {manifest.package} {manifest.version}")
    if not re.fullmatch(r"[0-9a-f]{64}", manifest.sha256) or manifest.size <= 0:
        raise ManifestError("manifest without a valid SHA-256 and size")
    return manifest


def generate_release_key() -> tuple[bytes, bytes]:
    """A new release key pair: the private key (PKCS#8 PEM) and the public key (PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """The release signing key from PEM, or ManifestError if it is not an Ed25519 key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ManifestError(f"not a PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ManifestError("the release signing key must be an Ed25519 key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """The pinned release key from PEM, or ManifestError if it is not an Ed25519 key."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise ManifestError(f"not a PEM public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ManifestError("the release key must be an Ed25519 key")
    return key
