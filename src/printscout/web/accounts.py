"""Console accounts: sign in and out, one's own password and language."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from printscout.storage import console as store
from printscout.storage.accounts import User
from printscout.storage.base import utcnow
from printscout.storage.session import Database
from printscout.web.pages import render
from printscout.web.passwords import (
    hash_password,
    needs_rehash,
    verify_password,
    weak_reason,
)
from printscout.web.security import check_csrf, field, form
from printscout.web.sessions import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    Shared,
    SignedIn,
    console,
    set_cookie,
)

router = APIRouter(include_in_schema=False)
EMAIL_MAX: Final = 320  # the email and throttle columns


@dataclass(frozen=True, slots=True)
class Attempt:
    """How a login went: a session token, or why not (and until when, if locked)."""

    token: str | None
    locked_until: datetime | None = None


def safe_next(target: str) -> str:
    """Where to go after login: only a path on this site, never another host."""
    ok = target.startswith("/") and not target.startswith(("//", "/\\"))
    return target if ok else "/"


def attempt_login(
    db: Database, email: str, password: str, lifetime: timedelta, client: str = "unknown"
) -> Attempt:
    """Check the password (outside any transaction: argon2 is slow), then record the outcome.

    Failures count per email and per client address: the first stops guessing one account's
    password, the second one password tried on many accounts (spraying). Unknown emails count
    exactly like known ones, so the answers tell nothing about which accounts exist.
    """
    now = utcnow()
    email, by_client = login_email(email), client_key(client)
    with db.reader() as session:
        locks = [store.locked_until(session, key, now) for key in (email, by_client)]
        user = store.user_by_email(session, email)
        user_id, stored = (user.id, user.password_hash) if user else (None, None)
    locked = max((t for t in locks if t is not None), default=None)
    if locked is not None:
        return Attempt(None, locked)
    good = verify_password(stored, password)
    with db.writer() as session:
        if not good or user_id is None:
            until = [
                store.record_failure(session, email, now),
                store.record_failure(session, by_client, now, store.CLIENT_FREE_FAILURES),
            ]
            return Attempt(None, max((t for t in until if t is not None), default=None))
        store.clear_failures(session, email)
        if stored is not None and needs_rehash(stored):
            store.set_password_hash(session, user_id, hash_password(password))
        return Attempt(store.open_session(session, user_id, lifetime))


def client_key(address: str) -> str:
    """The throttle row of a client address. The tab keeps it apart from every email key:
    ``login_email`` drops it, so no typed email (say ``client:10.0.0.5``) can reach this row
    and lock out another client's address with a few failures of its own."""
    return f"client\t{address}"[:EMAIL_MAX]


def login_email(typed: str) -> str:
    """The email as stored and throttled: trimmed, lower case, without control characters
    (PostgreSQL refuses NUL), cut to the column's length."""
    return "".join(c for c in typed.strip().lower() if c.isprintable())[:EMAIL_MAX]


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The login form, with a fresh CSRF token in a cookie and in the form (double submit)."""
    return _login_form(request, next, None, 200)


def _login_form(request: Request, next_path: str, error: str | None, code: int) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        None,
        "accounts/login.html",
        code,
        csrf=token,
        next=safe_next(next_path),
        error=error,
    )
    set_cookie(response, LOGIN_CSRF_COOKIE, token, https=console(request).https, max_age=3600)
    return response


@router.post("/login")
async def login(request: Request, shared: Shared) -> Response:
    """Sign in: a session cookie and a redirect, or the form again with the reason."""
    data = await form(request)
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), data)
    email, next_path = field(data, "email"), field(data, "next")
    client = request.client.host if request.client else "unknown"
    outcome = await run_in_threadpool(
        attempt_login, shared.db, email, field(data, "password"), shared.session_lifetime, client
    )
    if outcome.token is None:
        if outcome.locked_until is not None:
            wait = max(1, int((outcome.locked_until - utcnow()).total_seconds()))
            return _login_form(request, next_path, f"locked:{wait}", 429)
        return _login_form(request, next_path, "wrong", 401)
    response = Response(status_code=303, headers={"location": safe_next(next_path)})
    age = int(shared.session_lifetime.total_seconds())
    set_cookie(response, COOKIE, outcome.token, https=shared.https, max_age=age)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, login: SignedIn, shared: Shared) -> Response:
    """Sign out: the session is deleted on the server, the cookie in the browser."""
    check_csrf(login.csrf, await form(request))

    def close() -> None:
        with shared.db.writer() as session:
            store.close_session(session, request.cookies.get(COOKIE, ""))

    await run_in_threadpool(close)
    response = Response(status_code=303, headers={"location": "/login"})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account")
def account_page(request: Request, login: SignedIn) -> Response:
    """The user's own settings: password and language."""
    return render(request, login, "accounts/account.html", message=None)


@router.post("/account/password")
async def change_password(request: Request, login: SignedIn, shared: Shared) -> Response:
    """Change one's password (the current one is asked for); other sessions are closed."""
    data = await form(request)
    check_csrf(login.csrf, data)
    new = field(data, "new_password")
    problem = weak_reason(new)
    if new != field(data, "repeat_password"):
        problem = "mismatch"
    if problem is None:
        problem = await run_in_threadpool(
            _store_password, shared.db, login.scope.user_id, field(data, "password"), new,
            request.cookies.get(COOKIE),
        )  # fmt: skip
    code = 200 if problem is None else 400
    message = "password-changed" if problem is None else problem
    return render(request, login, "accounts/account.html", code, message=message)


def _store_password(
    db: Database, user_id: int, current: str, new: str, keep: str | None
) -> str | None:
    with db.reader() as session:
        stored = session.scalar(select(User.password_hash).where(User.id == user_id))
    if not verify_password(stored, current):
        return "wrong-current"
    with db.writer() as session:
        store.set_password_hash(session, user_id, hash_password(new))
        store.close_other_sessions(session, user_id, keep)
    return None


@router.post("/account/language")
async def change_language(request: Request, login: SignedIn, shared: Shared) -> Response:
    """Choose the console language."""
    data = await form(request)
    check_csrf(login.csrf, data)
    language = field(data, "language")
    if language not in store.LANGUAGES:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "unsupported language")

    def save() -> None:
        with shared.db.writer() as session:
            store.set_language(session, login.scope.user_id, language)

    await run_in_threadpool(save)
    return Response(status_code=303, headers={"location": "/account"})
