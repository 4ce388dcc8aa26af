"""Readings remembered per address, reused when a poll brings the same raw answers again.

A printer answers the same values poll after poll but for its uptime and, now and then, a
level, a counter or its status. Normalization is pure, so a poll whose raw answers equal the
previous poll's of the same address (uptime aside) gets the previous reading, with this
poll's uptime, instead of being normalized again. Comparing two polls' dictionaries reuses
the hashes they hold, so it costs far less than normalizing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import repeat
from typing import Final

from printscout.collector.normalize import normalize
from printscout.collector.raw import Column, RawReading, uptime_seconds
from printscout.domain.reading import Identity, Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.memo import Memo
from printscout.protocols.snmp.vendors.base import VendorProfile

ADDRESSES_REMEMBERED: Final = 4096  # a fleet's worth of devices

_IDENTITY_FIELDS: Final = tuple(f.name for f in fields(Identity))
_READING_FIELDS: Final = tuple(f.name for f in fields(Reading))
_UPTIME_AT: Final = _IDENTITY_FIELDS.index("uptime_s")
_IDENTITY_AT: Final = _READING_FIELDS.index("identity")


@dataclass(frozen=True, slots=True)
class _Poll:
    """The raw answers of an address's last poll (uptime aside) and the reading they gave."""

    scalars: dict[Oid, Value]
    tables: dict[Oid, Column]
    profile: VendorProfile | None
    reading: Reading


_LAST: Final[Memo[str, _Poll]] = Memo(ADDRESSES_REMEMBERED)


def normalized(raw: RawReading) -> Reading:
    """``normalize(raw)``, reused from the address's previous poll when its raw answers
    were the same (the raw reading must not change afterwards: it is kept for comparing)."""
    scalars = dict(raw.scalars)
    uptime = scalars.pop(mibs.SYS_UPTIME, None)
    last = _LAST.get(raw.address)
    if (
        last is None
        or last.profile is not raw.profile
        or last.scalars != scalars
        or last.tables != raw.tables
    ):
        reading = normalize(raw)
        _LAST.put(raw.address, _Poll(scalars, raw.tables, raw.profile, reading))
        return reading
    reading = last.reading
    uptime_s = uptime_seconds(uptime)
    if reading.identity.uptime_s == uptime_s:
        return reading
    return _with_uptime(reading, uptime_s)


def _with_uptime(reading: Reading, uptime_s: int | None) -> Reading:
    """The reading with another uptime (field by field: ``dataclasses.replace`` costs more)."""
    identity = list(map(getattr, repeat(reading.identity), _IDENTITY_FIELDS))
    identity[_UPTIME_AT] = uptime_s
    values = list(map(getattr, repeat(reading), _READING_FIELDS))
    values[_IDENTITY_AT] = Identity(*identity)
    return Reading(*values)
