"""The alert API in-process with three personas and a user scoped to one customer.

A scope resolver recognises ``X-Test-User: <id>`` and loads that user's real scope from the
database, the way the console's session resolver will.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import Request

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord, Role, Scope, create_user, user_scope
from printscout.storage.session import Database
from tests.storage.databases import add_collector


class HeaderUserResolver:
    """Scope of the user named in ``X-Test-User``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def resolve(self, request: Request) -> Scope | None:
        """The user's scope, or None without the header."""
        user = request.headers.get("x-test-user")
        if user is None:
            return None
        with self.db.reader() as session:
            return user_scope(session, int(user))


@dataclass(frozen=True)
class Personas:
    """User ids, and the collectors of customer Acme (sees: everyone) and Beta."""

    admin: int
    operator: int
    viewer: int
    acme_only: int
    acme: CollectorRecord
    beta: CollectorRecord


def personas(db: Database) -> Personas:
    """Create the users and two customers' collectors."""
    acme = add_collector(db)[0]
    beta = add_collector(db, name="beta-01", site="Main", customer="Beta")[0]
    with db.writer() as session:
        ids = [
            create_user(session, acme.dealer_id, f"{role.value}@dealer.test", role).id
            for role in (Role.ADMIN, Role.OPERATOR, Role.VIEWER)
        ]
        scoped = create_user(
            session, acme.dealer_id, "acme@dealer.test", Role.OPERATOR,
            customer_ids=frozenset({acme.customer_id}),
        ).id  # fmt: skip
    admin, operator, viewer = ids
    return Personas(admin, operator, viewer, scoped, acme, beta)


@asynccontextmanager
async def api(settings: ServerSettings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A client to the app on ``db`` with the header resolver registered."""
    app = create_app(settings, database=db)
    app.state.scope_resolvers = [HeaderUserResolver(db)]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://printscout.test") as c:
        yield c


def as_user(user_id: int) -> dict[str, str]:
    """Headers that sign in as the user."""
    return {"X-Test-User": str(user_id)}
