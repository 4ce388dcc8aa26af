"""The fleet dashboard: counts by state, lowest supplies, filters, paging, scope, escaping."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from printscout.storage.base import utcnow
from printscout.storage.fleet import Device
from printscout.storage.session import Database
from tests.web.conftest import signed_in
from tests.web.seed import HOSTILE_LOCATION, Fleet

pytestmark = pytest.mark.anyio


async def test_it_counts_devices_by_state_and_lists_the_lowest_supplies(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    page = await (await signed_in(browser, fleet, "alice")).get("/")
    assert page.status_code == 200
    counts = page.text.split('id="counts"')[1].split("</section>")[0]
    for state, count in (("ok", 2), ("error", 1), ("silent", 1), ("warning", 0)):
        assert f'state-{state}" href="/?state={state}"><strong>{count}</strong>' in counts
    lowest = page.text.split('id="lowest"')[1].split("</table>")[0]
    assert lowest.index("Globex Secret 9000") < lowest.index("Broken Printer")  # 1 % before 3 %
    troubled = page.text.split('id="troubled"')[1].split("</ul>")[0]
    assert "Broken Printer" in troubled and "Silent Printer" in troubled


async def test_it_shows_a_scoped_viewer_only_their_customers_devices(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    page = await (await signed_in(browser, fleet, "vera")).get("/")
    assert "Globex Secret 9000" not in page.text
    assert "Globex" not in page.text  # not even in the customer filter
    assert "Broken Printer" in page.text
    filtered = await browser.get("/", params={"customer": fleet.globex_id})
    assert "Globex Secret 9000" not in filtered.text


async def test_it_filters_by_search_model_site_and_state(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "alice")

    async def models(**params: str | int) -> list[str]:
        answer = await http.get("/", params=params, headers={"HX-Request": "true"})
        assert "<html" not in answer.text  # HTMX gets the table alone
        return [m for m in ("Silent", "Broken", "Globex Secret", "M555") if m in answer.text]

    assert await models(q="silent") == ["Silent"]
    assert await models(q="SER00004") == ["Broken"]
    assert await models(q="%") == []  # a wildcard is searched for literally
    assert await models(model="Globex Secret 9000") == ["Globex Secret"]
    assert await models(site=fleet.globex_site_id) == ["Globex Secret"]
    assert await models(state="error") == ["Broken"]
    assert await models(state="ok", customer=fleet.acme_id) == ["M555"]


async def test_it_pages_by_device_id(
    browser: httpx.AsyncClient, fleet: Fleet, db: Database
) -> None:
    now = utcnow()
    with db.writer() as session:
        session.add_all(
            Device(
                dealer_id=fleet.dealer_id,
                site_id=fleet.acme_site_id,
                address=f"10.9.0.{n}",
                kind="printer",
                model=f"Bulk {n:03d}",
                first_seen_at=now - timedelta(days=1),
                last_seen_at=now,
            )
            for n in range(60)
        )
    http = await signed_in(browser, fleet, "alice")
    rows_only = {"HX-Request": "true"}
    first = await http.get("/", params={"q": "bulk"}, headers=rows_only)
    assert "Bulk 000" in first.text and "Bulk 049" in first.text and "Bulk 050" not in first.text
    link = first.text.split('id="next-page" href="')[1].split('"')[0].replace("&amp;", "&")
    second = await http.get(link, headers=rows_only)
    assert "Bulk 050" in second.text and "Bulk 059" in second.text and "Bulk 049" not in second.text
    assert 'id="next-page"' not in second.text


async def test_it_shows_printer_strings_as_text(browser: httpx.AsyncClient, fleet: Fleet) -> None:
    page = await (await signed_in(browser, fleet, "alice")).get("/")
    assert HOSTILE_LOCATION not in page.text
    assert "&lt;img src=x onerror=&#34;window.pwned=2&#34;&gt;Floor 2" in page.text
