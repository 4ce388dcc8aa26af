"""The reports page: a form whose buttons GET the report downloads with the chosen filters."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.conftest import signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio


async def test_it_offers_each_report_in_each_format_with_the_filters(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    page = (await (await signed_in(browser, fleet, "vera")).get("/reports")).text
    actions = re.findall(r'formaction="([^"]+)"', page)
    assert actions == [
        f"/reports/{kind}.{fmt}"
        for kind in ("billing", "supplies", "not-reporting")
        for fmt in ("csv", "xlsx", "pdf")
    ]
    form = page.split('id="report-form"')[1].split("</form>")[0]
    assert 'method="get"' in page.split('id="report-form"')[1][:80]
    names = set(re.findall(r'name="([^"]+)"', form))
    assert names == {"customer_id", "site_id", "start", "end"}
    assert f'value="{fleet.acme_id}"' in form and f'value="{fleet.globex_id}"' not in form
