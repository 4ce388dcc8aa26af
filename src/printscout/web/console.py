"""``mount_console(app)``: the console's routes, static files, session resolver and headers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from printscout.web import (
    accounts,
    alerts,
    collector_sites,
    collectors,
    devices,
    fleet,
    reports,
    users,
)
from printscout.web.i18n import environments
from printscout.web.security import SecurityHeaders
from printscout.web.sessions import Console, LoginRequired, SessionResolver, login_redirect

STATIC: Final = Path(__file__).resolve().parent / "static"


def mount_console(app: FastAPI, settings: ServerSettings, db: Database) -> None:
    """Add the console to the application: call once from ``create_app``."""
    https = settings.console.https
    app.state.console = Console(
        db, dict(environments()), timedelta(hours=settings.console.session_hours), https
    )
    resolver = SessionResolver(db)
    app.state.console_sessions = resolver
    if not hasattr(app.state, "scope_resolvers"):
        app.state.scope_resolvers = []
    app.state.scope_resolvers.append(resolver)
    app.add_exception_handler(LoginRequired, _to_login)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    for module in (accounts, fleet, devices, alerts, reports, collectors, collector_sites, users):
        app.include_router(module.router)
    app.add_middleware(SecurityHeaders, hsts=https)


async def _to_login(request: Request, exc: Exception) -> Response:
    path = exc.path if isinstance(exc, LoginRequired) else "/"
    response = login_redirect(path)
    if request.headers.get("hx-request") == "true":
        # HTMX would follow a 303 and swap the login page into a table: make it navigate.
        return Response(status_code=200, headers={"hx-redirect": response.headers["location"]})
    return response
