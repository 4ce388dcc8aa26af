"""Self-update: a signed release installs into a real venv; anything tampered is refused."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from printscout.collector.updates import RESTART_EXIT_CODE, UpdatePolicy, check_for_update
from printscout.domain.release import (
    ManifestError,
    SignatureError,
    VersionError,
    WheelError,
)
from printscout.server.app import create_app
from printscout.server.releases import CURRENT, publish_release, release_dir
from printscout.server.settings import ServerSettings
from printscout.storage import schema
from printscout.storage.session import Database, DatabaseConfig, sqlite_url
from tests.storage.databases import add_collector
from tests.support.wheels import MODULE, build_wheel

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    """A server whose data (and releases) live in a temporary folder."""
    return ServerSettings(data_dir=tmp_path / "server", secret_key=SecretStr("k" * 40))


@pytest.fixture
def db(settings: ServerSettings) -> Iterator[Database]:
    """The server's SQLite database."""
    settings.data_dir.mkdir(parents=True)
    database = Database(DatabaseConfig(sqlite_url(settings.data_dir)))
    schema.METADATA.create_all(database.engine)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
async def server(settings: ServerSettings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The collector's HTTP client to the server, authenticated as one collector."""
    _, key = add_collector(db)
    transport = httpx.ASGITransport(app=create_app(settings, database=db))
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://printscout.test", headers=headers
    ) as http:
        yield http


@pytest.fixture
def signing_key() -> Ed25519PrivateKey:
    """The release key the publisher holds."""
    return Ed25519PrivateKey.generate()


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """An empty virtual environment (pip runs from the test interpreter against it)."""
    path = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def _policy(key: Ed25519PrivateKey, venv: Path, tmp_path: Path, current: str) -> UpdatePolicy:
    return UpdatePolicy(
        enabled=True, public_key=key.public_key(), venv=venv, current_version=current,
        download_dir=tmp_path / "downloads", pip_python=Path(sys.executable),
    )  # fmt: skip


def _installed(venv: Path) -> str | None:
    probe = f"import {MODULE} as m; print(m.VERSION)"
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _publish(
    settings: ServerSettings,
    key: Ed25519PrivateKey,
    tmp_path: Path,
    version: str,
    min_version: str | None = None,
) -> Path:
    wheel = build_wheel(tmp_path / "build", version)
    publish_release(wheel, key, release_dir(settings.data_dir), min_version=min_version)
    return release_dir(settings.data_dir) / wheel.name


async def test_it_installs_a_signed_newer_release_and_asks_for_a_restart(
    server: httpx.AsyncClient,
    settings: ServerSettings,
    signing_key: Ed25519PrivateKey,
    venv: Path,
    tmp_path: Path,
) -> None:
    _publish(settings, signing_key, tmp_path, "0.2.0")
    outcome = await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.1.0"))
    assert (outcome.status, outcome.version, outcome.restart) == ("installed", "0.2.0", True)
    assert _installed(venv) == "0.2.0"
    assert RESTART_EXIT_CODE == 75
    again = await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.2.0"))
    assert (again.status, again.restart) == ("up_to_date", False)


async def test_it_refuses_a_tampered_manifest(
    server: httpx.AsyncClient,
    settings: ServerSettings,
    signing_key: Ed25519PrivateKey,
    venv: Path,
    tmp_path: Path,
) -> None:
    _publish(settings, signing_key, tmp_path, "0.2.0")
    current = release_dir(settings.data_dir) / CURRENT
    document = json.loads(current.read_text())
    # an attacker on the server points the manifest at a bigger version, keeping the signature
    body = json.loads(base64.b64decode(document["manifest"]))
    body["version"] = "9.0.0"
    document["manifest"] = base64.b64encode(json.dumps(body).encode()).decode()
    current.write_text(json.dumps(document))
    with pytest.raises(SignatureError) as refused:
        await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.1.0"))
    assert refused.value.report()["error"] == "bad_signature"
    assert not refused.value.retryable
    assert _installed(venv) is None


async def test_it_refuses_a_tampered_wheel(
    server: httpx.AsyncClient,
    settings: ServerSettings,
    signing_key: Ed25519PrivateKey,
    venv: Path,
    tmp_path: Path,
) -> None:
    stored = _publish(settings, signing_key, tmp_path, "0.2.0")
    evil = build_wheel(tmp_path / "evil", "0.2.0")
    data = bytearray(evil.read_bytes())
    data[-30] ^= 0xFF
    stored.write_bytes(bytes(data))
    with pytest.raises(WheelError) as refused:
        await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.1.0"))
    assert refused.value.report()["error"] == "wheel_mismatch"
    assert _installed(venv) is None
    assert list((tmp_path / "downloads").iterdir()) == []


async def test_it_refuses_a_release_signed_by_another_key(
    server: httpx.AsyncClient,
    settings: ServerSettings,
    signing_key: Ed25519PrivateKey,
    venv: Path,
    tmp_path: Path,
) -> None:
    _publish(settings, Ed25519PrivateKey.generate(), tmp_path, "0.2.0")
    with pytest.raises(SignatureError, match="pinned key"):
        await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.1.0"))
    assert _installed(venv) is None


async def test_it_refuses_an_older_release_and_one_needing_a_newer_base(
    server: httpx.AsyncClient,
    settings: ServerSettings,
    signing_key: Ed25519PrivateKey,
    venv: Path,
    tmp_path: Path,
) -> None:
    _publish(settings, signing_key, tmp_path, "0.0.9")
    with pytest.raises(VersionError, match="older") as refused:
        await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.1.0"))
    assert refused.value.report()["error"] == "version"
    _publish(settings, signing_key, tmp_path, "0.3.0", min_version="0.2.0")
    with pytest.raises(VersionError, match=r"needs 0\.2\.0"):
        await check_for_update(server, _policy(signing_key, venv, tmp_path, "0.1.0"))
    assert _installed(venv) is None


async def test_it_does_nothing_unless_enabled_or_published(
    server: httpx.AsyncClient,
    settings: ServerSettings,
    signing_key: Ed25519PrivateKey,
    venv: Path,
    tmp_path: Path,
) -> None:
    policy = _policy(signing_key, venv, tmp_path, "0.1.0")
    assert (await check_for_update(server, policy)).status == "no_release"
    _publish(settings, signing_key, tmp_path, "0.2.0")
    off = replace(policy, enabled=False)
    assert (await check_for_update(server, off)).status == "disabled"
    assert _installed(venv) is None


def test_it_refuses_to_publish_what_is_not_a_printscout_wheel(
    settings: ServerSettings, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    other = build_wheel(tmp_path, "1.0.0", package="other")
    with pytest.raises(ManifestError, match="not a printscout wheel"):
        publish_release(other, signing_key, release_dir(settings.data_dir))
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    with pytest.raises(ManifestError, match="not a wheel"):
        publish_release(notes, signing_key, release_dir(settings.data_dir))
