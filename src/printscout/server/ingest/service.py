"""Ingest service: validate each batch on its own, store it, and say what happened to each."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from fastapi import status
from pydantic import TypeAdapter, ValidationError

from printscout.domain.wire import IngestResult, RejectedBatch, StoredBatch, WireBatch
from printscout.server.errors import BodyError
from printscout.server.ingest.body import parse
from printscout.storage.accounts import CollectorRecord
from printscout.storage.errors import StorageError
from printscout.storage.ingest import BatchOutcome, IngestRules, store_batch
from printscout.storage.session import Database

log = logging.getLogger("printscout.ingest")
_BATCH_LIST: Final = TypeAdapter(list[WireBatch])
MAX_ERRORS: Final = 20


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """What one request and one batch may hold."""

    max_batches: int = 100
    max_readings: int = 5000


@dataclass(frozen=True, slots=True)
class IngestService:
    """Stores uploads; safe to call from several threads and processes at once."""

    db: Database
    rules: IngestRules
    limits: IngestLimits
    # Called after each newly stored batch (e.g. alert evaluation); failures are only logged.
    after_store: tuple[Callable[[CollectorRecord, BatchOutcome], None], ...] = ()

    def ingest(self, collector: CollectorRecord, body: bytes) -> IngestResult:
        """Store each batch of a decoded request body; a bad batch rejects only itself."""
        batches: list[WireBatch | Any] = _valid_batches(body) or parse(body)
        if len(batches) > self.limits.max_batches:
            raise BodyError(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"{len(batches)} batches in one request; at most {self.limits.max_batches}",
            )
        result = IngestResult()
        for index, item in enumerate(batches):
            self._one(collector, index, item, result)
        return result

    def _one(self, collector: CollectorRecord, index: int, item: Any, result: IngestResult) -> None:
        started = time.perf_counter()
        try:
            wire = item if isinstance(item, WireBatch) else WireBatch.model_validate(item)
        except ValidationError as exc:
            errors = [_describe(e) for e in exc.errors()[:MAX_ERRORS]]
            reason = f"invalid batch: {exc.error_count()} error(s): {errors[0]}"
            self._reject(result, _batch_id(item), index, reason, errors=errors)
            return
        problem = self._check(collector, wire)
        if problem:
            self._reject(result, wire.batch_id, index, problem)
            return
        try:
            outcome = store_batch(self.db, collector, wire.to_domain(), self.rules)
        except StorageError as exc:
            self._reject(result, wire.batch_id, index, str(exc), retryable=exc.retryable)
            return
        if outcome.duplicate:
            result.duplicate.append(wire.batch_id)
        else:
            stored = StoredBatch(
                batch_id=wire.batch_id,
                readings=outcome.readings,
                duplicate_readings=outcome.duplicate_readings,
                expired_readings=outcome.expired_readings,
            )
            result.stored.append(stored)
            self._after(collector, outcome)
        log.info(
            "batch %s",
            "duplicate" if outcome.duplicate else "stored",
            extra={
                "batch_id": str(wire.batch_id),
                "collector": str(collector.public_id),
                "readings": len(wire.readings),
                "new_readings": outcome.readings,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )

    def _after(self, collector: CollectorRecord, outcome: BatchOutcome) -> None:
        for hook in self.after_store:
            try:
                hook(collector, outcome)
            except Exception:  # the batch is stored whatever a hook does; say what went wrong
                log.exception("after-store hook failed", extra={"batch_id": str(outcome.batch_id)})

    def _check(self, collector: CollectorRecord, wire: WireBatch) -> str | None:
        if wire.collector != str(collector.public_id):
            return (
                f"batch names collector {wire.collector!r} but the request is authenticated "
                f"as collector {collector.public_id}"
            )
        if len(wire.readings) > self.limits.max_readings:
            return f"{len(wire.readings)} readings in one batch; at most {self.limits.max_readings}"
        return None

    def _reject(
        self,
        result: IngestResult,
        batch_id: UUID | None,
        index: int,
        reason: str,
        *,
        retryable: bool = False,
        errors: list[str] | None = None,
    ) -> None:
        level = logging.ERROR if retryable else logging.WARNING
        log.log(level, "batch rejected: %s", reason, extra={"batch_id": str(batch_id)})
        rejected = RejectedBatch(
            batch_id=batch_id, index=index, reason=reason, retryable=retryable, errors=errors or []
        )
        result.rejected.append(rejected)


def _valid_batches(body: bytes) -> list[WireBatch | Any] | None:
    """Every batch of a body that is entirely valid, parsed straight from the bytes (fast);
    None when anything is wrong, so the slow path can find which batch and why."""
    start = body.lstrip()[:1]
    try:
        if start == b"{":
            return [WireBatch.model_validate_json(body)]
        if start == b"[":
            return list(_BATCH_LIST.validate_json(body))
    except ValidationError:
        return None
    return None


def _describe(error: Any) -> str:
    """``readings[3].supplies[0].state: Input should be 'ok', … (got 'full')``."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    got = repr(error.get("input"))
    got = got if len(got) <= 60 else got[:57] + "..."
    return f"{path or 'batch'}: {error['msg']} (got {got})"


def _batch_id(item: Any) -> UUID | None:
    """The batch id of an invalid batch, when it has a readable one."""
    try:
        return UUID(str(item["batch_id"]))
    except (KeyError, TypeError, ValueError):
        return None
