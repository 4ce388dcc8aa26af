"""The versioned upload schema between collector and server (``printscout.batch/1``).

A batch is what a collector sends in one piece and the server stores in one transaction::

    {"schema": "printscout.batch/1", "batch_id": "<uuid4>", "collector": "<collector id>",
     "created_at": "2026-11-23T18:50:39Z",
     "readings": [{"observed_at": "2026-11-23T18:45:00Z", ...scan-json device object...}]}

Each reading is the device object of ``../shared/contracts/scan-json.md`` plus ``observed_at``.
Unknown keys are ignored (the contract lets producers add keys); a breaking change gets a new
``schema`` string. Inside the server the batch becomes the frozen dataclasses at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from printscout.domain.reading import (
    Alert,
    Counters,
    DeviceKind,
    Identity,
    Reading,
    Status,
    Supply,
    SupplyState,
    Tray,
)

BATCH_SCHEMA: Final = "printscout.batch/1"
RESULT_SCHEMA: Final = "printscout.ingest-result/1"
MAX_READINGS_PER_BATCH: Final = 10_000

# Bounds keep one hostile collector from filling the database; the collector caps strings at
# 1,024 characters already (docs/reading.md).
Text = Annotated[str, StringConstraints(max_length=4096)]
Count = Annotated[int, Field(ge=0, lt=1 << 63)]
SmallInt = Annotated[int, Field(ge=-(1 << 31), lt=1 << 31)]
Address = Annotated[str, StringConstraints(min_length=1, max_length=255)]


def _in_utc_range(value: datetime) -> datetime:
    """Refuse an aware time that has no UTC equivalent (0001-01-01T00:00+05:00 and the like):
    the server stores UTC, and converting it would overflow."""
    try:
        value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("time out of range once converted to UTC") from exc
    return value


# Aware, and within datetime's range in UTC too.
UtcTime = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]


class _Wire(BaseModel):
    model_config = ConfigDict(
        extra="ignore", frozen=True, validate_by_name=True, serialize_by_alias=True
    )


class WireIdentity(_Wire):
    """``identity`` of the device object."""

    manufacturer: Text | None = None
    model: Text | None = None
    serial: Text | None = None
    firmware: Text | None = None
    mac: Text | None = None
    hostname: Text | None = None
    location: Text | None = None
    contact: Text | None = None
    asset_number: Text | None = None
    sys_object_id: Text | None = None
    sys_descr: Text | None = None
    uptime_s: Count | None = None


class WireAlert(_Wire):
    """One active alert."""

    severity: Text
    code: Text
    description: Text | None = None


class WireStatus(_Wire):
    """``status`` of the device object."""

    device: Text | None = None
    printer: Text | None = None
    errors: list[Text] = Field(default_factory=list, max_length=64)
    display: list[Text] = Field(default_factory=list, max_length=64)
    alerts: list[WireAlert] = Field(default_factory=list, max_length=256)


class WireSupply(_Wire):
    """One supply; ``class`` is the key's name on the wire."""

    index: SmallInt
    description: Text | None = None
    kind: Text
    color: Text | None = None
    level_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    state: SupplyState
    level: SmallInt | None = None
    max_capacity: SmallInt | None = None
    unit: Text | None = None
    serial: Text | None = None
    supply_class: Text | None = Field(default=None, alias="class")
    level_source: Text = "printer_mib"


class WireCounters(_Wire):
    """Lifetime counters; a key that is absent means unknown."""

    total: Count | None = None
    mono: Count | None = None
    color: Count | None = None
    print: Count | None = None
    # ``copy`` is a BaseModel method; the wire key stays ``copy``.
    copies: Count | None = Field(default=None, alias="copy")
    fax: Count | None = None
    scan: Count | None = None
    unit: Text | None = None
    large: Count | None = None
    anomalies: list[Text] = Field(default_factory=list, max_length=32)


class WireTray(_Wire):
    """One input tray."""

    index: SmallInt
    name: Text | None = None
    media: Text | None = None
    level: SmallInt | None = None
    max_capacity: SmallInt | None = None


class WireReading(_Wire):
    """One reading: the scan-json device object plus when it was read."""

    observed_at: UtcTime
    address: Address
    # every address the device answered on, ``address`` first (scan-json ``addresses``)
    addresses: list[Address] = Field(default_factory=list, max_length=64)
    kind: DeviceKind
    identity: WireIdentity = Field(default_factory=WireIdentity)
    status: WireStatus = Field(default_factory=WireStatus)
    supplies: list[WireSupply] = Field(default_factory=list, max_length=256)
    counters: WireCounters = Field(default_factory=WireCounters)
    trays: list[WireTray] = Field(default_factory=list, max_length=64)

    def to_domain(self) -> ObservedReading:
        """The frozen domain value."""
        return ObservedReading(self.observed_at.astimezone(UTC), _reading(self))


