"""The alerts page: alerts of the user's customers only, filters, detail with history,
acknowledge and close for admins and operators (CSRF-checked), markup shown as text; the device
page's supply forecasts; a customer's supplies to order."""

from __future__ import annotations

import html

import httpx
import pytest

from printscout.storage.session import Database
from tests.web.alert_seed import HOSTILE_ALERT, seed_alerts
from tests.web.conftest import csrf_of, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio


async def test_it_lists_alerts_of_the_users_customers_only(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    seed_alerts(db, fleet)
    page = await (await signed_in(browser, fleet, "vera")).get("/alerts")
    assert page.status_code == 200
    assert html.escape(HOSTILE_ALERT, quote=False) in page.text
    assert HOSTILE_ALERT not in page.text
    assert "Globex secret jam" not in page.text
    assert f'href="/devices/{fleet.acme_device}">LaserJet M555</a>' in page.text
    assert "data-acknowledge" not in page.text and "data-close" not in page.text


async def test_it_filters_by_state_customer_site_and_severity(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    seed_alerts(db, fleet)
    http = await signed_in(browser, fleet, "alice")
    both = (await http.get("/alerts")).text
    assert "Globex secret jam" in both and "Paper jam" in both
    globex = (await http.get("/alerts", params={"customer": fleet.globex_id})).text
    assert "Globex secret jam" in globex and "Paper jam" not in globex
    site = (await http.get("/alerts", params={"site": fleet.acme_site_id})).text
    assert "Globex secret jam" not in site and "Paper jam" in site
    info = (await http.get("/alerts", params={"severity": "info"})).text
    assert "Paper jam" not in info and "No alert." in info
    closed = (await http.get("/alerts", params={"state": "closed"})).text
    assert "Paper jam" not in closed
    junk = await http.get("/alerts", params={"state": "x", "customer": "9" * 40})
    assert junk.status_code == 200 and "Paper jam" in junk.text


async def test_it_lets_an_operator_acknowledge_and_close_with_history(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    acme, globex = seed_alerts(db, fleet)
    http = await signed_in(browser, fleet, "oscar")
    page = await http.get("/alerts")
    assert f'data-acknowledge="{acme}"' in page.text
    csrf = csrf_of(page)
    assert (await http.get(f"/alerts/{globex}")).status_code == 404
    other = await http.post(f"/alerts/{globex}/close", data={"csrf": csrf})
    assert other.status_code == 404
    forged = await http.post(f"/alerts/{acme}/acknowledge", data={"csrf": "x"})
    assert forged.status_code == 403
    done = await http.post(f"/alerts/{acme}/acknowledge", data={"csrf": csrf})
    assert (done.status_code, done.headers["location"]) == (303, f"/alerts/{acme}")
    detail = (await http.get(f"/alerts/{acme}")).text
    assert "Acknowledged" in detail and "data-acknowledge" not in detail
    assert f'data-close="{acme}"' in detail
    assert (await http.post(f"/alerts/{acme}/close", data={"csrf": csrf})).status_code == 303
    closed = (await http.get(f"/alerts/{acme}")).text
    assert "closed by a user" in closed and "data-close" not in closed
    assert "Paper jam" in (await http.get("/alerts", params={"state": "closed"})).text


async def test_it_refuses_a_viewer_acting_on_an_alert(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    acme, _ = seed_alerts(db, fleet)
    http = await signed_in(browser, fleet, "vera")
    csrf = csrf_of(await http.get("/account"))
    answer = await http.post(f"/alerts/{acme}/close", data={"csrf": csrf})
    assert answer.status_code == 403
    detail = await http.get(f"/alerts/{acme}")
    assert detail.status_code == 200 and "opened" in detail.text
    assert html.escape(HOSTILE_ALERT, quote=False) in detail.text


async def test_it_speaks_german(browser: httpx.AsyncClient, fleet: Fleet, db: Database) -> None:
    seed_alerts(db, fleet)
    http = await signed_in(browser, fleet, "alice")
    page = await http.get("/alerts", headers={"accept-language": "de"})
    assert "Warnmeldungen" in page.text and "kritisch" in page.text


async def test_it_shows_supply_forecasts_on_the_device_page(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "vera")
    steady = (await http.get(f"/devices/{fleet.acme_device}")).text
    assert 'id="forecasts"' in steady
    sparse = (await http.get(f"/devices/{fleet.silent_device}")).text
    assert "No supply." in sparse
    broken = (await http.get(f"/devices/{fleet.error_device}")).text
    assert "not enough history" in broken


async def test_it_lists_supplies_to_order_within_scope(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "vera")
    mine = await http.get(f"/customers/{fleet.acme_id}/orders")
    assert mine.status_code == 200 and "Broken Printer" in mine.text
    assert (await http.get(f"/customers/{fleet.globex_id}/orders")).status_code == 404
