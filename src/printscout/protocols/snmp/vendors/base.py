"""What a vendor profile is: one manufacturer's private SNMP objects and value codes, as data.

A profile says which private objects to read and what they mean; it holds no code. The engine
(``collector/reader.py`` and ``collector/normalize.py``) reads every profile the same way, so
adding a vendor is adding a module with a ``PROFILE`` (copy one) plus a recording.

Every object carries the evidence marker of ``../shared/reference/printer-data-sources.md``:
``MIB``, ``Rec``, ``Peer: …`` and ``Vendor script`` count as verified; ``3P`` (third-party
scripts and forum posts) and ``UNVERIFIED`` (by analogy) objects are kept only where the profile
says so, and docs/devices.md names each of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from printscout.domain.reading import SupplyState
from printscout.protocols.snmp.ber import Oid

IdentityField = Literal["serial", "model", "firmware", "asset_number"]
CounterKind = Literal["total", "mono", "color", "print", "copy", "fax", "scan", "large"]
COUNTER_KINDS: Final[tuple[CounterKind, ...]] = (
    "total", "mono", "color", "print", "copy", "fax", "scan", "large",
)  # fmt: skip
UNVERIFIED_MARKERS: Final = ("3P", "UNVERIFIED")

# A counter-table row key: the row's index (no key column), or the values of its key columns;
# text labels are compared case-folded.
Key = tuple[int | str, ...]


def oid(dotted: str) -> Oid:
    """An OID from its dotted form (a leading dot is allowed)."""
    return tuple(int(arc) for arc in dotted.strip().lstrip(".").split("."))


def keys(*items: int | str | tuple[int | str, ...]) -> tuple[Key, ...]:
    """Row keys written briefly: ``keys(10, 200)``, ``keys((1, 3), (2, 3))``, ``keys("Copies")``."""
    out: list[Key] = []
    for item in items:
        parts = item if isinstance(item, tuple) else (item,)
        out.append(tuple(p.casefold() if isinstance(p, str) else p for p in parts))
    return tuple(out)


def is_verified(evidence: str) -> bool:
    """Whether an evidence marker counts as verified (MIB, recording, peer, vendor script)."""
    return not evidence.startswith(UNVERIFIED_MARKERS)


@dataclass(frozen=True, slots=True)
class IdentityObject:
    """A private object naming the device: serial, model, firmware or asset number.

    Read on the first poll and on every revalidation poll, reused in between (identity does
    not change between two routine polls). Standard objects win; these are fallbacks.
    """

    field: IdentityField
    oid: Oid
    evidence: str


@dataclass(frozen=True, slots=True)
class CounterObject:
    """A counter that is one private object, or the sum of several (every part must answer).

    Several entries may name the same kind: the first whose parts all answer wins, so later
    entries are fallbacks (Kyocera's total is its own counter, else simplex + duplex). Values
    may be integers or digits in a string (OKI sends DisplayStrings).
    """

    kind: CounterKind
    parts: tuple[Oid, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class RecordCounter:
    """A counter inside a packed record blob (Brother brInfoCounter): blob OID and record code."""

    kind: CounterKind
    blob: Oid
    code: int
    evidence: str


@dataclass(frozen=True, slots=True)
class TableCounter:
    """A counter summed over every row of a counter table whose key is one of ``keys``."""

    kind: CounterKind
    keys: tuple[Key, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class CounterTable:
    """A private table of counters whose rows are found by a key, never by fixed position.

    ``key_columns`` empty: the row's index is the key (Canon codes, Sharp f.g.k). One key
    column: its value (Ricoh type codes, Sharp labels). Several: the tuple of their values
    (Samsung job type and colour). Key columns do not change between polls: they are read on
    full polls and reused in between; the value column is read on every poll.
    """

    name: str
    values: Oid
    key_columns: tuple[Oid, ...]
    counters: tuple[TableCounter, ...]
    evidence: str
    expected_rows: int = 8
    kinds_by_key: Mapping[Key, tuple[CounterKind, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        table: dict[Key, list[CounterKind]] = {}
        for counter in self.counters:
            for key in counter.keys:
                table.setdefault(key, []).append(counter.kind)
        frozen = {k: tuple(v) for k, v in table.items()}
        object.__setattr__(self, "kinds_by_key", MappingProxyType(frozen))


class LevelScope(StrEnum):
    """When a vendor's level codes replace the Printer-MIB reading of a supply level."""

    ALWAYS = "always"  # the code has one meaning on this vendor (Ricoh -100)
    NO_CAPACITY = "no_capacity"  # only where max capacity is not a usable base (Brother 0..3)
    STEPPED_SET = "stepped_set"  # only when every marking level is a step (Canon 100/10/1)


@dataclass(frozen=True, slots=True)
class LevelCodes:
    """Printer-MIB levels that are vendor codes, not amounts: each code gives a state.

    The supply keeps its raw level; ``level_percent`` stays null (a code is no percentage)
    and ``level_source`` names the rule.
    """

    name: str
    codes: Mapping[int, SupplyState]
    scope: LevelScope
    evidence: str
    marking_only: bool = True  # apply to toner and ink rows only


@dataclass(frozen=True, slots=True)
class LevelTable:
    """A private column of true levels (0–100), row i for prtMarkerSupplies row i (Ricoh).

    Used where the Printer-MIB level is not a number (-3, -2, vendor codes); the private
    value's own negative codes go through the profile's level codes.
    """

    name: str
    column: Oid
    evidence: str
    expected_rows: int = 5


@dataclass(frozen=True, slots=True)
class SerialTable:
    """Cartridge serials in a private table, joined to Printer-MIB rows by their description."""

    descriptions: Oid
    serials: Oid
    evidence: str
    expected_rows: int = 4


@dataclass(frozen=True, slots=True)
class MaintenanceRecord:
    """One record of a packed maintenance blob: remaining life of a part, in 1/scale percent."""

    code: int
    kind: str
    description: str
    color: str | None = None
    scale: int = 100


@dataclass(frozen=True, slots=True)
class MaintenanceBlob:
    """A packed blob of remaining-life records (Brother brInfoMaintenance).

    A record for a part the Printer-MIB already lists with a number is ignored; a toner the
    Printer-MIB shows only as "some remaining" gets the blob's percentage; other parts are
    added as supplies of their own (index 1000 + record code).
    """

    oid: Oid
    records: tuple[MaintenanceRecord, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class Quirks:
    """How a vendor's agents must be asked.

    ``no_getbulk``: pre-set GETNEXT for every device of the vendor (none is verified for a
    whole vendor; the walker detects broken GETBULK per device anyway). ``v3_contexts``: SNMPv3
    context names under which the vendor hides data (recorded for the operator; the engine
    polls the default context). ``notes``: other behaviour, shown in docs/devices.md.
    """

    no_getbulk: bool = False
    v3_contexts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VendorProfile:
    """Everything PrintScout reads from one manufacturer beyond the standard MIBs."""

    name: str
    enterprises: tuple[int, ...]
    sys_object_id_prefixes: tuple[str, ...]
    brands: tuple[str, ...]
    identity: tuple[IdentityObject, ...] = ()
    counters: tuple[CounterObject, ...] = ()
    record_counters: tuple[RecordCounter, ...] = ()
    counter_tables: tuple[CounterTable, ...] = ()
    counter_unit: str | None = "impressions"  # the unit of the vendor's counters, if known
    # whether the vendor's total beats prtMarkerLifeCount (it is the status-page figure);
    # never when its unit is unknown, always when the standard one is missing
    vendor_total_first: bool = True
    level_codes: tuple[LevelCodes, ...] = ()
    level_tables: tuple[LevelTable, ...] = ()
    serial_tables: tuple[SerialTable, ...] = ()
    maintenance: tuple[MaintenanceBlob, ...] = ()
    supply_kinds: Mapping[str, str] = field(default_factory=dict)
    quirks: Quirks = Quirks()
    notes: tuple[str, ...] = ()

    def single_objects(self) -> tuple[tuple[Oid, bool], ...]:
        """Every single object to read, once each, with whether it names the device."""
        seen: dict[Oid, bool] = {}
        for item in self.identity:
            seen.setdefault(item.oid, True)
        for counter in self.counters:
            for part in counter.parts:
                seen.setdefault(part, False)
        for record in self.record_counters:
            seen.setdefault(record.blob, False)
        for blob in self.maintenance:
            seen.setdefault(blob.oid, False)
        return tuple(seen.items())

    def evidence(self) -> tuple[tuple[str, Oid, str], ...]:
        """(what, OID, evidence) of every object, for docs and for tests of the markers."""
        rows: list[tuple[str, Oid, str]] = [(i.field, i.oid, i.evidence) for i in self.identity]
        rows += [(c.kind, p, c.evidence) for c in self.counters for p in c.parts]
        records = self.record_counters
        rows += [(f"{r.kind} (record {r.code:02x})", r.blob, r.evidence) for r in records]
        for t in self.counter_tables:
            rows += [(f"{t.name} key", k, t.evidence) for k in t.key_columns]
            rows.append((f"{t.name} value", t.values, t.evidence))
        rows += [(f"{t.name} level", t.column, t.evidence) for t in self.level_tables]
        for s in self.serial_tables:
            rows += [("supply description", s.descriptions, s.evidence)]
            rows += [("supply serial", s.serials, s.evidence)]
        rows += [("maintenance", m.oid, m.evidence) for m in self.maintenance]
        return tuple(rows)
