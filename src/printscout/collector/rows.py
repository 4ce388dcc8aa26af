"""Printer-MIB table rows of a raw reading: supplies (prtMarkerSuppliesTable with the colorant
table) and input trays. Pure; rows are memoised by their raw values, which rarely change
between polls.

Supply levels follow RFC 3805: -1 means "no restriction", -2 "unknown" and -3 "some
remaining"; none of them becomes a percentage. A receptacle's level (waste toner) is the room
still free, so its ``level_percent`` is the share still free (documented in docs/reading.md).
"""

from __future__ import annotations

from typing import Final

from printscout.collector.raw import Column, RawReading, as_int
from printscout.collector.text import decode_text
from printscout.domain.reading import Supply, SupplyState, Tray
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.memo import Memo
from printscout.protocols.snmp.vendors.codecs import split_supply_serial

LOW_PERCENT: Final = 10
_COLOR_WORDS: Final = ("black", "cyan", "magenta", "yellow")

# rows built from raw values, per distinct set of values (a fleet's worth of devices)
_SUPPLY_ROWS: Final[Memo[tuple[object, ...], tuple[Supply, ...]]] = Memo(4096)
_TRAY_ROWS: Final[Memo[tuple[object, ...], tuple[Tray, ...]]] = Memo(4096)


def supply_level(
    level: int | None, max_capacity: int | None, unit: int | None, supply_class: int | None
) -> tuple[int | None, SupplyState]:
    """Percentage (or None) and state of one supply row, by the Printer-MIB's rules."""
    del supply_class  # receptacle levels are free room: same arithmetic, documented meaning
    if level is None or level == -2:
        return None, SupplyState.UNKNOWN
    if level == -3:
        return None, SupplyState.SOME_REMAINING
    if level == -1:
        return None, SupplyState.OK
    if level < 0:
        return None, SupplyState.UNKNOWN
    capacity = max_capacity
    if unit == mibs.UNIT_PERCENT and (capacity is None or capacity <= 0):
        capacity = 100
    if capacity is None or capacity <= 0:
        return None, SupplyState.EMPTY if level == 0 else SupplyState.UNKNOWN
    percent = max(0, min(100, round(100 * level / capacity)))
    if level == 0:
        return 0, SupplyState.EMPTY
    return percent, SupplyState.LOW if percent <= LOW_PERCENT else SupplyState.OK


def supplies(raw: RawReading, charset: int | None) -> tuple[Supply, ...]:
    """The supply rows, memoised by their raw values (they rarely change between polls)."""
    columns = tuple(raw.column(oid) for oid in SUPPLY_COLUMNS)
    colorants = raw.column(mibs.PRT_COLORANT_VALUE)
    key = (charset, tuple(colorants.items()), *(tuple(c.items()) for c in columns))
    found = _SUPPLY_ROWS.get(key)
    if found is None:
        found = _SUPPLY_ROWS.put(key, _supply_rows(columns, colorants, charset))
    return found


def _supply_rows(
    columns: tuple[Column, ...], colorant_values: Column, charset: int | None
) -> tuple[Supply, ...]:
    colorant_index, classes, types, descriptions, units, maxima, levels = columns
    colorants = {suffix[-1]: decode_text(v) for suffix, v in colorant_values.items()}
    suffixes = dict.fromkeys(
        [*colorant_index, *classes, *types, *descriptions, *units, *maxima, *levels]
    )
    out = []
    for suffix in suffixes:
        level = as_int(levels.get(suffix))
        max_capacity = as_int(maxima.get(suffix))
        unit = as_int(units.get(suffix))
        supply_class = as_int(classes.get(suffix))
        description, serial = split_supply_serial(decode_text(descriptions.get(suffix), charset))
        kind = mibs.SUPPLY_TYPE_NAMES.get(as_int(types.get(suffix)) or 0, "other")
        percent, state = supply_level(level, max_capacity, unit, supply_class)
        color = _color(as_int(colorant_index.get(suffix)), colorants, kind, description)
        out.append(
            Supply(
                index=suffix[-1],
                description=description,
                kind=kind,
                color=color,
                level_percent=percent,
                state=state,
                level=level,
                max_capacity=max_capacity,
                unit=mibs.SUPPLY_UNIT_NAMES.get(unit or 0),
                supply_class=mibs.SUPPLY_CLASS_NAMES.get(supply_class or 0),
                serial=serial,
            )
        )
    return tuple(out)


SUPPLY_COLUMNS: Final = (
    mibs.PRT_SUPPLIES_COLORANT_INDEX,
    mibs.PRT_SUPPLIES_CLASS,
    mibs.PRT_SUPPLIES_TYPE,
    mibs.PRT_SUPPLIES_DESCRIPTION,
    mibs.PRT_SUPPLIES_UNIT,
    mibs.PRT_SUPPLIES_MAX_CAPACITY,
    mibs.PRT_SUPPLIES_LEVEL,
)


def _color(
    colorant: int | None, colorants: dict[int, str | None], kind: str, description: str | None
) -> str | None:
    if colorant and colorant in colorants:
        name = colorants[colorant]
        return name.lower() if name else None
    if colorant == 0 or kind not in ("toner", "ink", "ink_cartridge", "toner_cartridge"):
        return None
    # no colorant table: infer from the description, only for marking supplies
    words = (description or "").lower()
    found = [c for c in _COLOR_WORDS if c in words]
    return found[0] if len(found) == 1 else None


def trays(raw: RawReading, charset: int | None) -> tuple[Tray, ...]:
    """The input trays, memoised by their raw values like the supplies."""
    columns = tuple(raw.column(oid) for oid in _TRAY_COLUMNS)
    key = (charset, *(tuple(c.items()) for c in columns))
    found = _TRAY_ROWS.get(key)
    if found is None:
        found = _TRAY_ROWS.put(key, _tray_rows(columns, charset))
    return found


_TRAY_COLUMNS: Final = (
    mibs.PRT_INPUT_NAME,
    mibs.PRT_INPUT_MEDIA_NAME,
    mibs.PRT_INPUT_CURRENT_LEVEL,
    mibs.PRT_INPUT_MAX_CAPACITY,
)


def _tray_rows(columns: tuple[Column, ...], charset: int | None) -> tuple[Tray, ...]:
    names, media, levels, maxima = columns
    suffixes = dict.fromkeys([*names, *levels, *maxima])
    return tuple(
        Tray(
            index=s[-1],
            name=decode_text(names.get(s), charset),
            media=decode_text(media.get(s), charset),
            level=as_int(levels.get(s)),
            max_capacity=as_int(maxima.get(s)),
        )
        for s in suffixes
    )
