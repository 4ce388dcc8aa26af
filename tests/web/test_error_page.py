"""A refused console request shows a page with the reason and a way back, in the user's
language; the API and clients that do not ask for HTML keep JSON."""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import BASE, csrf_of, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio
HTML = {"accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


async def test_a_bad_form_answers_with_a_page_naming_the_field_and_leading_back(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "oscar")
    page = await http.get("/collectors")
    form = {"csrf": csrf_of(page), "discover_every_s": "hourly", "poll_every_s": "300",
            "identity_every_s": "86400"}  # fmt: skip
    headers = {**HTML, "referer": f"{BASE}/collectors?site={fleet.acme_site_id}"}
    answer = await http.post(
        f"/collectors/sites/{fleet.acme_site_id}/schedule", data=form, headers=headers
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert 'id="error">discover_every_s: a whole number, please' in answer.text
    assert f'href="/collectors?site={fleet.acme_site_id}" id="back"' in answer.text


@pytest.mark.parametrize(
    "referer", ["https://elsewhere.example/x", f"{BASE}//elsewhere.example/x", f"{BASE}/\\x"]
)
async def test_the_page_is_in_the_browsers_language_and_back_never_leaves_the_console(
    browser: httpx.AsyncClient, referer: str
) -> None:
    headers = {**HTML, "accept-language": "de", "referer": referer}
    answer = await browser.get("/no-such-page", headers=headers)
    assert answer.status_code == 404
    assert "Nicht ausgeführt" in answer.text and "Zurück" in answer.text
    assert 'href="/" id="back"' in answer.text
    assert 'id="logout"' not in answer.text  # nobody is signed in


async def test_a_signed_in_user_gets_their_own_language_and_the_navigation(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "oscar")
    csrf = csrf_of(await http.get("/account"))
    assert (await http.post("/account/language", data={"csrf": csrf, "language": "de"})).is_redirect
    answer = await http.get("/no-such-page", headers={**HTML, "accept-language": "en"})
    assert answer.status_code == 404
    assert "Nicht ausgeführt" in answer.text and 'id="logout"' in answer.text


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/no-such-page", {}),
        ("/api/v1/no-such-thing", HTML),
        ("/no-such-page", {**HTML, "hx-request": "true"}),
    ],
    ids=["no html asked", "api", "htmx"],
)
async def test_the_api_and_other_clients_keep_json(
    browser: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    answer = await browser.get(path, headers=headers)
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not Found"}
