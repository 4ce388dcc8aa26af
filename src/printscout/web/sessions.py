"""Console sign-in: the session-cookie scope resolver and the page dependencies built on it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response, status
from jinja2 import Environment

from printscout.storage.accounts import Role, Scope
from printscout.storage.base import utcnow
from printscout.storage.console import ConsoleLogin, login_by_token
from printscout.storage.session import Database
from printscout.web.i18n import pick_language

COOKIE: Final = "ps_session"
LOGIN_CSRF_COOKIE: Final = "ps_login"
CSRF_HEADER: Final = "x-csrf-token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """Raised by page dependencies without a session: the handler redirects to the login page."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass(frozen=True, slots=True)
class Console:
    """What the console's routes share, kept on ``app.state.console``."""

    db: Database
    environments: dict[str, Environment]
    session_lifetime: timedelta
    https: bool


class SessionResolver:
    """Recognises the console's session cookie (a ``ScopeResolver``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def login(self, request: Request) -> ConsoleLogin | None:
        """The signed-in user, once per request (kept on ``request.state``)."""
        if hasattr(request.state, "console_login"):
            cached: ConsoleLogin | None = request.state.console_login
            return cached
        token = request.cookies.get(COOKIE)
        found = None
        if token:
            with self.db.lookup() as connection:
                found = login_by_token(connection, token, utcnow())
        request.state.console_login = found
        return found

    def resolve(self, request: Request) -> Scope | None:
        """The scope of the session cookie; None without one (or with a stale one).

        Routes that take this resolver (the API, reports) read no form, so a request that
        changes something must carry the session's CSRF token in ``X-CSRF-Token``: without it
        another site could make the browser send the cookie along (403).
        """
        login = self.login(request)
        if login is None:
            return None
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not login.csrf or not hmac.compare_digest(login.csrf.encode(), sent.encode()):
                raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong X-CSRF-Token")
        return login.scope


def console(request: Request) -> Console:
    """The console's shared state."""
    found: Console = request.app.state.console
    return found


def signed_in(request: Request) -> ConsoleLogin:
    """Page dependency: the signed-in user, or a redirect to the login page."""
    resolver: SessionResolver = request.app.state.console_sessions
    login = resolver.login(request)
    if login is None:
        raise LoginRequired(request.url.path)
    return login


def admin(login: Annotated[ConsoleLogin, Depends(signed_in)]) -> ConsoleLogin:
    """Page dependency: an admin, else 403."""
    if login.scope.role is not Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "administrators only")
    return login


def writer(login: Annotated[ConsoleLogin, Depends(signed_in)]) -> ConsoleLogin:
    """Page dependency: an admin or operator, else 403."""
    if not login.scope.can_write:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this role may only read")
    return login


SignedIn = Annotated[ConsoleLogin, Depends(signed_in)]
Admin = Annotated[ConsoleLogin, Depends(admin)]
Writer = Annotated[ConsoleLogin, Depends(writer)]
Shared = Annotated[Console, Depends(console)]


def login_redirect(path: str) -> Response:
    """303 to the login page, coming back to ``path`` afterwards."""
    return Response(status_code=303, headers={"location": f"/login?next={quote(path)}"})


def set_cookie(response: Response, name: str, value: str, *, https: bool, max_age: int) -> None:
    """A cookie only HTTP sees, sent back only same-site, and over HTTPS only when it is used."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=https, path="/"
    )


def language_of(request: Request, login: ConsoleLogin | None) -> str:
    """The language to answer in: the user's choice, else the browser's."""
    chosen = login.language if login else None
    return pick_language(chosen, request.headers.get("accept-language", ""))
