"""What every integration API router shares: the route class, paging, ids, times, errors.

A feature adds its endpoints with ``feature_router("tag")``: its routes then answer storage
errors with 4xx/503 instead of 500, and carry the bearer security scheme in the OpenAPI
document. See docs/api.md, "Adding a router".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, Security, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

from printscout.storage.errors import (
    DatabaseUnavailable,
    NotFound,
    StorageError,
    WriteConflict,
)

DEFAULT_PAGE: Final = 100
MAX_PAGE: Final = 500
# Ids are 32-bit in both databases; larger ones cannot exist and would overflow the driver.
MAX_ID: Final = 2**31 - 1

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    description="An API token: `Authorization: Bearer pst_…` (printscout server create-token)",
)


class ApiRoute(APIRoute):
    """A route whose storage errors become HTTP answers: not found 404, conflict 409,
    database down 503 (retry), anything else 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The default handler, wrapped to translate storage errors."""
        handler = super().get_route_handler()

        async def translated(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound as exc:
                raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
            except WriteConflict as exc:
                # The driver's text names tables and constraints: not for integrations to read.
                raise HTTPException(status.HTTP_409_CONFLICT, "conflicting change; retry") from exc
            except DatabaseUnavailable as exc:
                raise HTTPException(
                    status.HTTP_503_SERVICE_UNAVAILABLE,
                    "database unavailable; retry later",
                    headers={"Retry-After": "5"},
                ) from exc
            except StorageError as exc:
                raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "storage error") from exc

        return translated


async def validation_failed(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 answer, rendered as ASCII JSON: the default handler echoes the input, and
    a lone surrogate in it (valid JSON escape, not encodable as UTF-8) turned the 422 into a 500."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    body = json.dumps({"detail": jsonable_encoder(errors)}, ensure_ascii=True)
    return Response(body, status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json")


def feature_router(tag: str) -> APIRouter:
    """A router for one feature's API endpoints (mounted under /api/v1 by ``api.install``)."""
    return APIRouter(
        tags=[tag],
        route_class=ApiRoute,
        dependencies=[Security(bearer)],
        responses={401: {"description": "no valid credentials"}},
    )


class ApiModel(BaseModel):
    """Base of API bodies: unknown fields are refused, so a misspelt field is not ignored."""

    model_config = ConfigDict(extra="forbid")


def _utc(value: datetime) -> datetime:
    """The time in UTC; refused when that falls outside the representable years."""
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("time out of range") from exc


def printable(value: str) -> str:
    """Text without control characters (PostgreSQL refuses NUL; logs and labels break) and
    without lone surrogates (JSON can carry them, UTF-8 and the databases cannot)."""
    if any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("control characters and lone surrogates are not allowed")
    return value


UtcTime = Annotated[AwareDatetime, AfterValidator(_utc)]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(printable),
]
Text = Annotated[str, StringConstraints(max_length=200), AfterValidator(printable)]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="the object's id")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size (max {MAX_PAGE})")]
Cursor = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="next_cursor of the previous page; omit for the first"),
]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
T = TypeVar("T")


def page_of(rows: list[T], limit: int, key: Callable[[T], Any]) -> tuple[list[T], Any]:
    """Split ``limit + 1`` fetched rows into the page and the next page's cursor (or None)."""
    if len(rows) > limit:
        return rows[:limit], key(rows[limit])
    return rows, None
