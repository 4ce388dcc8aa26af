"""The control channel between collector and server (``printscout.collector-config/1``).

A collector checks in (``POST /api/v1/collector/checkin`` with a ``CheckinReport``) and gets its
whole configuration back: the site's schedule, the ranges to sweep with their SNMP credentials,
the commands waiting for it, and an optional ``release`` (filled by the signed-update feature).
Enrolment (``EnrolRequest`` → ``EnrolResponse``) is the one call made without a certificate.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

CONFIG_SCHEMA: Final = "printscout.collector-config/1"
CommandKind = Literal["discover", "poll", "send_logs"]
COMMAND_KINDS: Final = ("discover", "poll", "send_logs")
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
MAX_INTERVAL_S: Final = 31 * 24 * 3600  # a month; also keeps values inside a database integer
MAX_TARGETS_TEXT: Final = 64 * 101  # 64 targets of up to 100 characters, space-separated


class _Control(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class V3Credential(_Control):
    """One SNMPv3 user to try on a range."""

    user: Name
    auth_protocol: str | None = None
    auth_key: str | None = None
    priv_protocol: str | None = None
    priv_key: str | None = None
    context: str = ""


class RangeCredentials(_Control):
    """The secrets of one range (stored encrypted on the server)."""

    communities: list[str] = Field(default_factory=list, max_length=16)
    v3: list[V3Credential] = Field(default_factory=list, max_length=16)


def _unprintable(c: str) -> bool:
    """Whitespace, control characters and lone surrogates (neither a target nor storable)."""
    return ord(c) <= 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF


class RangeConfig(_Control):
    """An address range to sweep: addresses, CIDRs or ranges as ``printscout scan`` takes."""

    # Printable ASCII without spaces: stored space-separated, and NUL breaks PostgreSQL.
    targets: list[
        Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[!-~]+$")]
    ] = Field(min_length=1, max_length=64)
    port: int = Field(default=161, ge=1, le=65535)
    credentials: RangeCredentials = Field(default_factory=RangeCredentials)

    @model_validator(mode="after")
    def _storable(self) -> RangeConfig:
        # The server keeps the targets as one space-separated text column.
        text = " ".join(self.targets)
        if len(text) > MAX_TARGETS_TEXT:
            raise ValueError(f"the targets take more than {MAX_TARGETS_TEXT} characters")
        if any(_unprintable(c) for target in self.targets for c in target):
            raise ValueError("targets cannot hold spaces or control characters")
        return self


class Schedule(_Control):
    """How often to discover, to poll, and to re-read static identity data."""

    discover_every_s: int = Field(default=6 * 3600, ge=10, le=MAX_INTERVAL_S)
    poll_every_s: int = Field(default=300, ge=1, le=MAX_INTERVAL_S)
    identity_every_s: int = Field(default=24 * 3600, ge=10, le=MAX_INTERVAL_S)
    mask_addresses: bool = False


class Command(_Control):
    """A command from the server."""

    id: int
    kind: CommandKind


class CollectorConfig(_Control):
    """Everything a collector is told at each check-in."""

    schema_id: Literal["printscout.collector-config/1"] = Field(
        default="printscout.collector-config/1", alias="schema"
    )
    collector: str
    site_id: int
    checkin_every_s: int
    schedule: Schedule = Field(default_factory=Schedule)
    ranges: list[RangeConfig] = Field(default_factory=list)
    commands: list[Command] = Field(default_factory=list)
    # Filled by the signed-update feature: what release this collector should run.
    release: dict[str, Any] | None = None


class CheckinReport(_Control):
    """What a collector says about itself at each check-in."""

    version: str = ""
    devices: int = 0
    outbox_batches: int = 0
    outbox_readings: int = 0
    outbox_bytes: int = 0
    outbox_full: bool = False
    dropped_readings: int = 0
    unsaved_readings: int = 0  # in memory only: the outbox's disk is full
    last_upload_at: str | None = None


class CollectorEvent(_Control):
    """``POST /api/v1/collector/events``: something the collector reports on its own (e.g. a
    refused update, with ``ReleaseError.report()`` as the detail)."""

    kind: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z_]+$")]
    detail: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=32)


class CommandResult(_Control):
    """What a collector reports when it finished a command (``send_logs``: the log tail)."""

    ok: bool = True
    detail: Annotated[str, StringConstraints(max_length=256 * 1024)] = ""


class EnrolRequest(_Control):
    """``POST /api/v1/enrol``: a token, a name, and a PEM certificate request."""

    token: Annotated[str, StringConstraints(min_length=10, max_length=300)]
    name: Name
    csr: Annotated[str, StringConstraints(min_length=100, max_length=16_384)]


class EnrolResponse(_Control):
    """The collector's certificate and the CA it must pin."""

    collector: str
    site_id: int
    certificate: str
    ca: str


class RenewRequest(_Control):
    """``POST /api/v1/collector/certificate``: a new CSR, sent with the current certificate."""

    csr: Annotated[str, StringConstraints(min_length=100, max_length=16_384)]


class RenewResponse(_Control):
    """The renewed certificate."""

    certificate: str
