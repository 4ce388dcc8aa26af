"""``create_app(settings)``: the ASGI application, with nothing global and nothing cached.

All state lives in the database, so any number of server processes can serve one PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import JSONResponse

from printscout import __version__
from printscout.server import api, bundles, health, releases
from printscout.server.alerts import routes as alert_routes
from printscout.server.alerts import setup as alert_setup
from printscout.server.auth import ApiKeyAuthenticator, CollectorAuthenticator
from printscout.server.collectors import routes as collector_routes
from printscout.server.collectors.service import CollectorService, certificate_store
from printscout.server.ingest import routes as ingest_routes
from printscout.server.ingest.service import IngestLimits, IngestService
from printscout.server.reports import routes as report_routes
from printscout.server.settings import ServerSettings
from printscout.storage.errors import DatabaseUnavailable
from printscout.storage.session import Database
from printscout.web.console import mount_console

log = logging.getLogger("printscout.server")


def create_app(
    settings: ServerSettings,
    *,
    database: Database | None = None,
    authenticator: CollectorAuthenticator | None = None,
) -> FastAPI:
    """The application; ``database`` and ``authenticator`` replace the defaults (tests, mTLS)."""
    db = database or Database(settings.database_config())
    owned = database is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with alert_setup.background(app):
                yield
        finally:
            if owned:
                db.dispose()

    app = FastAPI(
        title="PrintScout",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.add_exception_handler(DatabaseUnavailable, database_unavailable)
    app.state.db = db
    # Write transactions beyond this only queue on locks; SQLite takes one writer.
    app.state.write_concurrency = settings.ingest.concurrency or db.write_concurrency
    app.state.collector_auth = authenticator or ApiKeyAuthenticator(db)
    limits = IngestLimits(settings.ingest.max_batches, settings.ingest.max_readings)
    alerts = alert_setup.install(app, settings, db)
    app.state.ingest = IngestService(
        db, settings.ingest_rules(), limits, after_store=(alerts.after_batch,)
    )
    app.include_router(health.router)
    app.include_router(ingest_routes.router)
    app.include_router(alert_routes.router)
    api.install(app)
    app.include_router(report_routes.router)
    app.include_router(releases.router)
    app.include_router(bundles.router)
    app.state.collectors = CollectorService(db, settings)
    app.state.collector_certificates = certificate_store(db)
    app.include_router(collector_routes.router)
    mount_console(app, settings, db)
    return app


async def database_unavailable(_request: Request, exc: Exception) -> Response:
    """The database is down or restarting (any route, collector authentication included):
    503 with Retry-After, so clients back off and send again instead of seeing a 500. Logged:
    a 503 that hides a lasting fault must still show in the server's log."""
    log.warning("database unavailable: answered 503", extra={"error": str(exc)})
    return JSONResponse(
        {"detail": "database unavailable; retry later"},
        status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )
