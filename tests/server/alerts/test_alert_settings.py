"""The [alerts] settings section: SMTP and intervals from TOML and the environment, turned
into the service's and the dispatcher's configuration."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from printscout.server.alerts.setup import alert_config, dispatch_config
from printscout.server.errors import ConfigError
from printscout.server.settings import load_settings

SECRET = "s3cr3t-" + "x" * 40


def test_it_reads_smtp_settings_with_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "server.toml"
    path.write_text(
        f'secret_key = "{SECRET}"\n[alerts]\nsmtp_host = "mail.dealer.test"\nsmtp_port = 465\n'
        'smtp_tls = "tls"\nsmtp_username = "printscout"\nsweep_interval_s = 30\n'
    )
    monkeypatch.setenv("PRINTSCOUT_ALERTS__SMTP_PASSWORD", "relay-Pa55-word")
    settings = load_settings(path)
    smtp = dispatch_config(settings.alerts).smtp
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.tls, smtp.password) == (
        "mail.dealer.test", 465, "tls", "relay-Pa55-word",
    )  # fmt: skip
    assert "relay-Pa55-word" not in repr(settings)
    assert alert_config(settings.alerts).sweep_interval == timedelta(seconds=30)


def test_it_sends_no_email_without_a_host_and_refuses_a_placeholder_password(
    tmp_path: Path,
) -> None:
    assert dispatch_config(load_settings(secret_key=SECRET).alerts).smtp is None
    with pytest.raises(ConfigError, match="SMTP password is a placeholder"):
        load_settings(secret_key=SECRET, alerts={"smtp_password": "changeme"})
    with pytest.raises(ConfigError, match="smtp_tls"):
        load_settings(secret_key=SECRET, alerts={"smtp_tls": "ssl3"})
