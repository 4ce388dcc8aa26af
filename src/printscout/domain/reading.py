"""The reading of one printer: identity, status, supplies, counters and trays.

Every value that the device did not give is ``None`` (or an empty tuple); nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SupplyState(StrEnum):
    """What a supply level means, including the Printer-MIB's special negative levels."""

    OK = "ok"
    LOW = "low"
    EMPTY = "empty"
    SOME_REMAINING = "some_remaining"
    UNKNOWN = "unknown"


class DeviceKind(StrEnum):
    """Broad class of the device that answered."""

    PRINTER = "printer"
    SCANNER = "scanner"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the device is: vendor, model, serial and the MIB-II system group."""

    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    mac: str | None = None
    hostname: str | None = None
    location: str | None = None
    contact: str | None = None
    asset_number: str | None = None
    sys_object_id: str | None = None
    sys_descr: str | None = None
    uptime_s: int | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """One row of prtAlertTable."""

    severity: str
    code: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Status:
    """Device and printer status, detected errors, console text and active alerts."""

    device: str | None = None
    printer: str | None = None
    errors: tuple[str, ...] = ()
    display: tuple[str, ...] = ()
    alerts: tuple[Alert, ...] = ()


@dataclass(frozen=True, slots=True)
class Supply:
    """One prtMarkerSuppliesTable row, with the level interpreted.

    For receptacles (prtMarkerSuppliesClass = receptacle, e.g. waste toner) ``level_percent``
    is the share of the receptacle that is still free, as the MIB defines the level of a
    receptacle as its remaining capacity.
    """

    index: int
    description: str | None
    kind: str
    color: str | None
    level_percent: int | None
    state: SupplyState
    level: int | None
    max_capacity: int | None
    unit: str | None
    supply_class: str | None = None
    serial: str | None = None
    # where level_percent and state come from: "printer_mib", or the vendor rule or object
    # that gave them (ricoh_private, brother_status_code, canon_three_step, brother_maintenance)
    level_source: str = "printer_mib"


@dataclass(frozen=True, slots=True)
class Counters:
    """Lifetime page/impression counters; ``None`` when the device does not give one.

    ``large`` counts large-paper (A3 / ledger) pages where the vendor gives them.
    ``anomalies`` names what is wrong with these numbers (a count that went backwards since
    the device's previous reading, colour above total, a packed record that failed its check);
    the numbers are still the device's, never corrected.
    """

    total: int | None = None
    mono: int | None = None
    color: int | None = None
    print: int | None = None
    copy: int | None = None
    fax: int | None = None
    scan: int | None = None
    unit: str | None = None
    large: int | None = None
    anomalies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tray:
    """One prtInputTable row."""

    index: int
    name: str | None
    media: str | None
    level: int | None
    max_capacity: int | None


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything read from one device in one poll."""

    address: str
    kind: DeviceKind
    identity: Identity
    status: Status = field(default_factory=Status)
    supplies: tuple[Supply, ...] = ()
    counters: Counters = field(default_factory=Counters)
    trays: tuple[Tray, ...] = ()
    # further addresses the same physical device answered on (same serial, else same MAC)
    other_addresses: tuple[str, ...] = ()
