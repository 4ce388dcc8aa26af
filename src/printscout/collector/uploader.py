"""The collector's only channel to the server: HTTPS with mutual TLS (TLS 1.2 or newer, the
server's CA pinned as the sole trust anchor), zstd-compressed batch uploads, check-ins that bring
back configuration and commands, and exponential backoff with jitter between failed attempts."""

from __future__ import annotations

import json
import random
import ssl
from dataclasses import dataclass, field
from typing import Final
from uuid import UUID

import httpx
import zstandard

from printscout.collector.enrolment import finish_renewal
from printscout.collector.errors import NotEnrolled, UploadError
from printscout.collector.outbox import OutboxBatch
from printscout.collector.settings import CollectorSettings
from printscout.domain.control import (
    CheckinReport,
    CollectorConfig,
    CollectorEvent,
    CommandResult,
    RenewRequest,
    RenewResponse,
)
from printscout.domain.wire import IngestResult

_RETRYABLE_STATUS: Final = frozenset({408, 425, 429, 500, 502, 503, 504})


def client_context(settings: CollectorSettings) -> ssl.SSLContext:
    """Client certificate and key, the pinned CA only (no system roots), TLS 1.2 or newer."""
    finish_renewal(settings)
    for path in (settings.key_path, settings.cert_path, settings.ca_path):
        if not path.is_file():
            raise NotEnrolled(f"{path} is missing: run `printscout collector enroll URL TOKEN`")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=settings.ca_path)
    context.load_cert_chain(settings.cert_path, settings.key_path)
    return context


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with full jitter: a random delay up to base·2ⁿ, capped."""

    base: float
    cap: float
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        """The delay before the next attempt, after one more failure."""
        self.failures += 1
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 30))
        return self.rng.uniform(self.base / 2, ceiling)

    def reset(self) -> None:
        """A success: the next failure starts from the base again."""
        self.failures = 0


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """Which batches the server has now, and which it refused for good."""

    delivered: list[UUID]
    refused: list[UUID]
    retry: list[UUID]
    already: int = 0  # of ``delivered``: stored before (an acknowledgement lost on the way)


class Uploader:
    """Calls to the server; one per collector process."""

    def __init__(self, settings: CollectorSettings) -> None:
        if not settings.server_url or not settings.collector_id:
            raise NotEnrolled("no server_url / collector_id: run `printscout collector enroll`")
        self.collector_id = settings.collector_id
        self._settings = settings
        self._client = self._connect()
        self._zstd = zstandard.ZstdCompressor(level=3)

    def _connect(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self._settings.server_url or "",
            verify=client_context(self._settings),
            timeout=self._settings.request_timeout_s,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def renew(self, csr_pem: bytes) -> bytes:
        """Ask for a new certificate (authenticated by the current one); its PEM."""
        body = RenewRequest(csr=csr_pem.decode()).model_dump_json().encode()
        answer = await self._post(
            "/api/v1/collector/certificate", body, {"Content-Type": "application/json"}
        )
        return RenewResponse.model_validate_json(answer.content).certificate.encode()

    async def reload(self) -> None:
        """Use the identity on disk from now on (after a renewal)."""
        old, self._client = self._client, self._connect()
        await old.aclose()

    async def upload(self, batches: list[OutboxBatch]) -> UploadOutcome:
        """Send batches in one request; every batch ends in exactly one list of the outcome."""
        body = b"[" + b",".join(b.to_json(self.collector_id) for b in batches) + b"]"
        answer = await self._post(
            "/api/v1/ingest",
            self._zstd.compress(body),
            {"Content-Encoding": "zstd", "Content-Type": "application/json"},
        )
        result = IngestResult.model_validate_json(answer.content)
        delivered = [s.batch_id for s in result.stored] + list(result.duplicate)
        refused = [r.batch_id for r in result.rejected if r.batch_id and not r.retryable]
        retry = [r.batch_id for r in result.rejected if r.batch_id and r.retryable]
        return UploadOutcome(delivered, refused, retry, len(result.duplicate))

    async def checkin(self, report: CheckinReport) -> CollectorConfig:
        """Report in; the configuration and the commands waiting."""
        answer = await self._post(
            "/api/v1/collector/checkin",
            report.model_dump_json().encode(),
            {"Content-Type": "application/json"},
        )
        return CollectorConfig.model_validate_json(answer.content)

    @property
    def client(self) -> httpx.AsyncClient:
        """The mutual-TLS client (the update check fetches releases with it)."""
        return self._client

    async def bundle_key(self) -> bytes:
        """The server's public bundle key (PEM)."""
        try:
            answer = await self._client.get("/api/v1/collector/bundle-key")
        except httpx.HTTPError as exc:
            raise UploadError(f"bundle key: {type(exc).__name__}: {exc}") from exc
        if answer.status_code != httpx.codes.OK:
            raise UploadError(f"bundle key: HTTP {answer.status_code}")
        return answer.content

    async def report_event(self, event: CollectorEvent) -> None:
        """Tell the server something it should know (a refused update, say)."""
        await self._post(
            "/api/v1/collector/events",
            event.model_dump_json().encode(),
            {"Content-Type": "application/json"},
        )

    async def command_done(self, command_id: int, result: CommandResult) -> None:
        """Tell the server a command finished."""
        await self._post(
            f"/api/v1/collector/commands/{command_id}/done",
            json.dumps(result.model_dump()).encode(),
            {"Content-Type": "application/json"},
        )

    async def _post(self, path: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        try:
            answer = await self._client.post(path, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise UploadError(f"{path}: {type(exc).__name__}: {exc}") from exc
        if answer.status_code >= 300:
            retryable = answer.status_code in _RETRYABLE_STATUS
            raise UploadError(
                f"{path}: HTTP {answer.status_code}: {answer.text[:200]}", retryable=retryable
            )
        return answer
