"""Self-update (opt-in): fetch the signed release manifest, verify it, install, ask to restart.

Order of checks: the Ed25519 signature with the pinned release key, then the version (newer
than the running one, and ``min_version`` not above it), then the wheel's size and SHA-256 as
it downloads. Only then is it installed, with ``pip install --no-deps --no-index`` into the
collector's own virtual environment, and the installed version read back. A refusal raises a
``ReleaseError`` whose ``report()`` the service sends to the server; nothing is installed.

After an install the service exits with ``RESTART_EXIT_CODE`` (75); the systemd unit restarts
it (``Restart=on-failure`` or ``RestartForceExitStatus=75``) on the new code.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from packaging.version import InvalidVersion, Version

from printscout.domain.release import (
    PACKAGE,
    FetchError,
    InstallError,
    ReleaseManifest,
    VersionError,
    WheelError,
    verify_manifest,
)

RESTART_EXIT_CODE: Final = 75  # EX_TEMPFAIL: "come back": systemd restarts the service
MANIFEST_PATH: Final = "/api/v1/collector/release"
WHEEL_PATH: Final = "/api/v1/collector/release/wheel/{filename}"
MAX_MANIFEST_BYTES: Final = 64 * 1024
PIP_TIMEOUT_S: Final = 300.0


@dataclass(frozen=True, slots=True)
class UpdatePolicy:
    """What the collector's update settings say."""

    enabled: bool
    public_key: Ed25519PublicKey  # the pinned release key
    venv: Path  # the collector's own virtual environment
    current_version: str
    download_dir: Path
    pip_python: Path | None = None  # interpreter whose pip installs (default: the venv's)


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    """What a check did; ``restart`` says the service must exit with RESTART_EXIT_CODE."""

    status: Literal["disabled", "no_release", "up_to_date", "installed"]
    version: str | None = None

    @property
    def restart(self) -> bool:
        """Whether new code was installed and the service must restart."""
        return self.status == "installed"


def decide(manifest: ReleaseManifest, current: str) -> bool:
    """Whether to install ``manifest`` over ``current``; raise VersionError when refused."""
    try:
        offered, running = Version(manifest.version), Version(current)
        floor = Version(manifest.min_version) if manifest.min_version else None
    except InvalidVersion as exc:
        raise VersionError(f"not a version: {exc}") from exc
    if manifest.package != PACKAGE:
        raise VersionError(f"release is {manifest.package}, not {PACKAGE}")
    if offered < running:
        raise VersionError(f"release {offered} is older than the running {running}: refused")
    if floor is not None and running < floor:
        raise VersionError(f"release {offered} needs {floor} or later installed first")
    return offered > running


async def check_for_update(client: httpx.AsyncClient, policy: UpdatePolicy) -> UpdateOutcome:
    """One update check against the server ``client`` talks to (its base URL, its mTLS)."""
    if not policy.enabled:
        return UpdateOutcome("disabled")
    document = await _fetch_manifest(client)
    if document is None:
        return UpdateOutcome("no_release")
    manifest = verify_manifest(document, policy.public_key)
    if not decide(manifest, policy.current_version):
        return UpdateOutcome("up_to_date", manifest.version)
    wheel = await download_wheel(client, manifest, policy.download_dir)
    python = policy.pip_python
    await asyncio.to_thread(install_wheel, wheel, policy.venv, manifest, pip_python=python)
    return UpdateOutcome("installed", manifest.version)


async def _fetch_manifest(client: httpx.AsyncClient) -> bytes | None:
    try:
        response = await client.get(MANIFEST_PATH)
    except httpx.HTTPError as exc:
        raise FetchError(f"release manifest: {exc}") from exc
    if response.status_code == httpx.codes.NOT_FOUND:
        return None
    if response.status_code != httpx.codes.OK or len(response.content) > MAX_MANIFEST_BYTES:
        raise FetchError(f"release manifest: HTTP {response.status_code}")
    return response.content


async def download_wheel(
    client: httpx.AsyncClient, manifest: ReleaseManifest, folder: Path
) -> Path:
    """Download the manifest's wheel, refusing it as soon as it differs in size or SHA-256."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    path = folder / manifest.wheel
    partial = folder / f".{manifest.wheel}.partial"
    digest, size = hashlib.sha256(), 0
    try:
        async with client.stream("GET", WHEEL_PATH.format(filename=manifest.wheel)) as response:
            if response.status_code != httpx.codes.OK:
                raise FetchError(f"release wheel: HTTP {response.status_code}")
            with partial.open("wb") as out:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > manifest.size:
                        raise WheelError(f"wheel larger than the manifest's {manifest.size} B")
                    digest.update(chunk)
                    out.write(chunk)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"release wheel: {exc}") from exc
    except WheelError:
        partial.unlink(missing_ok=True)
        raise
    if size != manifest.size or digest.hexdigest() != manifest.sha256:
        partial.unlink(missing_ok=True)
        raise WheelError(
            f"wheel is {size} B with SHA-256 {digest.hexdigest()}; the signed manifest says "
            f"{manifest.size} B and {manifest.sha256}: refused"
        )
    partial.replace(path)
    return path


def venv_python(venv: Path) -> Path:
    """The interpreter of a virtual environment."""
    return venv / "bin" / "python"


def install_wheel(
    wheel: Path, venv: Path, manifest: ReleaseManifest, *, pip_python: Path | None = None
) -> None:
    """Install ``wheel`` (no dependencies, no index) into ``venv``; check the version it got."""
    target = venv_python(venv)
    runner = [str(pip_python), "-m", "pip", "--python", str(target)] if pip_python else [
        str(target), "-m", "pip",
    ]  # fmt: skip
    command = [
        *runner, "install", "--no-deps", "--no-index", "--no-input",
        "--disable-pip-version-check", "--force-reinstall", str(wheel),
    ]  # fmt: skip
    _run(command, "pip install")
    probe = f"import importlib.metadata as m; print(m.version({manifest.package!r}))"
    installed = _run([str(target), "-c", probe], "version check").strip()
    if installed != manifest.version:
        raise InstallError(f"installed {installed}, expected {manifest.version}")


def _run(command: list[str], what: str) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"{what}: {exc}") from exc
    if done.returncode != 0:
        raise InstallError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout
