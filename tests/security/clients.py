"""Callers for the security tests: console sessions opened straight in the database (no argon2
per test), API-token clients, and a fingerprint of every table to prove nothing changed."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Final

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from printscout.storage import schema
from printscout.storage.accounts import User
from printscout.storage.console import ConsoleSession, hash_token, open_session
from printscout.storage.session import Database
from printscout.web.sessions import COOKIE

BASE: Final = "http://console.test"
# Columns that merely record use (a token's last use), not a change anyone asked for.
VOLATILE: Final = {"api_tokens": {"last_used_at"}, "console_sessions": set[str]()}


def open_console(db: Database, email: str) -> tuple[str, str]:
    """A console session of the user: (cookie value, CSRF token)."""
    with db.writer() as session:
        user_id = session.scalars(select(User.id).where(User.email == email)).one()
        token = open_session(session, user_id, timedelta(hours=1))
        csrf = session.scalars(
            select(ConsoleSession.csrf).where(ConsoleSession.token_hash == hash_token(token))
        ).one()
    return token, csrf


def client(
    app: FastAPI, *, cookie: str | None = None, token: str | None = None
) -> httpx.AsyncClient:
    """An HTTP client of ``app``, with a session cookie or an API token (or neither); an
    exception in the app comes back as the 500 a real server would send."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    http = httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers)
    if cookie is not None:
        http.cookies.set(COOKIE, cookie)
    return http


def fingerprint(db: Database) -> dict[str, str]:
    """A digest of every row of every table (sessions only by count: logins add them)."""
    digests = {}
    with db.reader() as session:
        for table in schema.METADATA.sorted_tables:
            skip = VOLATILE.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skip]
            rows = session.execute(select(*columns)).all()
            text = "\n".join(sorted(repr(tuple(row)) for row in rows))
            if table.name == "console_sessions":
                text = str(len(rows))
            digests[table.name] = hashlib.sha256(text.encode()).hexdigest()
    return digests


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables whose rows differ."""
    return sorted(name for name in before if before[name] != after.get(name))
