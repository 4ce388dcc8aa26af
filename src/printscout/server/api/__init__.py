"""The integration API (/api/v1) and the Prometheus endpoint (/metrics), signed in by API token.

``install(app)`` mounts every router listed in ``V1_ROUTERS`` under /api/v1 and registers the
API token resolver. A new feature adds its router to ``V1_ROUTERS`` (docs/api.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError

from printscout.server.api import devices, metrics, sites
from printscout.server.api.common import validation_failed
from printscout.server.api.tokens import ApiTokenResolver

PREFIX: Final = "/api/v1"
V1_ROUTERS: Final[tuple[APIRouter, ...]] = (devices.router, sites.router)


def install(app: FastAPI) -> None:
    """Mount the API on an application whose ``state`` holds ``settings`` and ``db``."""
    touch = timedelta(seconds=app.state.settings.api.token_touch_s)
    resolver = ApiTokenResolver(app.state.db, touch)
    app.state.scope_resolvers = [*getattr(app.state, "scope_resolvers", []), resolver]
    app.add_exception_handler(RequestValidationError, validation_failed)
    for router in V1_ROUTERS:
        app.include_router(router, prefix=PREFIX)
    app.include_router(metrics.router)
