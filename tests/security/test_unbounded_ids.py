"""Ids beyond any database column in the path of every state-changing route: a signed-in admin
of every customer, with a valid CSRF token, gets a 4xx (the object does not exist), never a
500, and every table stays as it was. On SQLite and PostgreSQL (their integer limits differ)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from printscout.storage.session import Database
from tests.security.bodies import request_args
from tests.security.clients import changed, client, fingerprint, open_console
from tests.security.routes import guarded
from tests.security.world import World

pytestmark = pytest.mark.anyio
HUGE = ("9223372036854775808", "99999999999999999999999")  # 2**63, and far beyond


async def test_it_answers_ids_no_column_holds_without_a_server_error(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    cookie, csrf = open_console(shared_db, world.emails["alice"])
    routes = [r for r in guarded(shared_app) if r.unsafe and r.params]
    before = fingerprint(shared_db)
    problems, sent = [], 0
    async with client(shared_app, cookie=cookie) as http:
        for route in routes:
            for name in route.params:
                for huge in HUGE:
                    url = route.url(world.a, **{name: huge})
                    args = request_args(route, world.a, csrf)
                    answer = await http.request(route.method, url, **args)
                    sent += 1
                    if not 400 <= answer.status_code < 500:
                        problems.append(f"{route.name} {name}={huge}: {answer.status_code}")
    assert not problems, problems
    assert changed(before, fingerprint(shared_db)) == []
    assert sent > 20
