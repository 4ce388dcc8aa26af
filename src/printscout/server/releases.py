"""Collector releases: publish a signed wheel, serve its manifest and the wheel to collectors.

Releases are files, not rows: ``<data_dir>/releases/`` holds the wheels and ``current.json``,
the signed manifest of the release collectors should run (written last, atomically, so a
collector never sees a manifest whose wheel is missing). Several servers share it on a shared
volume or each get the same files by ``printscout server publish-release``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import FileResponse
from packaging.version import InvalidVersion, Version

from printscout.domain.release import (
    PACKAGE,
    ManifestError,
    ReleaseManifest,
    sign_manifest,
    wheel_version,
)
from printscout.server.auth import CurrentCollector

RELEASES: Final = "releases"
CURRENT: Final = "current.json"
MANIFEST_PATH: Final = "/api/v1/collector/release"
WHEEL_PATH: Final = "/api/v1/collector/release/wheel/{filename}"

router = APIRouter(tags=["releases"])


def release_dir(data_dir: Path) -> Path:
    """Where the server keeps published releases."""
    return data_dir / RELEASES


def publish_release(
    wheel: Path,
    signing_key: Ed25519PrivateKey,
    store: Path,
    *,
    min_version: str | None = None,
    now: datetime | None = None,
) -> ReleaseManifest:
    """Copy a collector wheel into ``store`` and make it the current release, signed."""
    name, version = wheel_version(wheel.name)
    if name.replace("_", "-").lower() != PACKAGE:
        raise ManifestError(f"{wheel.name} is not a {PACKAGE} wheel")
    try:
        Version(version)
        if min_version is not None and Version(min_version) > Version(version):
            raise ManifestError(f"min_version {min_version} is above the release {version}")
    except InvalidVersion as exc:
        raise ManifestError(f"not a version: {exc}") from exc
    data = wheel.read_bytes()
    manifest = ReleaseManifest(
        version=version,
        wheel=wheel.name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created=(now or datetime.now(UTC)).replace(microsecond=0),
        min_version=min_version,
    )
    store.mkdir(parents=True, exist_ok=True)
    _write_atomically(store / wheel.name, data)
    _write_atomically(store / CURRENT, sign_manifest(manifest, signing_key))
    return manifest


def release_offer(data_dir: Path) -> dict[str, Any] | None:
    """What a check-in tells collectors about the current release (None: none published).

    The version is read unverified, as a hint: collectors verify the signed manifest itself
    before acting on it. The digest changes with every publication, tampered or not, so a
    collector that refused one manifest tries again only when another is published.
    """
    try:
        document = (release_dir(data_dir) / CURRENT).read_bytes()
    except FileNotFoundError:
        return None
    version: str | None = None
    with suppress(ValueError, TypeError, KeyError, binascii.Error):
        version = str(json.loads(base64.b64decode(json.loads(document)["manifest"]))["version"])
    return {"version": version, "manifest_sha256": hashlib.sha256(document).hexdigest()}


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)


def _store(request: Request) -> Path:
    return release_dir(request.app.state.settings.data_dir)


@router.get(
    MANIFEST_PATH,
    response_class=Response,
    responses={
        200: {"description": "the signed manifest (printscout.release/1)"},
        404: {"description": "no release published"},
    },
)
def current_release(request: Request, collector: CurrentCollector) -> Response:
    """The signed manifest of the current collector release."""
    path = _store(request) / CURRENT
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no collector release published")
    return Response(path.read_bytes(), media_type="application/json")


@router.get(WHEEL_PATH, response_class=FileResponse)
def release_wheel(filename: str, request: Request, collector: CurrentCollector) -> FileResponse:
    """A published wheel (only names the store holds: no path ever leaves it)."""
    store = _store(request)
    if filename.startswith(".") or "/" in filename or not filename.endswith(".whl"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such release")
    path = store / filename
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such release")
    return FileResponse(path, media_type="application/octet-stream")
