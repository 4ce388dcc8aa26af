"""Roles and customer scope over every route: each console and API route, for each persona, on
customer A's objects and on customer B's (their ids filled into the path and body). Viewers
change nothing, operators manage no users, a user of A gets 403/404 for anything of B and sees
none of B's names in any list; every refused request leaves every table as it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from printscout.storage.accounts import Role, User, create_user
from printscout.storage.session import Database
from tests.security.bodies import FORMS, JSON, request_args
from tests.security.clients import changed, client, fingerprint, open_console
from tests.security.routes import Guard, Route, guarded
from tests.security.world import B_MARKERS, PERSONAS, Side, World

# Independent of the database: SQLite only (the PostgreSQL half would only cost time).
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("shared_db", ["sqlite"], indirect=True),
]

# Path parameters naming an object of one customer (channels and report kinds belong to none).
CUSTOMER_OBJECTS: Final = frozenset(
    {"device_id", "site_id", "customer_id", "alert_id", "public_id", "range_id", "rule_id",
     "user_id"}
)  # fmt: skip
# Dealer-wide objects: only a user of every customer may change them.
DEALER_WIDE: Final = frozenset(
    {"POST /api/v1/notification-channels", "DELETE /api/v1/notification-channels/{channel_id}"}
)
ROLES_FOR: Final = {
    Guard.SIGNED_IN: set(Role),
    Guard.SCOPE: set(Role),
    Guard.WRITER: {Role.ADMIN, Role.OPERATOR},
    Guard.WRITABLE: {Role.ADMIN, Role.OPERATOR},
    Guard.ADMIN: {Role.ADMIN},
}
# The alert API answers a rule or channel beyond the caller's customers with 422, its answer to
# a refused body (tests/server/alerts/test_alert_api_rules.py), not 403.
REFUSED_AS_422: Final = frozenset({"POST /api/v1/alert-rules", *DEALER_WIDE})
MATRIX_PERSONAS: Final = ("alice", "adam", "oscar", "vera", "gina")


@dataclass(frozen=True, slots=True)
class Case:
    """One route, persona and side, with the answer the rules call for."""

    route: Route
    persona: str
    side: str  # "A" or "B"
    expect: str  # "refused-role", "refused-scope", "allowed"


def bound_to_customer(route: Route) -> bool:
    """Whether the request names one customer's object (in its path or body)."""
    body = FORMS.get(route.name) or JSON.get(route.name) or {}
    return bool(CUSTOMER_OBJECTS & set(route.params)) or "{customer_id}" in body.values()


def expected(route: Route, persona: str, side: str) -> str:
    """What the rules say of this persona calling this route on this side's objects."""
    role, customers = PERSONAS[persona]
    assert route.guard is not None
    if role not in ROLES_FOR[route.guard]:
        return "refused-role"
    sees = customers is None or customers == side
    if (bound_to_customer(route) and not sees) or (route.name in DEALER_WIDE and customers):
        return "refused-scope"
    return "allowed"


def cases(app: FastAPI) -> list[Case]:
    """Every route × persona × side."""
    return [
        Case(route, persona, side, expected(route, persona, side))
        for route in guarded(app)
        for persona in MATRIX_PERSONAS
        for side in ("A", "B")
    ]


async def call(http: httpx.AsyncClient, case: Case, side: Side, csrf: str) -> httpx.Response:
    """The request of ``case`` (console forms carry the persona's own CSRF token)."""
    route = case.route
    args = request_args(route, side, csrf if route.console else None) if route.unsafe else {}
    return await http.request(route.method, route.url(side), **args)


async def test_it_holds_roles_and_scope_on_every_route(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    sessions = {p: open_console(shared_db, world.emails[p]) for p in MATRIX_PERSONAS}
    before = fingerprint(shared_db)
    all_cases = cases(shared_app)
    problems: list[str] = []
    counted = {"refused-role": 0, "refused-scope": 0, "allowed": 0}
    for persona in MATRIX_PERSONAS:
        cookie, csrf = sessions[persona]
        other = "A" if PERSONAS[persona][1] == "B" else "B"
        async with (
            client(shared_app, cookie=cookie) as console,
            client(shared_app, token=world.tokens[persona]) as api,
        ):
            for case in (c for c in all_cases if c.persona == persona):
                if case.expect == "allowed" and case.route.unsafe:
                    continue  # allowed changes are the feature tests' business, not this one's
                http = console if case.route.console else api
                side = world.a if case.side == "A" else world.b
                answer = await call(http, case, side, csrf)
                counted[case.expect] += 1
                code, label = answer.status_code, f"{case.route.name} {persona} on {case.side}"
                if case.expect == "refused-role" and code != 403:
                    problems.append(f"{label}: {code}, expected 403")
                elif (
                    case.expect == "refused-scope"
                    and code not in (403, 404)
                    and not (code == 422 and case.route.name in REFUSED_AS_422)
                ):
                    problems.append(f"{label}: {code}, expected 403 or 404")
                elif case.expect == "allowed" and code != 200:
                    problems.append(f"{label}: {code}, expected 200")
                elif PERSONAS[persona][1] is not None:
                    markers = B_MARKERS if other == "B" else ("Acme", "SER00001")
                    if leak := [m for m in markers if m in answer.text]:
                        problems.append(f"{label}: shows {other}'s {leak}")
    assert not problems, "\n".join(problems)
    assert changed(before, fingerprint(shared_db)) == []
    assert min(counted.values()) > 20, counted


async def test_it_keeps_an_admin_of_one_customer_to_that_customers_users(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    # Found by the matrix: adam (admin of A) listed B's users and customers, and disabled gina.
    cookie, csrf = open_console(shared_db, world.emails["adam"])
    before = fingerprint(shared_db)
    async with client(shared_app, cookie=cookie) as http:
        page = (await http.get("/users")).text
        gina = await http.post(f"/users/{world.b.ids['user_id']}/disable", data={"csrf": csrf})
        alice = await http.post(f"/users/{_user_id(shared_db, 'alice@dealer.test')}/disable",
                                data={"csrf": csrf})  # fmt: skip
    assert world.emails["vera"] in page and "Acme" in page
    assert "gina@dealer.test" not in page and "Globex" not in page
    assert "alice@dealer.test" not in page  # an admin of every customer is beyond adam too
    assert gina.status_code == alice.status_code == 403
    assert changed(before, fingerprint(shared_db)) == []


async def test_it_keeps_users_of_no_customer_from_admins_of_some(
    shared_app: FastAPI, shared_db: Database, world: World
) -> None:
    with shared_db.writer() as session:
        dealer = session.scalars(select(User.dealer_id)).first()
        assert dealer is not None
        create_user(session, dealer, "nobody@dealer.test", Role.VIEWER, customer_ids=frozenset())
    cookie, csrf = open_console(shared_db, world.emails["adam"])
    before = fingerprint(shared_db)
    async with client(shared_app, cookie=cookie) as http:
        page = (await http.get("/users")).text
        disabled = await http.post(
            f"/users/{_user_id(shared_db, 'nobody@dealer.test')}/disable", data={"csrf": csrf}
        )
        made = await http.post(
            "/users", data={"csrf": csrf, "email": "n2@dealer.test", "role": "viewer"}
        )
    assert "nobody@dealer.test" not in page and world.emails["vera"] in page
    assert disabled.status_code == made.status_code == 403
    assert changed(before, fingerprint(shared_db)) == []


def _user_id(db: Database, email: str) -> int:
    with db.reader() as session:
        found: int = session.scalars(select(User.id).where(User.email == email)).one()
    return found
