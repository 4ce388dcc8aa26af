"""Server settings: TOML file, then environment; placeholder secrets refused."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from printscout.server.errors import ConfigError
from printscout.server.settings import load_settings, secret_key

GOOD_SECRET = "s3cr3t-" + "x" * 40


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "server.toml"
    path.write_text(text)
    return path


def test_it_reads_the_file_and_lets_the_environment_override_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_toml(
        tmp_path,
        f'data_dir = "{tmp_path}"\nsecret_key = "{GOOD_SECRET}"\n'
        '[http]\nport = 9000\nhost = "0.0.0.0"\n[retention]\nraw_days = 30\n',
    )
    monkeypatch.setenv("PRINTSCOUT_HTTP__PORT", "9100")
    monkeypatch.setenv("PRINTSCOUT_INGEST__MAX_BATCHES", "7")
    settings = load_settings(path)
    assert (settings.http.host, settings.http.port) == ("0.0.0.0", 9100)
    assert (settings.retention.raw_days, settings.ingest.max_batches) == (30, 7)
    assert settings.database_config().url.endswith(f"{tmp_path}/printscout.sqlite3")
    assert settings.ingest_rules().raw_days == 30


def test_it_refuses_placeholder_and_short_secrets(tmp_path: Path) -> None:
    for secret, why in (("changeme", "placeholder"), ("CHANGE_ME", "placeholder"), ("abc", "32")):
        with pytest.raises(ConfigError, match=why):
            load_settings(write_toml(tmp_path, f'secret_key = "{secret}"\n'))


def test_it_refuses_a_placeholder_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRINTSCOUT_DATABASE__URL", "postgresql://printscout:changeme@db/printscout")
    with pytest.raises(ConfigError, match=r"database\.url: .*placeholder"):
        load_settings()
    monkeypatch.setenv("PRINTSCOUT_DATABASE__URL", "postgresql://printscout:Xk29!ab@db/printscout")
    assert "Xk29" in load_settings().database_config().url


def test_it_refuses_unknown_settings_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match=r"http\.prot: Extra inputs are not permitted"):
        load_settings(write_toml(tmp_path, "[http]\nprot = 1\n"))


def test_it_keeps_a_generated_secret_in_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    first = secret_key(settings)
    assert secret_key(settings) == first
    assert len(first.get_secret_value()) >= 32
    mode = stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode)
    assert mode == 0o600
    (tmp_path / "data" / "secret_key").write_text("changeme")
    with pytest.raises(ConfigError, match="placeholder"):
        secret_key(settings)
