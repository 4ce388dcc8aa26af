"""The device page and its chart data: what is shown, to whom, and as text."""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import signed_in
from tests.web.seed import HISTORY, HOSTILE_NAME, HOSTILE_SUPPLY, Fleet

pytestmark = pytest.mark.anyio


async def test_it_shows_identity_status_supplies_counters_and_replacements(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    page = await (await signed_in(browser, fleet, "vera")).get(f"/devices/{fleet.acme_device}")
    assert page.status_code == 200
    text = page.text
    assert "SER00001" in text and "10.0.0.1" in text and "Acme · HQ" in text
    assert "running / idle" in text
    assert "Ready" in text and "&lt;i&gt;Tray 2&lt;/i&gt;" in text  # the LCD, as text
    assert f"{10_000 + 25 * (HISTORY - 1):,}" in text  # the newest total counter
    supplies = text.split('id="supplies"')[1].split("</table>")[0]
    assert "&lt;b onmouseover=alert(3)&gt;Black Toner&lt;/b&gt;" in supplies
    assert HOSTILE_SUPPLY not in text and HOSTILE_NAME not in text
    assert "2 → 100 %" in text  # the replacement
    assert f'data-history="/devices/{fleet.acme_device}/history.json?days=30"' in text


async def test_it_hides_other_customers_devices(browser: httpx.AsyncClient, fleet: Fleet) -> None:
    http = await signed_in(browser, fleet, "vera")
    assert (await http.get(f"/devices/{fleet.globex_device}")).status_code == 404
    assert (await http.get(f"/devices/{fleet.globex_device}/history.json")).status_code == 404
    assert (await http.get("/devices/999999")).status_code == 404


async def test_it_gives_the_chart_its_pages_and_levels_over_time(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "alice")
    data = (await http.get(f"/devices/{fleet.acme_device}/history.json")).json()
    assert len(data["times"]) == HISTORY
    assert data["times"] == sorted(data["times"])
    assert data["pages"][0] == 10_000 and data["pages"][-1] == 10_000 + 25 * (HISTORY - 1)
    [toner] = data["supplies"]
    assert toner["label"] == HOSTILE_SUPPLY and toner["color"] == "black"
    assert toner["levels"][0] == 90 and toner["levels"][-1] == 90 - HISTORY + 1
    long = (await http.get(f"/devices/{fleet.acme_device}/history.json?days=400")).json()
    assert long["times"] == []  # older than 31 days comes from roll-ups (none yet)
