"""Collector agent settings: ``collector.toml`` in the data directory, then
``PRINTSCOUT_COLLECTOR_*`` environment variables, then arguments given in code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from printscout.collector.errors import CollectorError

CONFIG_FILE: Final = "collector.toml"


class UpdateSettings(BaseModel):
    """Self-update (opt-in): ``[updates]`` in collector.toml."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=False, description="install signed releases the server offers")
    public_key: Path | None = Field(default=None, description="the pinned release key (PEM)")
    venv: Path | None = Field(default=None, description="where to install (default: this one)")
    pip_python: Path | None = Field(default=None, description="interpreter whose pip installs")


class CollectorSettings(BaseSettings):
    """Everything a collector process is configured with."""

    model_config = SettingsConfigDict(
        env_prefix="PRINTSCOUT_COLLECTOR_", env_nested_delimiter="__", extra="forbid"
    )

    data_dir: Path = Field(default=Path("collector-data"), description="identity, outbox, state")
    server_url: str | None = Field(default=None, description="https://server:port (from enrol)")
    collector_id: str | None = Field(default=None, description="set by enrol")
    batch_readings: int = Field(default=500, ge=1, le=5000, description="readings per batch")
    batches_per_request: int = Field(default=20, ge=1, le=100, description="batches per upload")
    outbox_max_mb: float = Field(default=256.0, gt=0, description="outbox size cap")
    spill_max_readings: int = Field(
        default=20_000, ge=0, description="readings kept in memory while the outbox disk is full"
    )
    time_scale: float = Field(
        default=1.0, ge=1.0, description="run the server's schedule this many times faster (tests)"
    )
    request_timeout_s: float = Field(default=60.0, gt=0)
    stop_grace_s: float = Field(
        default=5.0, ge=0, description="on SIGTERM, how long an upload under way may finish"
    )
    backoff_base_s: float = Field(default=1.0, gt=0, description="first retry delay")
    backoff_max_s: float = Field(default=300.0, gt=0, description="longest retry delay")
    snmp_timeout_s: float = Field(default=1.0, gt=0)
    snmp_retries: int = Field(default=1, ge=0)
    watchdog: bool = Field(default=True, description="sd_notify when NOTIFY_SOCKET is set")
    updates: UpdateSettings = Field(default_factory=UpdateSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Code, then environment, then ``collector.toml`` in the data directory."""
        given: dict[str, Any] = getattr(init_settings, "init_kwargs", {})
        toml = Path(given.get("data_dir") or "collector-data") / CONFIG_FILE
        if not toml.is_file():
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml))

    @property
    def identity_dir(self) -> Path:
        """Key, certificate and the pinned CA."""
        return self.data_dir / "identity"

    @property
    def key_path(self) -> Path:
        """The collector's private key (mode 0600)."""
        return self.identity_dir / "collector.key"

    @property
    def cert_path(self) -> Path:
        """The collector's client certificate."""
        return self.identity_dir / "collector.pem"

    @property
    def ca_path(self) -> Path:
        """The server CA the collector pins (the only trust anchor it uses)."""
        return self.identity_dir / "ca.pem"

    @property
    def outbox_path(self) -> Path:
        """The store-and-forward queue."""
        return self.data_dir / "outbox.sqlite3"

    @property
    def status_path(self) -> Path:
        """What the running service last wrote about itself (``collector status`` reads it)."""
        return self.data_dir / "status.json"

    @property
    def bundle_key_path(self) -> Path:
        """The server's bundle key, fetched while online (offline bundles are encrypted to it)."""
        return self.data_dir / "server-bundle-key.pem"

    @property
    def log_path(self) -> Path:
        """The service's log file (its tail goes to the server on ``send_logs``)."""
        return self.data_dir / "collector.log"


def load_collector_settings(data_dir: Path | None = None, **given: Any) -> CollectorSettings:
    """Build the settings (reads the environment and the data directory's file)."""
    given["data_dir"] = data_dir or Path(
        os.environ.get("PRINTSCOUT_COLLECTOR_DATA_DIR", "collector-data")
    )
    try:
        return CollectorSettings(**given)
    except ValidationError as exc:
        raise CollectorError(f"invalid collector settings: {exc}") from exc
