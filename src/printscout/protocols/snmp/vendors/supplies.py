"""Supplies beyond the Printer-MIB: a profile's true levels, level codes, serials and parts.

Pure functions from the standard supply rows of one reading plus the profile's raw answers to
the rows PrintScout reports. The raw ``level`` and ``max_capacity`` of a Printer-MIB row are
never changed; where a vendor object gives the real figure (Ricoh's private level, a Brother
maintenance record) or says what a code means (Brother 0–3, Canon 100/10/1, Ricoh -100),
``level_percent`` and ``state`` follow it and ``level_source`` names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Final

from printscout.domain.reading import Supply, SupplyState
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.vendors.base import (
    LevelCodes,
    LevelScope,
    MaintenanceRecord,
    VendorProfile,
)
from printscout.protocols.snmp.vendors.codecs import parse_records

Column = Mapping[Oid, Value]
Text = Callable[[Value], str | None]
MARKING_KINDS: Final = frozenset({"toner", "ink", "toner_cartridge", "ink_cartridge"})
MAINTENANCE_INDEX: Final = 1000  # vendor-only parts are numbered 1000 + record code
_PLACEHOLDERS: Final = frozenset({"", "unknown", "none", "n/a", "0"})
_UNIQUE_PARTS: Final = frozenset({"opc", "fuser", "transfer_unit"})
MAINTENANCE_SOURCE: Final = "brother_maintenance"


def state_of(percent: int, low_percent: int) -> SupplyState:
    """The state of a real percentage: empty at 0, low up to ``low_percent``, else ok."""
    if percent <= 0:
        return SupplyState.EMPTY
    return SupplyState.LOW if percent <= low_percent else SupplyState.OK


def vendor_supplies(
    profile: VendorProfile,
    supplies: tuple[Supply, ...],
    objects: Mapping[Oid, Value],
    tables: Mapping[Oid, Column],
    text: Text,
    low_percent: int,
) -> tuple[tuple[Supply, ...], list[str]]:
    """Apply the profile to the standard rows; return the rows and any anomalies."""
    rows = list(supplies)
    if profile.supply_kinds:
        rows = [_refine_kind(profile.supply_kinds, s) for s in rows]
    for table in profile.level_tables:
        column = tables.get(table.column) or {}
        codes = profile.level_codes
        rows = [_private_level(s, column, table.name, codes, low_percent) for s in rows]
    for level_codes in profile.level_codes:
        rows = _apply_codes(level_codes, rows)
    for serials in profile.serial_tables:
        rows = _join_serials(rows, tables, serials.descriptions, serials.serials, text)
    anomalies: list[str] = []
    for blob in profile.maintenance:
        decoded = parse_records(objects.get(blob.oid))
        if decoded.problem not in (None, "missing"):
            anomalies.append(f"maintenance_records_rejected:{decoded.problem}")
        rows = _apply_maintenance(rows, blob.records, decoded.values, low_percent)
    return tuple(rows), anomalies


def _refine_kind(kinds: Mapping[str, str], supply: Supply) -> Supply:
    """Name a part the Printer-MIB can only call "other" (maintenance kits, rollers)."""
    if supply.kind not in ("other", "unknown") or not supply.description:
        return supply
    words = supply.description.casefold()
    for phrase, kind in kinds.items():
        if phrase in words:
            return replace(supply, kind=kind)
    return supply


def _vendor_number(supply: Supply) -> bool:
    """Whether a vendor object already gave this row its percentage."""
    return supply.level_percent is not None and supply.level_source != "printer_mib"


def _private_level(
    supply: Supply, column: Column, name: str, codes: tuple[LevelCodes, ...], low_percent: int
) -> Supply:
    """Take a private level for a row whose standard level is not a number (-3, -100...)."""
    if supply.level_percent is not None or supply.level is None or supply.level >= 0:
        return supply
    value = next((v for suffix, v in column.items() if suffix[-1:] == (supply.index,)), None)
    if not isinstance(value, int) or isinstance(value, bool) or value > 100:
        return supply
    if value >= 0:
        return replace(
            supply, level_percent=value, state=state_of(value, low_percent), level_source=name
        )
    for code in codes:  # a private code (Ricoh -100): its meaning, if the vendor defines one
        if code.scope is LevelScope.ALWAYS and value in code.codes:
            return replace(supply, state=code.codes[value], level_source=name)
    return supply


def _apply_codes(codes: LevelCodes, rows: list[Supply]) -> list[Supply]:
    """Turn vendor level codes into states, within the scope the profile gives them."""
    if codes.scope is LevelScope.STEPPED_SET:
        marking = [s for s in rows if s.kind in MARKING_KINDS and s.max_capacity == 100]
        if not marking or any(s.level not in codes.codes for s in marking):
            return rows  # some level is no step: the device reports real percentages
        if all(codes.codes[s.level or 0] is SupplyState.OK for s in marking):
            return rows  # nothing tells a stepped device from full cartridges
    out = []
    for s in rows:
        eligible = (
            s.level is not None
            and s.level in codes.codes
            and not _vendor_number(s)
            and s.level_source == "printer_mib"
            and (not codes.marking_only or s.kind in MARKING_KINDS)
            and not (
                codes.scope is LevelScope.NO_CAPACITY
                and s.max_capacity is not None
                and s.max_capacity > 0
            )
        )
        if eligible:
            state = codes.codes[s.level or 0]
            out.append(replace(s, level_percent=None, state=state, level_source=codes.name))
        else:
            out.append(s)
    return out


def _join_serials(
    rows: list[Supply], tables: Mapping[Oid, Column], descriptions: Oid, serials: Oid, text: Text
) -> list[Supply]:
    """Cartridge serials from a private table whose description matches the row's."""
    names = tables.get(descriptions) or {}
    numbers = tables.get(serials) or {}
    by_name: dict[str, str] = {}
    for suffix, value in numbers.items():
        serial, name = text(value), text(names.get(suffix))
        if serial and name and serial.casefold() not in _PLACEHOLDERS:
            by_name.setdefault(name.casefold(), serial)
    if not by_name:
        return rows
    return [
        replace(s, serial=by_name[key])
        if s.serial is None and s.description and (key := s.description.casefold()) in by_name
        else s
        for s in rows
    ]


