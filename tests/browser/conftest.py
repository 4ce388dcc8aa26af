"""Browser test fixtures: a real server on loopback with a seeded SQLite fleet, and Debian's
chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from pydantic import SecretStr

from printscout.server.app import create_app
from printscout.server.settings import ServerSettings
from printscout.storage import schema
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.server.conftest import SECRET
from tests.web.alert_seed import seed_alerts
from tests.web.seed import PASSWORD, Fleet, seed_fleet

CHROMIUM: Final = Path("/usr/bin/chromium")
ADDRESS: Final = "127.106.0.1"  # this feature's loopback range
ARTIFACTS: Final = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Fleet]]:
    """The whole application served by uvicorn on an ephemeral port; yields its URL and fleet."""
    folder = tmp_path_factory.mktemp("console")
    db = Database(DatabaseConfig(sqlite_url(folder)))
    schema.upgrade(db)
    fleet = seed_fleet(db)
    seed_alerts(db, fleet)
    settings = ServerSettings(data_dir=folder, secret_key=SecretStr(SECRET))
    listener = socket.create_server((ADDRESS, 0))
    config = uvicorn.Config(create_app(settings, database=db), log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the console server did not start"
    try:
        yield f"http://{ADDRESS}:{listener.getsockname()[1]}", fleet
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        db.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless chromium from Debian's package (installed by ``make test``)."""
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.fail("chromium is missing: `make test` installs the Debian package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page; CSP violations are collected."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    found = context.new_page()
    found.set_default_timeout(15_000)
    violations: list[str] = []
    found.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    found.csp_violations = violations  # type: ignore[attr-defined]
    try:
        yield found
    finally:
        context.close()


def log_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
