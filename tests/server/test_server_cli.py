"""``printscout server``: migrate, add-collector, rollup and purge from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from printscout.cli.main import main
from printscout.storage import schema
from printscout.storage.accounts import collector_by_key
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.storage.fleet_samples import fleet_batch


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRINTSCOUT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PRINTSCOUT_LOG__LEVEL", "WARNING")
    return tmp_path


def test_it_migrates_adds_a_collector_and_rolls_up(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["server", "migrate"]) == 0
    assert f"database at revision {schema.head()}" in capsys.readouterr().out
    assert main(["server", "migrate", "--check"]) == 0
    capsys.readouterr()
    args = ["--dealer", "D", "--customer", "C", "--site", "S", "--name", "hq"]
    assert main(["server", "add-collector", *args]) == 0
    created = json.loads(capsys.readouterr().out)
    db = Database(DatabaseConfig(sqlite_url(data_dir)))
    try:
        with db.reader() as session:
            collector = collector_by_key(session, created["key"])
        assert collector is not None and str(collector.public_id) == created["collector"]
        at = datetime.now(UTC) - timedelta(hours=2)
        store_batch(db, collector, fleet_batch(created["collector"], range(3), at), IngestRules())
    finally:
        db.dispose()
    assert main(["server", "rollup"]) == 0
    assert json.loads(capsys.readouterr().out)["device_days"] == 3
    assert main(["server", "purge"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["readings_purged"], report["batches_purged"]) == (0, 0)


def test_it_refuses_to_work_on_an_unmigrated_database(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["server", "purge"]) == 2
    assert "run `printscout server migrate`" in capsys.readouterr().err
    assert main(["server", "migrate", "--check"]) == 2


def test_it_downgrades_on_request(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "migrate"]) == 0
    assert main(["server", "migrate", "--downgrade", "base"]) == 0
    assert "database at revision none" in capsys.readouterr().out
    db = Database(DatabaseConfig(sqlite_url(data_dir)))
    try:
        assert schema.current(db) is None
    finally:
        db.dispose()


def test_it_refuses_a_placeholder_secret(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRINTSCOUT_SECRET_KEY", "changeme")
    assert main(["server", "serve", "--port", "0"]) == 2
    assert "secret key is a placeholder" in capsys.readouterr().err