def _same_part(record: MaintenanceRecord, supply: Supply) -> bool:
    """Whether a Printer-MIB row is the part a maintenance record describes."""
    if record.kind == "toner":  # two records (x100 and x1) may describe one toner
        return supply.kind in MARKING_KINDS and supply.color in (record.color, None)
    if supply.index >= MAINTENANCE_INDEX:
        return False
    if record.kind in _UNIQUE_PARTS:
        return supply.kind == record.kind
    return (supply.description or "").casefold() == record.description.casefold()


def _apply_maintenance(
    rows: list[Supply],
    records: tuple[MaintenanceRecord, ...],
    values: dict[int, int],
    low_percent: int,
) -> list[Supply]:
    """Remaining-life records: fill toners the MIB gives no number for, add unlisted parts."""
    out = list(rows)
    for record in records:
        if record.code not in values:
            continue
        raw = values[record.code]
        full = 100 * record.scale
        percent = max(0, min(100, round(100 * raw / full)))
        state = state_of(percent, low_percent)
        same = next((s for s in out if _same_part(record, s)), None)
        if same is not None:
            if same.level_percent is None:
                filled = replace(
                    same, level_percent=percent, state=state, level_source=MAINTENANCE_SOURCE
                )
                out = [filled if s is same else s for s in out]
            continue
        out.append(
            Supply(
                index=MAINTENANCE_INDEX + record.code,
                description=record.description,
                kind=record.kind,
                color=record.color,
                level_percent=percent,
                state=state,
                level=raw,
                max_capacity=full,
                unit=None,
                supply_class="consumed",
                level_source=MAINTENANCE_SOURCE,
            )
        )
    return out
