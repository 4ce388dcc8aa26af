"""What the agent does while online besides collecting: keep the server's bundle key for offline
exports, and install signed releases the server offers (when the settings opt in)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from printscout import __version__
from printscout.collector.bundle import load_server_key
from printscout.collector.errors import UploadError
from printscout.collector.settings import CollectorSettings
from printscout.collector.updates import UpdateOutcome, UpdatePolicy, check_for_update
from printscout.collector.uploader import Uploader
from printscout.domain.bundle import BundleError
from printscout.domain.control import CollectorEvent
from printscout.domain.release import ManifestError, ReleaseError, load_public_key

log = logging.getLogger("printscout.collector")


async def cache_bundle_key(uploader: Uploader, settings: CollectorSettings) -> bool:
    """Fetch the server's bundle key and keep it in the data directory; whether it worked."""
    try:
        pem = await uploader.bundle_key()
        load_server_key(pem)
    except (UploadError, BundleError) as exc:
        log.warning("bundle key not fetched", extra={"error": str(exc)})
        return False
    path = settings.bundle_key_path
    if not path.exists() or path.read_bytes() != pem:
        partial = path.with_name(path.name + ".tmp")
        partial.write_bytes(pem)
        os.replace(partial, path)
    return True


class Updater:
    """Runs the update check when the server offers a release not yet tried."""

    def __init__(self, settings: CollectorSettings) -> None:
        self.settings = settings
        self._tried: dict[str, Any] | None = None

    def policy(self) -> UpdatePolicy:
        """The policy from the settings; ManifestError when the pinned key is missing or bad."""
        updates = self.settings.updates
        if updates.public_key is None:
            raise ManifestError("updates.enabled needs updates.public_key (the pinned key)")
        try:
            pem = updates.public_key.read_bytes()
        except OSError as exc:
            raise ManifestError(f"pinned release key: {exc}") from exc
        return UpdatePolicy(
            enabled=True, public_key=load_public_key(pem),
            venv=updates.venv or Path(sys.prefix), current_version=__version__,
            download_dir=self.settings.data_dir / "updates", pip_python=updates.pip_python,
        )  # fmt: skip

    async def check(self, uploader: Uploader, offer: dict[str, Any] | None) -> bool:
        """Check the offered release once; True when one was installed and a restart is due.

        A refusal is logged and reported to the server, and not tried again until another
        release is published (a retryable one, such as a failed download, is tried again).
        """
        if not self.settings.updates.enabled or offer is None or offer == self._tried:
            return False
        try:
            outcome: UpdateOutcome = await check_for_update(uploader.client, self.policy())
        except ReleaseError as exc:
            if not exc.retryable:
                self._tried = offer
            log.error("update refused", extra={"error": str(exc)})
            await _report(uploader, CollectorEvent(kind="update_refused", detail=exc.report()))
            return False
        self._tried = offer
        if outcome.restart:
            log.info("release %s installed: restarting", outcome.version)
        return outcome.restart


async def _report(uploader: Uploader, event: CollectorEvent) -> None:
    try:
        await uploader.report_event(event)
    except UploadError as exc:
        log.warning("event not sent", extra={"error": str(exc), "kind": event.kind})