class WireBatch(_Wire):
    """One upload batch, stored (or refused) as a whole."""

    schema_id: Literal["printscout.batch/1"] = Field(alias="schema")
    batch_id: UUID
    collector: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    created_at: UtcTime
    readings: list[WireReading] = Field(min_length=1, max_length=MAX_READINGS_PER_BATCH)

    def to_domain(self) -> ReadingBatch:
        """The frozen domain value."""
        return ReadingBatch(
            self.batch_id,
            self.collector,
            self.created_at.astimezone(UTC),
            tuple(r.to_domain() for r in self.readings),
        )


class StoredBatch(_Wire):
    """A batch the server stored now: readings new, already known, and too old to keep."""

    batch_id: UUID
    readings: int
    duplicate_readings: int = 0
    expired_readings: int = 0


class RejectedBatch(_Wire):
    """A batch the server did not store; send it again only when ``retryable``."""

    batch_id: UUID | None
    index: int
    reason: str
    retryable: bool
    errors: list[str] = Field(default_factory=list)


class IngestResult(_Wire):
    """The answer to one upload: every batch of the request is in exactly one list."""

    schema_id: Literal["printscout.ingest-result/1"] = Field(
        default="printscout.ingest-result/1", alias="schema"
    )
    stored: list[StoredBatch] = Field(default_factory=list)
    duplicate: list[UUID] = Field(default_factory=list)
    rejected: list[RejectedBatch] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ObservedReading:
    """A reading and the moment the collector took it."""

    observed_at: datetime
    reading: Reading


@dataclass(frozen=True, slots=True)
class ReadingBatch:
    """A batch as the server and the collector's outbox handle it."""

    batch_id: UUID
    collector: str
    created_at: datetime
    readings: tuple[ObservedReading, ...]


def _reading(w: WireReading) -> Reading:
    # Attribute by attribute: model_dump() per nested model costs more than validation.
    s = w.status
    return Reading(
        address=w.address,
        kind=w.kind,
        identity=_identity(w.identity),
        status=Status(
            s.device,
            s.printer,
            tuple(s.errors),
            tuple(s.display),
            tuple(Alert(a.severity, a.code, a.description) for a in s.alerts),
        ),
        supplies=tuple(_supply_of(p) for p in w.supplies),
        counters=_counters(w.counters),
        trays=tuple(Tray(t.index, t.name, t.media, t.level, t.max_capacity) for t in w.trays),
        other_addresses=tuple(a for a in dict.fromkeys(w.addresses) if a != w.address),
    )


def _counters(c: WireCounters) -> Counters:
    return Counters(
        c.total, c.mono, c.color, c.print, c.copies, c.fax, c.scan, c.unit, c.large,
        tuple(c.anomalies),
    )  # fmt: skip


def _identity(i: WireIdentity) -> Identity:
    return Identity(
        i.manufacturer, i.model, i.serial, i.firmware, i.mac, i.hostname, i.location,
        i.contact, i.asset_number, i.sys_object_id, i.sys_descr, i.uptime_s,
    )  # fmt: skip


def _supply_of(p: WireSupply) -> Supply:
    return Supply(
        p.index, p.description, p.kind, p.color, p.level_percent, p.state, p.level,
        p.max_capacity, p.unit, p.supply_class, p.serial, p.level_source,
    )  # fmt: skip


def reading_to_wire(observed: ObservedReading) -> dict[str, Any]:
    """The wire object of one reading (the collector's side of ``WireReading``)."""
    r = observed.reading
    return {
        "observed_at": observed.observed_at.isoformat(),
        "address": r.address,
        "addresses": [r.address, *r.other_addresses],
        "kind": r.kind.value,
        "identity": _fields(r.identity),
        "status": {
            "device": r.status.device,
            "printer": r.status.printer,
            "errors": list(r.status.errors),
            "display": list(r.status.display),
            "alerts": [_fields(a) for a in r.status.alerts],
        },
        "supplies": [_supply(s) for s in r.supplies],
        "counters": {**_fields(r.counters), "anomalies": list(r.counters.anomalies)},
        "trays": [_fields(t) for t in r.trays],
    }


def batch_to_wire(batch: ReadingBatch) -> dict[str, Any]:
    """The wire object of one batch."""
    return {
        "schema": BATCH_SCHEMA,
        "batch_id": str(batch.batch_id),
        "collector": batch.collector,
        "created_at": batch.created_at.isoformat(),
        "readings": [reading_to_wire(r) for r in batch.readings],
    }


def _fields(value: Identity | Alert | Counters | Tray | Supply) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in fields(value)}


def _supply(s: Supply) -> dict[str, Any]:
    out = _fields(s)
    del out["supply_class"]
    out["state"] = s.state.value
    out["class"] = s.supply_class
    return out
