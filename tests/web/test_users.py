"""The users page: only admins list and add users, and only within what they see."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from printscout.storage.accounts import User
from printscout.storage.session import Database
from tests.web.conftest import csrf_of, sign_in, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("persona", ["oscar", "vera"])
async def test_it_refuses_everyone_but_admins(
    browser: httpx.AsyncClient, fleet: Fleet, persona: str
) -> None:
    http = await signed_in(browser, fleet, persona)
    assert (await http.get("/users")).status_code == 403
    csrf = csrf_of(await http.get("/account"))
    form = {"csrf": csrf, "email": "x@dealer.test", "role": "admin", "all_customers": "1"}
    assert (await http.post("/users", data=form)).status_code == 403


async def test_it_lets_an_admin_add_a_scoped_user_who_can_sign_in(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "alice")
    page = await http.get("/users")
    assert page.status_code == 200 and fleet.users["vera"] in page.text
    form = {
        "csrf": csrf_of(page), "email": "Nina@Dealer.test", "name": "Nina", "role": "viewer",
        "customers": str(fleet.globex_id),
    }  # fmt: skip
    answer = await http.post("/users", data=form)
    assert answer.status_code == 201
    password = answer.text.split('id="created"')[1].split("<code>")[1].split("</code>")[0]
    again = await http.post("/users", data=form)
    assert again.status_code == 409
    async with httpx.AsyncClient(transport=http._transport, base_url=str(http.base_url)) as nina:
        assert (await sign_in(nina, "nina@dealer.test", password)).status_code == 303
        home = await nina.get("/")
        assert "Globex Secret 9000" in home.text and "Broken Printer" not in home.text


async def test_it_refuses_customers_of_another_dealer(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "alice")
    form = {
        "csrf": csrf_of(await http.get("/users")), "email": "eve@dealer.test", "role": "viewer",
        "customers": "987654",
    }  # fmt: skip
    assert (await http.post("/users", data=form)).status_code == 403


async def test_it_lets_an_admin_disable_a_user_whose_sessions_end(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    transport, base = browser._transport, str(browser.base_url)
    async with httpx.AsyncClient(transport=transport, base_url=base) as vera:
        await signed_in(vera, fleet, "vera")
        http = await signed_in(browser, fleet, "alice")
        page = await http.get("/users")
        with db.reader() as session:
            ids = {row[0]: row[1] for row in session.execute(select(User.email, User.id))}
        csrf = csrf_of(page)
        me = await http.post(f"/users/{ids[fleet.users['alice']]}/disable", data={"csrf": csrf})
        assert me.status_code == 400
        assert (await http.post("/users/999999/disable", data={"csrf": csrf})).status_code == 404
        done = await http.post(f"/users/{ids[fleet.users['vera']]}/disable", data={"csrf": csrf})
        assert done.status_code == 303
        assert (await vera.get("/")).status_code == 303  # signed out
        assert (await sign_in(vera, fleet.users["vera"])).status_code == 401
    assert "disabled" in (await http.get("/users")).text


async def test_it_refuses_an_operator_disabling(browser: httpx.AsyncClient, fleet: Fleet) -> None:
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/account"))
    assert (await http.post("/users/1/disable", data={"csrf": csrf})).status_code == 403


async def test_it_lets_an_admin_change_a_role_which_holds_from_the_next_request(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    transport, base = browser._transport, str(browser.base_url)
    async with httpx.AsyncClient(transport=transport, base_url=base) as vera:
        await signed_in(vera, fleet, "vera")
        assert (await vera.get("/users")).status_code == 403
        http = await signed_in(browser, fleet, "alice")
        page = await http.get("/users")
        assert 'data-role="' + fleet.users["vera"] + '"' in page.text
        with db.reader() as session:
            ids = {row[0]: row[1] for row in session.execute(select(User.email, User.id))}
        csrf, vera_id = csrf_of(page), ids[fleet.users["vera"]]
        promoted = await http.post(f"/users/{vera_id}/role", data={"csrf": csrf, "role": "admin"})
        assert promoted.status_code == 303
        assert (await vera.get("/users")).status_code == 200  # the same session, a new role
        back = await http.post(f"/users/{vera_id}/role", data={"csrf": csrf, "role": "viewer"})
        assert back.status_code == 303
        assert (await vera.get("/users")).status_code == 403
        refused = {
            "own role": (ids[fleet.users["alice"]], "viewer", 400),
            "no such role": (vera_id, "owner", 400),
            "no such user": (999999, "viewer", 404),
        }
        for why, (user_id, role, code) in refused.items():
            answer = await http.post(f"/users/{user_id}/role", data={"csrf": csrf, "role": role})
            assert answer.status_code == code, why
        no_csrf = await http.post(f"/users/{vera_id}/role", data={"role": "admin"})
        assert no_csrf.status_code == 403
    with db.reader() as session:
        stored = session.get(User, vera_id)
        assert stored is not None and stored.role.value == "viewer"


async def test_it_refuses_an_operator_changing_roles(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/account"))
    answer = await http.post("/users/1/role", data={"csrf": csrf, "role": "admin"})
    assert answer.status_code == 403
