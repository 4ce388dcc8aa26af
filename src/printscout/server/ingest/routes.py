"""``POST /api/v1/ingest``: collectors upload batches of readings here."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, HTTPException, Request, Response

from printscout.domain.wire import IngestResult
from printscout.server.auth import CurrentCollector
from printscout.server.errors import BodyError
from printscout.server.ingest.body import decode, read_body
from printscout.server.ingest.service import IngestService
from printscout.server.settings import IngestSettings

router = APIRouter(tags=["ingest"])


@router.post(
    "/api/v1/ingest",
    response_class=Response,
    responses={
        200: {"model": IngestResult, "description": "what happened to each batch"},
        400: {"description": "body not zstd or not JSON, or not a batch or list of batches"},
        401: {"description": "no valid collector credentials"},
        413: {"description": "body, decoded body or batch count over the limit"},
        415: {"description": "Content-Encoding other than zstd or identity"},
    },
)
async def ingest(request: Request, collector: CurrentCollector) -> Response:
    """Store one batch (a JSON object) or several (a JSON array), zstd-compressed or plain.

    Every batch of the request appears in exactly one list of the answer: ``stored``,
    ``duplicate`` (already stored earlier: nothing changed) or ``rejected`` (with the reason,
    and whether sending it again can help).
    """
    limits: IngestSettings = request.app.state.settings.ingest
    try:
        raw = await read_body(request, limits.max_body_bytes)
        encoding = request.headers.get("content-encoding")
        service: IngestService = request.app.state.ingest

        def work() -> IngestResult:
            return service.ingest(collector, decode(raw, encoding, limits.max_decoded_bytes))

        result = await anyio.to_thread.run_sync(work, limiter=_write_limiter(request))
    except BodyError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    # Serialised here once: a response_model would validate the answer all over again.
    return Response(result.model_dump_json(), media_type="application/json")


def _write_limiter(request: Request) -> anyio.CapacityLimiter:
    """The application's limit on concurrent write transactions (made in its event loop)."""
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "write_limiter", None)
    if limiter is None:
        limiter = state.write_limiter = anyio.CapacityLimiter(state.write_concurrency)
    return limiter
