"""Reading an upload body: bounded in size, zstd or plain, JSON holding one batch or a list."""

from __future__ import annotations

import io
import json
from typing import Any

import zstandard
from fastapi import Request, status

from printscout.server.errors import BodyError

ENCODINGS = ("zstd", "identity")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyError(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyError(status.HTTP_413_CONTENT_TOO_LARGE, f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def decode(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo the Content-Encoding; a decompressed size over ``limit`` is refused (zip bombs)."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return raw
    if encoding != "zstd":
        raise BodyError(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"Content-Encoding {encoding!r} not supported; use one of {', '.join(ENCODINGS)}",
        )
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(raw), read_across_frames=True
        )
        data = reader.read(limit + 1)
    except zstandard.ZstdError as exc:
        raise BodyError(status.HTTP_400_BAD_REQUEST, f"body is not valid zstd: {exc}") from exc
    if len(data) > limit:
        raise BodyError(status.HTTP_413_CONTENT_TOO_LARGE, f"decoded body over {limit} bytes")
    return data


def parse(data: bytes) -> list[Any]:
    """The batches of the body: a JSON object is one batch, a JSON array a list of them."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        # ValueError covers bad JSON, bad UTF-8 and numbers of more digits than Python converts;
        # RecursionError arrays or objects nested deeper than the parser's stack
        raise BodyError(status.HTTP_400_BAD_REQUEST, f"body is not JSON: {exc}") from exc
    if isinstance(document, dict):
        return [document]
    if isinstance(document, list):
        return document
    raise BodyError(status.HTTP_400_BAD_REQUEST, "body must be a batch object or an array of them")
