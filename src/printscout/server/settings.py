"""Server settings: one typed object from a TOML file and ``PRINTSCOUT_*`` environment variables.

Precedence: arguments given in code, then the environment (``PRINTSCOUT_DATABASE__URL``: a double
underscore goes one table down), then the TOML file. Secrets that look like placeholders are
refused, so a copied example configuration cannot go live.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

from printscout.server.errors import ConfigError
from printscout.server.files import create_once
from printscout.storage.ingest import IngestRules
from printscout.storage.retention import RetentionPolicy
from printscout.storage.session import DatabaseConfig, sqlite_url

PLACEHOLDERS: Final = frozenset(
    {"changeme", "change-me", "change_me", "changethis", "change-this", "secret", "password",
     "default", "example", "placeholder", "todo", "xxx", "none", "null"}
)  # fmt: skip
SECRET_FILE: Final = "secret_key"  # noqa: S105 (a file name, not a secret)


def is_placeholder(value: str) -> bool:
    """Whether a secret is a well-known stand-in rather than a real secret."""
    word = value.strip().lower()
    return not word or word in PLACEHOLDERS or word.startswith(("changeme", "change-me", "<"))


class _Section(BaseModel):
    """A table of the settings file; a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    """Where the data lives."""

    url: SecretStr | None = Field(
        default=None,
        description="e.g. postgresql://user:pass@host/db; unset: SQLite in data_dir",
    )
    pool_size: int = Field(default=8, ge=1, le=200, description="connections per process")
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="FULL", description="FULL: a batch acknowledged survives a power cut"
    )
    busy_timeout_s: float = Field(default=30.0, gt=0, description="SQLite lock wait")
    auto_migrate: bool = Field(default=True, description="upgrade the schema when serving")

    @field_validator("url")
    @classmethod
    def _refuse_placeholder_password(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None:
            password = make_url(url.get_secret_value()).password
            if password is not None and is_placeholder(str(password)):
                raise ValueError("the database password is a placeholder; set the real one")
        return url


class HttpSettings(_Section):
    """Where the server listens."""

    host: str = Field(default="127.0.0.1", description="address to bind")
    port: int = Field(default=8080, ge=0, le=65535, description="TCP port")


class IngestSettings(_Section):
    """Limits on what collectors may upload."""

    max_body_bytes: int = Field(default=8 << 20, ge=1024, description="request body as sent")
    max_decoded_bytes: int = Field(default=64 << 20, ge=1024, description="after zstd")
    max_batches: int = Field(default=100, ge=1, description="batches per request")
    max_readings: int = Field(default=5000, ge=1, le=10_000, description="readings per batch")
    clock_skew_s: int = Field(default=3600, ge=0, description="future readings tolerated")
    replacement_jump: int = Field(default=20, ge=1, le=100, description="level rise = new supply")
    concurrency: int | None = Field(
        default=None, ge=1, description="write transactions per process (default: by database)"
    )


class RetentionSettings(_Section):
    """How long data is kept."""

    raw_days: int = Field(default=90, ge=2, description="raw readings")
    daily_days: int = Field(default=5 * 366, ge=1, description="daily roll-ups")
    batch_days: int = Field(default=90, ge=1, description="batch ids remembered for de-duplication")
    alert_days: int = Field(default=400, ge=1, description="closed alerts, with their history")
    delivery_days: int = Field(default=90, ge=1, description="finished notifications and attempts")


class ReportSettings(_Section):
    """Report periods and the fonts PDF reports are set in (Debian fonts by default)."""

    max_days: int = Field(default=400, ge=1, description="longest period a report may cover")
    pdf_max_rows: int = Field(
        default=2000, ge=1, description="larger reports: CSV or XLSX (a PDF takes ~10 ms a row)"
    )
    pdf_font: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf_bold_font: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    pdf_fallback_fonts: list[Path] = Field(
        default=[Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")],
        description="for characters the main font lacks (CJK); missing files are skipped",
    )


class LogSettings(_Section):
    """Structured logs on standard error."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"
    access: bool = Field(default=False, description="one line per HTTP request")


class AlertSettings(_Section):
    """Alert evaluation and notifications (email over SMTP, webhooks)."""

    background: bool = Field(default=True, description="run the sweep and the sender in serve")
    sweep_interval_s: int = Field(default=60, ge=5, description="time-driven rules, per cluster")
    forecast_interval_s: int = Field(default=3600, ge=60, description="days-to-empty rules")
    dispatch_interval_s: float = Field(default=5.0, gt=0, description="outbox polling")
    history_days: int = Field(default=60, ge=1, description="level history for forecasts")
    order_horizon_days: int = Field(default=21, ge=1, description="order what runs out by then")
    max_attempts: int = Field(default=6, ge=1, le=50, description="per notification")
    backoff_s: float = Field(default=30.0, gt=0, description="first retry; doubles each time")
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="per webhook request")
    webhook_allowed_networks: list[IPvAnyNetwork] = Field(
        default_factory=list,
        description="non-public networks webhooks may reach (e.g. 10.20.0.0/16); others refused",
    )
    smtp_host: str | None = Field(default=None, description="unset: no email")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="587 STARTTLS, 465 TLS")
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = Field(default="printscout@localhost", description="sender address")
    smtp_ca_file: Path | None = Field(default=None, description="CA for a private relay")
    smtp_timeout_s: float = Field(default=30.0, gt=0)

    @field_validator("smtp_password")
    @classmethod
    def _refuse_placeholder_smtp_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and is_placeholder(value.get_secret_value()):
            raise ValueError("the SMTP password is a placeholder; set the real one")
        return value


class ApiSettings(_Section):
    """The integration API and the Prometheus endpoint."""

    token_touch_s: int = Field(default=60, ge=0, description="token last_used_at write interval")
    stale_after_s: int = Field(
        default=1800, ge=60, description="a device or collector not heard from so long is down"
    )


class CollectorServiceSettings(_Section):
    """Collectors as a service: mutual TLS, enrolment, check-ins (docs/collector.md)."""

    tls: bool = Field(default=False, description="serve HTTPS; collectors present certificates")
    hostnames: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1"],
        description="names and addresses in the server certificate",
    )
    certificate_days: int = Field(default=365, ge=1, le=3650, description="client certificates")
    token_hours: float = Field(default=24.0, gt=0, le=24 * 30, description="enrolment tokens")
    checkin_every_s: int = Field(default=60, ge=5, description="how often collectors check in")
    silent_after: int = Field(default=5, ge=1, description="missed check-ins before silent")


class ConsoleSettings(_Section):
    """The web console: sessions, login throttling and TLS."""

    session_hours: float = Field(default=12.0, gt=0, le=24 * 30, description="login lifetime")
    tls_cert_file: Path | None = Field(
        default=None, description="PEM certificate chain: serve HTTPS"
    )
    tls_key_file: Path | None = Field(
        default=None, description="PEM private key of the certificate"
    )
    redirect_port: int | None = Field(
        default=None, ge=0, le=65535, description="with TLS: also listen here and redirect to HTTPS"
    )
    secure_cookies: bool | None = Field(
        default=None, description="Secure cookies and HSTS (default: when TLS is configured)"
    )

    @property
    def tls(self) -> bool:
        """Whether the server itself terminates TLS."""
        return self.tls_cert_file is not None

    @property
    def https(self) -> bool:
        """Whether browsers reach the console over HTTPS (here or at a proxy in front)."""
        return self.tls if self.secure_cookies is None else self.secure_cookies


class ServerSettings(BaseSettings):
    """Everything the server process is configured with."""

    model_config = SettingsConfigDict(
        env_prefix="PRINTSCOUT_",
        env_nested_delimiter="__",
        extra="forbid",
        nested_model_default_partial_update=True,
    )

    config_file: Path | None = Field(default=None, description="TOML file read (if any)")
    data_dir: Path = Field(default=Path("data"), description="SQLite database and secret key")
    secret_key: SecretStr | None = Field(
        default=None, description="signs console sessions; unset: generated in data_dir"
    )
    database: DatabaseSettings = DatabaseSettings()
    http: HttpSettings = HttpSettings()
    ingest: IngestSettings = IngestSettings()
    retention: RetentionSettings = RetentionSettings()
    log: LogSettings = LogSettings()
    alerts: AlertSettings = AlertSettings()
    api: ApiSettings = ApiSettings()
    reports: ReportSettings = ReportSettings()
    collectors: CollectorServiceSettings = CollectorServiceSettings()
    console: ConsoleSettings = ConsoleSettings()

    @field_validator("secret_key")
    @classmethod
    def _refuse_weak_secret(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None:
            _check_secret(key.get_secret_value())
        return key

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Code, then environment, then the TOML file named by ``config_file``."""
        given: dict[str, Any] = getattr(init_settings, "init_kwargs", {})
        toml = given.get("config_file")
        if toml is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, Path(toml)))

    def database_config(self) -> DatabaseConfig:
        """The storage layer's view of the database settings."""
        d = self.database
        url = d.url.get_secret_value() if d.url else sqlite_url(self.data_dir)
        return DatabaseConfig(url, d.pool_size, d.sqlite_synchronous, d.busy_timeout_s)

    def ingest_rules(self) -> IngestRules:
        """The storage layer's ingest rules."""
        return IngestRules(
            raw_days=self.retention.raw_days,
            clock_skew=timedelta(seconds=self.ingest.clock_skew_s),
            replacement_jump=self.ingest.replacement_jump,
        )

    def retention_policy(self) -> RetentionPolicy:
        """The storage layer's retention policy."""
        r = self.retention
        return RetentionPolicy(
            r.raw_days, r.daily_days, r.batch_days, r.alert_days, r.delivery_days
        )


def _check_secret(value: str) -> None:
    if is_placeholder(value):
        raise ValueError("the secret key is a placeholder; generate a real one")
    if len(value) < 32:
        raise ValueError("the secret key must be at least 32 characters")


def load_settings(config_file: Path | None = None, **given: Any) -> ServerSettings:
    """Build the settings (the only place that reads the environment), or raise ConfigError."""
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"no such configuration file: {config_file}")
    try:
        return ServerSettings(config_file=config_file, **given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc


def secret_key(settings: ServerSettings) -> SecretStr:
    """The configured secret, else the one kept in ``data_dir`` (made on first use, mode 0600).

    Several servers sharing one database must be given the same key in their settings.
    """
    if settings.secret_key is not None:
        return settings.secret_key
    path = settings.data_dir / SECRET_FILE
    if not path.exists():  # servers starting together keep the first one's
        create_once(path, secrets.token_urlsafe(48).encode())
    value = path.read_text().strip()
    try:
        _check_secret(value)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return SecretStr(value)
