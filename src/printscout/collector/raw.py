"""What a poll brought back, before it means anything: scalars and walked columns, and the
value rules every reader of them shares (agents send wrong types)."""

from __future__ import annotations

from dataclasses import dataclass, field

from printscout.protocols.snmp.ber import Oid, Value, oid_to_str
from printscout.protocols.snmp.vendors.base import VendorProfile

Column = dict[Oid, Value]


@dataclass(frozen=True, slots=True)
class RawReading:
    """What a poll brought back: first-row scalars by requested OID, and walked columns."""

    address: str
    scalars: dict[Oid, Value] = field(default_factory=dict)
    tables: dict[Oid, Column] = field(default_factory=dict)
    profile: VendorProfile | None = None  # the vendor profile the Reader polled with

    def column(self, oid: Oid) -> Column:
        """The walked column, or an empty one."""
        return self.tables.get(oid, {})


def as_int(value: Value) -> int | None:
    """An integer value, or None for anything else (agents send wrong types)."""
    if type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes) and value.strip().lstrip(b"-").isdigit() and len(value) < 20:
        return int(value)  # some agents send numbers as strings
    return None


def uptime_seconds(value: Value) -> int | None:
    """sysUpTime (hundredths of a second) in whole seconds, or None."""
    uptime = as_int(value)
    return uptime // 100 if uptime is not None and uptime >= 0 else None


def as_oid(value: Value) -> str | None:
    """A dotted OID string, or None."""
    return oid_to_str(value) if isinstance(value, tuple) else None
