"""The ``[api]`` settings: read from the file and environment, bounded, and used by the API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from printscout.server.app import create_app
from printscout.server.errors import ConfigError
from printscout.server.settings import ApiSettings, ServerSettings, load_settings
from printscout.storage.fleet import Device
from printscout.storage.session import Database
from tests.server.api.personas import BASE, Fleet

SECRET = "s3cr3t-" + "y" * 40


def test_it_reads_the_api_table_and_its_environment_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "server.toml"
    path.write_text(f'secret_key = "{SECRET}"\n[api]\nstale_after_s = 600\ntoken_touch_s = 5\n')
    monkeypatch.setenv("PRINTSCOUT_API__TOKEN_TOUCH_S", "0")
    settings = load_settings(path)
    assert (settings.api.stale_after_s, settings.api.token_touch_s) == (600, 0)


def test_it_refuses_a_stale_window_under_a_minute(tmp_path: Path) -> None:
    path = tmp_path / "server.toml"
    path.write_text(f'secret_key = "{SECRET}"\n[api]\nstale_after_s = 5\n')
    with pytest.raises(ConfigError, match=r"api\.stale_after_s"):
        load_settings(path)


@pytest.mark.anyio
async def test_it_judges_devices_offline_by_the_stale_window(
    settings: ServerSettings, db: Database, fleet: Fleet
) -> None:
    an_hour_ago = fleet.polled_at - timedelta(minutes=50)
    with db.writer() as session:
        hq = update(Device).where(Device.site_id == fleet.sites["HQ"])
        session.execute(hq.values(last_seen_at=an_hour_ago))
    found = {}
    for window in (1800, 7200):
        wider = settings.model_copy(update={"api": ApiSettings(stale_after_s=window)})
        transport = httpx.ASGITransport(app=create_app(wider, database=db))
        headers = {"Authorization": f"Bearer {fleet.tokens['admin']}"}
        async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=headers) as c:
            offline = await c.get("/api/v1/devices", params={"state": "offline"})
        found[window] = [d["site"]["name"] for d in offline.json()["items"]]
    assert found == {1800: ["HQ", "HQ", "HQ"], 7200: []}
