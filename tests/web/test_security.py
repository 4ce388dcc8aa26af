"""Security headers on every answer, HSTS over HTTPS, the HTTP-to-HTTPS redirect."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from printscout.server.app import create_app
from printscout.server.settings import ConsoleSettings, ServerSettings
from printscout.storage.session import Database
from printscout.web.security import RedirectToHttps
from tests.server.conftest import SECRET
from tests.web.conftest import BASE, signed_in
from tests.web.seed import Fleet

pytestmark = pytest.mark.anyio


async def test_it_forbids_inline_scripts_and_framing(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/login")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in answer.headers  # plain HTTP in this test
    assert "<script>" not in answer.text and " on" + "load=" not in answer.text


async def test_it_keeps_pages_free_of_inline_script(
    browser: httpx.AsyncClient, fleet: Fleet
) -> None:
    http = await signed_in(browser, fleet, "alice")
    for path in ("/", f"/devices/{fleet.acme_device}", "/reports", "/users", "/account"):
        page = (await http.get(path)).text
        scripts = page.split("<script")[1:]
        assert all(s.split(">")[0].strip().startswith('src="/static/') for s in scripts), path


async def test_it_sends_hsts_and_secure_cookies_over_https(
    tmp_path: Path, db: Database, fleet: Fleet
) -> None:
    settings = ServerSettings(
        data_dir=tmp_path,
        secret_key=SecretStr(SECRET),
        console=ConsoleSettings(secure_cookies=True),
    )
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    async with httpx.AsyncClient(transport=transport, base_url="https://console.test") as http:
        answer = await http.get("/login")
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "secure" in answer.headers["set-cookie"].lower()
        await signed_in(http, fleet, "vera")
        assert (await http.get("/")).status_code == 200


async def test_it_redirects_plain_http_to_https() -> None:
    transport = httpx.ASGITransport(app=RedirectToHttps(8443))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        answer = await http.get("http://console.test:8080/devices/3?x=1")
        assert answer.status_code == 308
        assert answer.headers["location"] == "https://console.test:8443/devices/3?x=1"
        assert "strict-transport-security" in answer.headers
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=RedirectToHttps(443))) as http:
        answer = await http.get("http://[::1]/")
        assert answer.headers["location"] == "https://[::1]/"
