"""The collectors page: listed within scope, revoked by admins and operators only."""

from __future__ import annotations

import httpx
import pytest

from printscout.storage.accounts import collector_by_key
from printscout.storage.session import Database
from tests.storage.databases import add_collector
from tests.web.conftest import csrf_of, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio


async def test_it_lists_collectors_of_the_users_customers_only(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    add_collector(db, "hq-01", site="HQ", customer="Acme")
    add_collector(db, "gx-01", site="Plant", customer="Globex")
    page = await (await signed_in(browser, fleet, "vera")).get("/collectors")
    assert page.status_code == 200
    assert "hq-01" in page.text and "gx-01" not in page.text
    assert "never" in page.text
    assert "data-revoke" not in page.text  # a viewer gets no button


async def test_it_lets_an_operator_revoke_a_collector_in_scope(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    hq, hq_key = add_collector(db, "hq-01", site="HQ", customer="Acme")
    gx, _ = add_collector(db, "gx-01", site="Plant", customer="Globex")
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/collectors"))
    other = await http.post(f"/collectors/{gx.public_id}/revoke", data={"csrf": csrf})
    assert other.status_code == 404
    forged = await http.post(f"/collectors/{hq.public_id}/revoke", data={"csrf": "x"})
    assert forged.status_code == 403
    done = await http.post(f"/collectors/{hq.public_id}/revoke", data={"csrf": csrf})
    assert done.status_code == 303
    with db.reader() as session:
        assert collector_by_key(session, hq_key) is None
    assert "revoked" in (await http.get("/collectors")).text


async def test_it_refuses_a_viewer_revoking(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    hq, key = add_collector(db, "hq-01", site="HQ", customer="Acme")
    http = await signed_in(browser, fleet, "vera")
    csrf = csrf_of(await http.get("/account"))
    assert (
        await http.post(f"/collectors/{hq.public_id}/revoke", data={"csrf": csrf})
    ).status_code == 403
    with db.reader() as session:
        assert collector_by_key(session, key) is not None
