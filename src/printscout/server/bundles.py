"""Importing offline bundles: verify, decrypt, then store each batch through the ingest service.

The server's bundle key (X25519) lives in ``<data_dir>/bundle-key.pem`` (made on first use,
mode 0600); collectors encrypt to its public half (``printscout server bundle-key``). Batches
keep their ids, so importing a bundle twice, or after its batches arrived online, stores
nothing twice. A bundle older than the batch-id memory (``retention.batch_days``) is refused:
its batches could no longer be recognised as duplicates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Protocol
from uuid import UUID

import anyio
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import APIRouter, HTTPException, Request, Response, status

from printscout.domain.bundle import (
    BundleError,
    BundleForeignError,
    BundleReplayError,
    CertificateLookup,
    open_bundle,
    read_header,
)
from printscout.domain.wire import IngestResult
from printscout.server.auth import CurrentCollector
from printscout.server.errors import BodyError, ConfigError
from printscout.server.files import create_once
from printscout.server.ingest.body import read_body
from printscout.server.ingest.service import IngestLimits, IngestService
from printscout.server.scope import WritableScope
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord, collector_by_public_id
from printscout.storage.session import Database

KEY_FILE: Final = "bundle-key.pem"
UPLOAD_PATH: Final = "/api/v1/bundles"
KEY_PATH: Final = "/api/v1/collector/bundle-key"

router = APIRouter(tags=["bundles"])


class CertificateStore(Protocol):
    """Finds a collector's current certificate (the enrolment CA registers one on app.state)."""

    def __call__(self, collector: str) -> x509.Certificate | None:
        """The certificate of the collector with this public id, or None."""
        ...


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing one bundle did."""

    bundle_id: UUID
    collector: str
    created_at: datetime
    result: IngestResult

    def summary(self) -> dict[str, Any]:
        """Counts for the command line and the upload's answer."""
        r = self.result
        return {
            "bundle_id": str(self.bundle_id),
            "collector": self.collector,
            "created_at": self.created_at.isoformat(),
            "stored": len(r.stored),
            "duplicate": len(r.duplicate),
            "rejected": [x.model_dump(mode="json") for x in r.rejected],
            "already_imported": not r.stored and not r.rejected and bool(r.duplicate),
        }


def bundle_private_key(data_dir: Path) -> X25519PrivateKey:
    """The server's bundle key, made on first use (mode 0600)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        _create_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, X25519PrivateKey):
        raise ConfigError(f"{path} is not an X25519 private key")
    return key


def _create_key(path: Path) -> None:
    """Write a new key where none is; two servers starting at once keep the first one made."""
    pem = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    create_once(path, pem)


def bundle_public_pem(settings: ServerSettings) -> bytes:
    """The public half of the server's bundle key, PEM (what collectors are given)."""
    return (
        bundle_private_key(settings.data_dir)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def import_bundle(
    data: bytes,
    *,
    db: Database,
    ingest: IngestService,
    private_key: X25519PrivateKey,
    certificate_for: CertificateLookup,
    batch_days: int,
    clock_skew: timedelta,
    now: datetime | None = None,
) -> ImportReport:
    """Verify and decrypt a bundle, then store its batches as if uploaded by its collector."""
    opened = open_bundle(data, recipient_key=private_key, certificate_for=certificate_for)
    header = opened.header
    moment = now or datetime.now(UTC)
    if header.created_at < moment - timedelta(days=batch_days):
        raise BundleReplayError(
            f"bundle made {header.created_at:%Y-%m-%d}, over {batch_days} days ago: its batch "
            "ids are no longer remembered, so it cannot be imported without storing twice"
        )
    if header.created_at > moment + clock_skew:
        raise BundleReplayError(f"bundle dated {header.created_at.isoformat()}, in the future")
    collector = _collector(db, header.collector)
    result = ingest.ingest(collector, json.dumps(opened.batches).encode())
    return ImportReport(header.bundle_id, header.collector, header.created_at, result)


def _collector(db: Database, public_id: str) -> CollectorRecord:
    try:
        key = UUID(public_id)
    except ValueError as exc:
        raise BundleForeignError(f"bundle names no collector id: {public_id!r}") from exc
    with db.lookup() as connection:
        found = collector_by_public_id(connection, key)
    if found is None:
        raise BundleForeignError(f"collector {public_id} is unknown or revoked here")
    return found


def bundle_ingest(db: Database, settings: ServerSettings) -> IngestService:
    """The ingest service for bundles: any number of batches, each within the usual limits."""
    limits = IngestLimits(max_batches=1 << 20, max_readings=settings.ingest.max_readings)
    return IngestService(db, settings.ingest_rules(), limits)


def import_bundle_file(
    settings: ServerSettings, path: Path, certificate_for: CertificateLookup | None = None
) -> ImportReport:
    """``printscout server import-bundle``: import one file into the configured database,
    checked against the certificate the server issued the collector unless one is given."""
    from printscout.server.collectors.service import certificate_store
    from printscout.storage import schema

    db = Database(settings.database_config())
    try:
        schema.require_current(db)
        return import_bundle(
            path.read_bytes(), db=db, ingest=bundle_ingest(db, settings),
            private_key=bundle_private_key(settings.data_dir),
            certificate_for=certificate_for or certificate_store(db),
            batch_days=settings.retention.batch_days,
            clock_skew=timedelta(seconds=settings.ingest.clock_skew_s),
        )  # fmt: skip
    finally:
        db.dispose()


@router.post(
    UPLOAD_PATH,
    responses={
        200: {"description": "what was stored, what was already there, what was rejected"},
        400: {"description": "not a bundle, tampered, truncated, foreign or too old"},
        403: {"description": "the role may only read, or the collector is outside the scope"},
        503: {"description": "no collector certificate store configured"},
    },
)
async def upload_bundle(request: Request, scope: WritableScope) -> dict[str, Any]:
    """Import a bundle an admin or operator uploads (the raw file as the request body)."""
    state = request.app.state
    lookup: CertificateStore | None = getattr(state, "collector_certificates", None)
    if lookup is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no certificate store")
    settings: ServerSettings = state.settings
    try:
        data = await read_body(request, settings.ingest.max_body_bytes)
        collector = _collector(state.db, read_header(data).collector)
        if collector.dealer_id != scope.dealer_id or not scope.sees_customer(collector.customer_id):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "collector outside your scope")

        def work() -> ImportReport:
            return import_bundle(
                data, db=state.db, ingest=bundle_ingest(state.db, settings),
                private_key=bundle_private_key(settings.data_dir), certificate_for=lookup,
                batch_days=settings.retention.batch_days,
                clock_skew=timedelta(seconds=settings.ingest.clock_skew_s),
            )  # fmt: skip

        report = await anyio.to_thread.run_sync(work)
    except BodyError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except BundleError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    return report.summary()


@router.get(KEY_PATH, response_class=Response)
def bundle_key(request: Request, collector: CurrentCollector) -> Response:
    """The public key collectors encrypt bundles to (fetched while online, kept for later)."""
    pem = bundle_public_pem(request.app.state.settings)
    return Response(pem, media_type="application/x-pem-file")
