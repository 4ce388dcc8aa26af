"""Importing offline bundles: once only, whatever arrived online, refusing what is not genuine."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import Request
from sqlalchemy import func, select

from printscout.cli.main import main
from printscout.collector.bundle import export_bundle, load_server_key
from printscout.domain.bundle import BundleReplayError, recipient_id
from printscout.server.app import create_app
from printscout.server.bundles import (
    KEY_PATH,
    UPLOAD_PATH,
    bundle_ingest,
    bundle_private_key,
    bundle_public_pem,
    import_bundle,
)
from printscout.server.settings import ServerSettings
from printscout.storage.accounts import CollectorRecord, Role, Scope
from printscout.storage.readings import ReadingRecord
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.storage.fleet_samples import fleet_batch, wire
from tests.support.certs import Issued, issue, make_ca

pytestmark = pytest.mark.anyio


def readings_in(db: Database) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(ReadingRecord)) or 0


def _batches(collector: CollectorRecord, count: int = 3) -> list[dict[str, Any]]:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    return [
        wire(fleet_batch(str(collector.public_id), range(n, n + 4), at + timedelta(minutes=n)))
        for n in range(0, 4 * count, 4)
    ]


def _identity(collector: CollectorRecord) -> Issued:
    return issue(make_ca(), str(collector.public_id))


def _bundle(
    settings: ServerSettings,
    me: Issued,
    collector: CollectorRecord,
    batches: list[dict[str, Any]],
    folder: Path,
    now: datetime | None = None,
) -> Path:
    server_key = load_server_key(bundle_public_pem(settings))
    return export_bundle(
        batches, folder, collector=str(collector.public_id), signing_key=me.key,
        server_key=server_key, now=now,
    )  # fmt: skip


def _lookup(me: Issued) -> Callable[[str], x509.Certificate | None]:
    return lambda collector: me.certificate


def _import(settings: ServerSettings, db: Database, me: Issued, path: Path) -> dict[str, Any]:
    report = import_bundle(
        path.read_bytes(), db=db, ingest=bundle_ingest(db, settings),
        private_key=bundle_private_key(settings.data_dir), certificate_for=_lookup(me),
        batch_days=settings.retention.batch_days, clock_skew=timedelta(hours=1),
    )  # fmt: skip
    return report.summary()


def test_it_stores_a_bundle_once_however_often_it_is_imported(
    settings: ServerSettings, db: Database, collector: CollectorRecord, tmp_path: Path
) -> None:
    me = _identity(collector)
    path = _bundle(settings, me, collector, _batches(collector), tmp_path)
    first = _import(settings, db, me, path)
    assert (first["stored"], first["duplicate"], first["rejected"]) == (3, 0, [])
    assert readings_in(db) == 12
    again = _import(settings, db, me, path)
    assert (again["stored"], again["duplicate"], again["already_imported"]) == (0, 3, True)
    assert readings_in(db) == 12


async def test_it_stores_nothing_twice_after_the_batches_arrived_online(
    settings: ServerSettings,
    db: Database,
    keyed: tuple[CollectorRecord, str],
    client: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    collector = keyed[0]
    batches = _batches(collector)
    # the link came back for the first two batches; the bundle holds all three
    for batch in batches[:2]:
        assert (await client.post("/api/v1/ingest", json=batch)).status_code == 200
    assert readings_in(db) == 8
    me = _identity(collector)
    summary = _import(settings, db, me, _bundle(settings, me, collector, batches, tmp_path))
    assert (summary["stored"], summary["duplicate"]) == (1, 2)
    assert readings_in(db) == 12


def test_it_refuses_a_bundle_too_old_to_deduplicate_or_from_the_future(
    settings: ServerSettings, db: Database, collector: CollectorRecord, tmp_path: Path
) -> None:
    me = issue(
        make_ca(), str(collector.public_id), not_before=datetime.now(UTC) - timedelta(days=400)
    )
    days = settings.retention.batch_days
    old = datetime.now(UTC) - timedelta(days=days + 1)
    path = _bundle(settings, me, collector, _batches(collector, 1), tmp_path / "old", now=old)
    with pytest.raises(BundleReplayError, match="no longer remembered"):
        _import(settings, db, me, path)
    future = datetime.now(UTC) + timedelta(days=2)
    path = _bundle(settings, me, collector, _batches(collector, 1), tmp_path / "new", now=future)
    with pytest.raises(BundleReplayError, match="in the future"):
        _import(settings, db, me, path)
    assert readings_in(db) == 0


class _Resolver:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def resolve(self, request: Request) -> Scope | None:
        return self.scope


def _app_client(
    settings: ServerSettings, db: Database, scope: Scope, me: Issued | None
) -> httpx.AsyncClient:
    app = create_app(settings, database=db)
    app.state.scope_resolvers = [_Resolver(scope)]
    if me is not None:
        app.state.collector_certificates = _lookup(me)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ps.test")


async def test_an_admin_uploads_a_bundle_and_others_are_refused(
    settings: ServerSettings, db: Database, collector: CollectorRecord, tmp_path: Path
) -> None:
    me = _identity(collector)
    data = _bundle(settings, me, collector, _batches(collector), tmp_path).read_bytes()
    admin = Scope(1, collector.dealer_id, Role.ADMIN, None)
    async with _app_client(settings, db, Scope(2, collector.dealer_id, Role.VIEWER, None), me) as c:
        assert (await c.post(UPLOAD_PATH, content=data)).status_code == 403
    other_customer = Scope(3, collector.dealer_id, Role.OPERATOR, frozenset({-1}))
    async with _app_client(settings, db, other_customer, me) as c:
        assert (await c.post(UPLOAD_PATH, content=data)).status_code == 403
    async with _app_client(settings, db, admin, None) as c:
        # the server's own store: this collector's certificate was not issued here
        unknown = await c.post(UPLOAD_PATH, content=data)
        assert (unknown.status_code, "no certificate" in unknown.json()["detail"]) == (400, True)
    async with _app_client(settings, db, admin, me) as c:
        tampered = bytearray(data)
        tampered[-5] ^= 0x10
        refused = await c.post(UPLOAD_PATH, content=bytes(tampered))
        assert refused.status_code == 400
        assert "altered" in refused.json()["detail"]
        truncated = await c.post(UPLOAD_PATH, content=data[:-100])
        assert (truncated.status_code, "truncated" in truncated.json()["detail"]) == (400, True)
        stored = await c.post(UPLOAD_PATH, content=data)
        assert stored.status_code == 200
        assert (stored.json()["stored"], stored.json()["collector"]) == (
            3,
            str(collector.public_id),
        )
    assert readings_in(db) == 12


def test_the_command_line_imports_a_bundle_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PRINTSCOUT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PRINTSCOUT_LOG__LEVEL", "WARNING")
    assert main(["server", "migrate"]) == 0
    args = ["--dealer", "D", "--customer", "C", "--site", "S", "--name", "offline"]
    assert main(["server", "add-collector", *args]) == 0
    collector_id = json.loads(capsys.readouterr().out.splitlines()[-1])["collector"]
    assert main(["server", "bundle-key"]) == 0
    server_key = load_server_key(capsys.readouterr().out.encode())
    me = issue(make_ca(), collector_id)
    at = datetime.now(UTC) - timedelta(hours=1)
    path = export_bundle(
        [wire(fleet_batch(collector_id, range(5), at))], tmp_path / "out",
        collector=collector_id, signing_key=me.key, server_key=server_key,
    )  # fmt: skip
    pem = tmp_path / "collector.pem"
    pem.write_bytes(me.certificate.public_bytes(Encoding.PEM))
    assert main(["server", "import-bundle", str(path), "--certificate", str(pem)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["stored"], summary["collector"]) == (1, collector_id)
    stranger = issue(make_ca(), collector_id)
    pem.write_bytes(stranger.certificate.public_bytes(Encoding.PEM))
    assert main(["server", "import-bundle", str(path), "--certificate", str(pem)]) == 2
    assert "signature does not verify" in capsys.readouterr().err
    db = Database(DatabaseConfig(sqlite_url(tmp_path)))
    try:
        assert readings_in(db) == 5
    finally:
        db.dispose()


async def test_collectors_fetch_the_bundle_key_they_encrypt_to(
    client: httpx.AsyncClient, settings: ServerSettings
) -> None:
    got = await client.get(KEY_PATH)
    assert got.status_code == 200
    assert got.content == bundle_public_pem(settings)
    assert stat.S_IMODE((settings.data_dir / "bundle-key.pem").stat().st_mode) == 0o600
    key = load_server_key(got.content)
    assert recipient_id(key) == recipient_id(bundle_private_key(settings.data_dir).public_key())
    assert (await client.get(KEY_PATH, headers={"Authorization": ""})).status_code == 401


def test_servers_starting_together_keep_one_bundle_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: bundle_private_key(tmp_path), range(16)))
    assert len({recipient_id(k.public_key()) for k in keys}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["bundle-key.pem"]
