"""CSRF: every state-changing route a console session cookie reaches (console forms and the
API routes that also accept the cookie) refuses a request without this session's CSRF token,
or with another session's, with 403, and leaves every table as it was."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from printscout.storage.session import Database
from tests.security.bodies import request_args
from tests.security.clients import changed, client, fingerprint, open_console
from tests.security.routes import Route, guarded
from tests.security.world import World

# Independent of the database: SQLite only (the PostgreSQL half would only cost time).
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("shared_db", ["sqlite"], indirect=True),
]


def cookie_writes(app: FastAPI) -> list[Route]:
    """Every unsafe route a session cookie can call."""
    return [r for r in guarded(app) if r.unsafe]


async def test_it_refuses_every_write_without_the_sessions_csrf_token(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    cookie, _ = open_console(shared_db, world.emails["alice"])
    _, foreign = open_console(shared_db, world.emails["oscar"])  # another session's token
    routes = cookie_writes(shared_app)
    before = fingerprint(shared_db)
    refused: dict[str, set[int]] = {}
    async with client(shared_app, cookie=cookie) as http:
        for route in routes:
            for csrf in (None, "", foreign):
                answer = await http.request(
                    route.method, route.url(world.a), **request_args(route, world.a, csrf)
                )
                refused.setdefault(route.name, set()).add(answer.status_code)
    wrong = {name: codes for name, codes in refused.items() if codes != {403}}
    assert not wrong, f"writes not refused with 403 without the CSRF token: {wrong}"
    assert changed(before, fingerprint(shared_db)) == []
    assert len(routes) >= 30  # console forms and API writes


async def test_it_accepts_the_sessions_own_token(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    # The refusals above are the token's doing: the same requests with the right token pass.
    cookie, csrf = open_console(shared_db, world.emails["alice"])
    names = ("POST /account/language", "PATCH /api/v1/sites/{site_id}")
    routes = [r for r in cookie_writes(shared_app) if r.name in names]
    assert len(routes) == 2
    async with client(shared_app, cookie=cookie) as http:
        for route in routes:
            answer = await http.request(
                route.method, route.url(world.a), **request_args(route, world.a, csrf)
            )
            assert answer.status_code in (200, 303), (route.name, answer.text)
