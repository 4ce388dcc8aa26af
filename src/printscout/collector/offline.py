"""``printscout collector export-bundle``: queued batches leave as one signed, encrypted file
(and optionally by mail) when the site cannot reach the server; they then count as delivered."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from printscout.collector.bundle import MailSettings, export_bundle, load_server_key, send_bundle
from printscout.collector.errors import NoBundleKey, NotEnrolled
from printscout.collector.outbox import Outbox
from printscout.collector.settings import CollectorSettings
from printscout.domain.bundle import SigningKey


@dataclass(frozen=True, slots=True)
class Exported:
    """What one export wrote."""

    path: Path | None  # None: nothing was queued
    batches: int
    readings: int


def _signing_key(settings: CollectorSettings) -> SigningKey:
    """The collector's client key: the server checks the bundle against its certificate."""
    try:
        key = serialization.load_pem_private_key(settings.key_path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise NotEnrolled(f"no collector key ({exc}): run `printscout collector enroll`") from exc
    return key  # type: ignore[return-value]  # the enrolment makes an EC key


def _server_key_pem(settings: CollectorSettings) -> bytes:
    path = settings.bundle_key_path
    if not path.is_file():
        raise NoBundleKey(
            f"no server bundle key in {path}: the service fetches it at check-in, so run "
            "`printscout collector run` once while the server is reachable (or copy the output "
            "of `printscout server bundle-key` there)"
        )
    return path.read_bytes()


def export_outbox(settings: CollectorSettings, folder: Path, limit: int) -> Exported:
    """Seal what is queued, write up to ``limit`` batches into a bundle, hand them off."""
    if not settings.collector_id:
        raise NotEnrolled("no collector_id: run `printscout collector enroll`")
    server_key = load_server_key(_server_key_pem(settings))
    signing_key = _signing_key(settings)
    outbox = Outbox(settings.outbox_path, int(settings.outbox_max_mb * 1024 * 1024))
    try:
        outbox.seal(settings.batch_readings)
        batches = outbox.pending_batches(limit)
        if not batches:
            return Exported(None, 0, 0)
        wire = [json.loads(b.to_json(settings.collector_id)) for b in batches]
        path = export_bundle(
            wire, folder, collector=settings.collector_id, signing_key=signing_key,
            server_key=server_key,
        )  # fmt: skip
        # Only after the file is complete on disk: a crash before leaves them queued.
        outbox.hand_off([b.batch_id for b in batches])
    finally:
        outbox.close()
    return Exported(path, len(batches), sum(len(b.readings) for b in batches))


def mail_bundle(path: Path, mail: MailSettings) -> None:
    """Mail the bundle (STARTTLS required, checked against the system's trust store)."""
    send_bundle(path, mail, ssl.create_default_context())
