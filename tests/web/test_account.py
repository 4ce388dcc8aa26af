"""The account page: changing one's password and choosing the language."""

from __future__ import annotations

import httpx
import pytest

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage.session import Database
from tests.web.conftest import BASE, csrf_of, sign_in, signed_in
from tests.web.seed import PASSWORD, Fleet

pytestmark = pytest.mark.anyio
NEW = "a much better passphrase"


async def test_it_changes_the_password_and_signs_out_other_sessions(
    browser: httpx.AsyncClient, fleet: Fleet, settings: ServerSettings, db: Database
) -> None:
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as elsewhere:
        await signed_in(elsewhere, fleet, "oscar")
        http = await signed_in(browser, fleet, "oscar")
        csrf = csrf_of(await http.get("/account"))
        form = {"csrf": csrf, "password": "wrong one!", "new_password": NEW, "repeat_password": NEW}
        wrong = await http.post("/account/password", data=form)
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        short = await http.post("/account/password", data={**form, "new_password": "short"})
        assert short.status_code == 400
        good = await http.post("/account/password", data={**form, "password": PASSWORD})
        assert good.status_code == 200 and "password was changed" in good.text
        assert (await http.get("/")).status_code == 200  # this session stays
        assert (await elsewhere.get("/")).status_code == 303  # the other one is gone
        assert (await sign_in(elsewhere, fleet.users["oscar"])).status_code == 401
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as fresh:
        assert (await sign_in(fresh, fleet.users["oscar"], NEW)).status_code == 303


async def test_it_speaks_german_once_chosen(browser: httpx.AsyncClient, fleet: Fleet) -> None:
    http = await signed_in(browser, fleet, "vera")
    assert "Sign out" in (await http.get("/")).text
    csrf = csrf_of(await http.get("/account"))
    answer = await http.post("/account/language", data={"csrf": csrf, "language": "de"})
    assert answer.status_code == 303
    page = (await http.get("/")).text
    assert (
        "Abmelden" in page
        and '<html lang="de">' in page
        and "Niedrigste Verbrauchsmaterialien" in page
    )
    bad = await http.post("/account/language", data={"csrf": csrf, "language": "xx"})
    assert bad.status_code == 400


async def test_it_greets_a_german_browser_in_german_before_login(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert "Anmelden" in page.text
