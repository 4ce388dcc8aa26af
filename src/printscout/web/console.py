"""``mount_console(app)``: the console's routes, static files, session resolver and headers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.staticfiles import StaticFiles
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException as StarletteHTTPException

from printscout.server.settings import ServerSettings
from printscout.storage.errors import StorageError
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
from printscout.web.pages import is_htmx, render
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
    app.add_exception_handler(StarletteHTTPException, _error_page)
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


async def _error_page(request: Request, exc: Exception) -> Response:
    """A refusal as a page in the user's language, with the reason and a way back, for a
    browser asking for HTML; the API, HTMX and every other client keep FastAPI's JSON."""
    assert isinstance(exc, StarletteHTTPException)
    wants_html = "text/html" in request.headers.get("accept", "")
    if (
        request.url.path.startswith("/api/")
        or not wants_html
        or is_htmx(request)
        or not is_body_allowed_for_status_code(exc.status_code)
    ):
        return await http_exception_handler(request, exc)
    try:  # the signed-in user, for their language and the navigation
        login = await run_in_threadpool(request.app.state.console_sessions.login, request)
    except StorageError:
        login = None
    page = render(
        request, login, "error.html", status_code=exc.status_code,
        status=exc.status_code, detail=str(exc.detail), back=_back(request),
    )  # fmt: skip
    page.headers.update(exc.headers or {})
    return page


def _back(request: Request) -> str:
    """Where "back" leads: the page the request came from when it is one of ours, else home."""
    came = urlsplit(request.headers.get("referer", ""))
    path = came.path
    if came.netloc != request.url.netloc or not path.startswith("/") or path[1:2] in ("/", "\\"):
        return "/"
    return path + (f"?{came.query}" if came.query else "")
