"""SQL injection in every filter: each query parameter of every console and API GET route (the
declared ones, and the fields of the page's own GET forms) and each path parameter gets
injection payloads, as a viewer scoped to customer A, on SQLite and on PostgreSQL. No answer
may be a server error or show customer B's objects, and every table stays as it was."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Final
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from printscout.storage.session import Database
from tests.security.clients import changed, client, fingerprint, open_console
from tests.security.routes import Route, guarded
from tests.security.world import B_MARKERS, World

pytestmark = pytest.mark.anyio

PAYLOADS: Final = (
    "' OR '1'='1",
    "1 OR 1=1",
    "1; DROP TABLE devices;--",
    "%' --",
    "%",
    "' UNION SELECT email, password_hash, 1, 1 FROM users--",
    "1' AND pg_sleep(0)::text='",
    '" OR ""="',
    "a\x00b",
    "\u202e' OR 1=1 --\u0000",
    "-1",
    "99999999999999999999999",
    "x" * 5000,
)
# Bytes that are not UTF-8 at all, sent percent-encoded as they are.
RAW: Final = ("%FF%FE%00", "%ED%A0%80")


class GetForms(HTMLParser):
    """The names of the fields of a page's GET forms (its filters)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_get = False
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.in_get = (found.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self.in_get and found.get("name"):
            self.names.add(str(found["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_get = False


async def parameters(http: httpx.AsyncClient, route: Route, world: World) -> set[str]:
    """The route's declared query parameters, plus its page's GET form fields."""
    names = set(route.query)
    if route.console:
        page = await http.get(route.url(world.a))
        if page.headers.get("content-type", "").startswith("text/html"):
            forms = GetForms()
            forms.feed(page.text)
            names |= forms.names
    return names


def scoped_leak(text: str) -> list[str]:
    """Customer B's names in an answer to a user of customer A."""
    return [m for m in B_MARKERS if m in text]


async def test_it_survives_injection_in_every_filter(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    cookie, _ = open_console(shared_db, world.emails["vera"])
    routes = [r for r in guarded(shared_app) if r.method == "GET"]
    before = fingerprint(shared_db)
    sent = 0
    problems: list[str] = []
    async with (
        client(shared_app, cookie=cookie) as console,
        client(shared_app, token=world.tokens["vera"]) as api,
    ):
        for route in routes:
            http = console if route.console else api
            base = route.url(world.a)
            targets = [("query", name) for name in sorted(await parameters(http, route, world))]
            targets += [("path", name) for name in route.params]
            for where, name in targets:
                for payload in (*(quote(p, safe="") for p in PAYLOADS), *RAW):
                    if where == "query":
                        url = f"{base}?{name}={payload}"
                    else:
                        url = route.url(world.a, **{name: payload})
                    answer = await http.get(url)
                    sent += 1
                    if answer.status_code >= 500:
                        problems.append(f"{route.name} {where} {name}: {answer.status_code}")
                    elif leak := scoped_leak(answer.text):
                        problems.append(f"{route.name} {where} {name}: shows {leak}")
    assert not problems, problems[:20]
    assert changed(before, fingerprint(shared_db)) == []
    assert sent > 800  # every filter of every route, not a handful
