"""Collector releases on the server: key generation, publishing, and the routes collectors call."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from printscout.cli.main import main
from printscout.domain.release import load_public_key, verify_manifest
from printscout.server.releases import MANIFEST_PATH, WHEEL_PATH, publish_release, release_dir
from printscout.server.settings import ServerSettings
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.anyio


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's data folder for commands run from the command line."""
    monkeypatch.setenv("PRINTSCOUT_DATA_DIR", str(tmp_path / "server"))
    monkeypatch.setenv("PRINTSCOUT_LOG__LEVEL", "WARNING")
    return tmp_path / "server"


def test_it_generates_a_key_pair_and_publishes_a_signed_release(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    assert main(["server", "release-key", "generate", "--out", str(keys)]) == 0
    made = json.loads(capsys.readouterr().out)
    private = keys / "release-signing.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert main(["server", "release-key", "generate", "--out", str(keys)]) == 2  # kept
    wheel = build_wheel(tmp_path / "dist", "0.5.0")
    assert main(["server", "publish-release", str(wheel), "--signing-key", str(private)]) == 0
    published = json.loads(capsys.readouterr().out)
    assert published["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    document = (data_dir / "releases" / "current.json").read_bytes()
    manifest = verify_manifest(
        document, load_public_key((keys / "release-signing.pub").read_bytes())
    )
    assert (manifest.version, manifest.wheel, manifest.size) == (
        "0.5.0", wheel.name, wheel.stat().st_size,
    )  # fmt: skip
    assert json.loads(document)["key_id"] == made["key_id"]


def test_it_refuses_a_signing_key_that_is_not_ed25519(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = build_wheel(tmp_path / "dist", "0.5.0")
    assert main(["server", "bundle-key"]) == 0  # an X25519 key: the wrong kind
    capsys.readouterr()
    wrong = data_dir / "bundle-key.pem"
    assert main(["server", "publish-release", str(wheel), "--signing-key", str(wrong)]) == 2
    assert "Ed25519" in capsys.readouterr().err
    assert not (data_dir / "releases" / "current.json").exists()


async def test_collectors_fetch_the_manifest_and_the_wheel(
    client: httpx.AsyncClient, settings: ServerSettings, tmp_path: Path
) -> None:
    assert (await client.get(MANIFEST_PATH)).status_code == 404
    key = Ed25519PrivateKey.generate()
    wheel = build_wheel(tmp_path / "dist", "0.5.0")
    publish_release(wheel, key, release_dir(settings.data_dir))
    got = await client.get(MANIFEST_PATH)
    assert got.status_code == 200
    assert verify_manifest(got.content, key.public_key()).wheel == wheel.name
    download = await client.get(WHEEL_PATH.format(filename=wheel.name))
    assert (download.status_code, download.content) == (200, wheel.read_bytes())
    for name in ("current.json", ".hidden.whl", "nothing-1.0-py3-none-any.whl"):
        assert (await client.get(WHEEL_PATH.format(filename=name))).status_code == 404
    assert (await client.get("/api/v1/collector/release/wheel/..%2Fsecret_key")).status_code == 404
    anonymous = await client.get(MANIFEST_PATH, headers={"Authorization": ""})
    assert anonymous.status_code == 401
