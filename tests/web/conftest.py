"""Console test fixtures: the app over each database with a seeded fleet, and signing in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.server.conftest import anyio_backend, settings
from tests.storage.databases import db, pg_url
from tests.web.seed import PASSWORD, Fleet, seed_fleet

__all__ = ["anyio_backend", "db", "pg_url", "settings"]

BASE = "http://console.test"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def fleet(db: Database) -> Fleet:
    """The seeded fleet and personas."""
    return seed_fleet(db)


@pytest.fixture
async def browser(settings: ServerSettings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping HTTP client of the app on ``db``, signed in as nobody."""
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token in a page's first form."""
    found = CSRF.search(page.text)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def sign_in(
    http: httpx.AsyncClient, email: str, password: str = PASSWORD, next_path: str = "/"
) -> httpx.Response:
    """Fill the login form like a browser; returns the answer to the post."""
    page = await http.get("/login", params={"next": next_path})
    form = {"csrf": csrf_of(page), "email": email, "password": password, "next": next_path}
    return await http.post("/login", data=form)


async def signed_in(http: httpx.AsyncClient, fleet: Fleet, persona: str) -> httpx.AsyncClient:
    """``http`` signed in as ``persona`` (alice, oscar or vera)."""
    answer = await sign_in(http, fleet.users[persona])
    assert answer.status_code == 303, answer.text
    return http
