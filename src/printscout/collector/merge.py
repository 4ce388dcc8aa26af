"""Merging two readings of one device (SNMP first, IPP to fill the gaps): pure.

``merge_readings(primary, secondary)`` keeps everything the primary says and takes from the
secondary only what the primary lacks:

* identity: field by field, a ``None`` in the primary is filled;
* status: ``device`` and ``printer`` when ``None``; ``errors``, ``display`` and ``alerts``
  as a whole when the primary's are empty (the lists are never mixed, since an empty list
  from one source may be "nothing wrong", not "not read");
* counters: field by field, and only when both count in the same unit (or one does not say):
  sheets are never mixed with impressions. A total taken from the secondary brings its unit
  (so impressions are never labelled with the metres of a Zebra's primary reading), and
  ``anomalies`` are joined when any number came from the secondary;
* supplies: all of the secondary's when the primary has none. Otherwise each primary supply
  is matched to at most one secondary supply, first by (kind, colour) when exactly one
  candidate has them (``toner_cartridge`` counts as ``toner``, ``ink_cartridge`` as ``ink``),
  then by equal description; a match fills the primary's ``None`` fields (description,
  colour, class, serial) and, when the primary has no percentage (level unknown or "some
  remaining"), brings the secondary's level, maximum, unit, percentage, state and
  ``level_source``. Secondary supplies that match nothing are dropped: when the primary
  lists supplies, it is the authority on which supplies exist, and vocabulary differences
  would otherwise duplicate them;
* trays: the secondary's when the primary has none;
* kind: the primary's, unless it is ``other`` and the secondary knows better.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Final, TypeVar

from printscout.domain.reading import (
    Counters,
    DeviceKind,
    Identity,
    Reading,
    Status,
    Supply,
    SupplyState,
)

_KIND_FAMILIES: Final = {"toner_cartridge": "toner", "ink_cartridge": "ink"}
_NO_LEVEL: Final = frozenset({SupplyState.UNKNOWN, SupplyState.SOME_REMAINING})
_LEVEL_FIELDS: Final = ("level_percent", "state", "level", "max_capacity", "unit", "level_source")
_COUNTS: Final = tuple(f.name for f in fields(Counters) if f.name not in ("unit", "anomalies"))
_FILLED_FIELDS: Final = ("description", "color", "supply_class", "serial")

_T = TypeVar("_T", Identity, Counters)


def merge_readings(primary: Reading, secondary: Reading) -> Reading:
    """The primary reading with its gaps filled from the secondary (module docstring)."""
    kind = primary.kind
    if kind is DeviceKind.OTHER:
        kind = secondary.kind
    return replace(
        primary,
        kind=kind,
        identity=_fill(primary.identity, secondary.identity),
        status=_merge_status(primary.status, secondary.status),
        supplies=merge_supplies(primary.supplies, secondary.supplies),
        counters=_merge_counters(primary.counters, secondary.counters),
        trays=primary.trays or secondary.trays,
    )


def _fill(primary: _T, secondary: _T) -> _T:
    """Every ``None`` field of ``primary`` taken from ``secondary``."""
    changes = {
        f.name: getattr(secondary, f.name)
        for f in fields(primary)
        if getattr(primary, f.name) is None and getattr(secondary, f.name) is not None
    }
    return replace(primary, **changes) if changes else primary


def _merge_status(primary: Status, secondary: Status) -> Status:
    return Status(
        device=primary.device if primary.device is not None else secondary.device,
        printer=primary.printer if primary.printer is not None else secondary.printer,
        errors=primary.errors or secondary.errors,
        display=primary.display or secondary.display,
        alerts=primary.alerts or secondary.alerts,
    )


def _merge_counters(primary: Counters, secondary: Counters) -> Counters:
    units = {primary.unit, secondary.unit} - {None}
    counts = [getattr(primary, name) for name in _COUNTS]
    if len(units) > 1 and any(c is not None for c in counts):
        return primary  # the primary counts in another unit: nothing can be added to it
    merged = _fill(primary, secondary)
    if primary.total is None and secondary.total is not None:
        merged = replace(merged, unit=secondary.unit)
    if merged != primary:  # numbers came from the secondary: so do its warnings about them
        anomalies = tuple(dict.fromkeys((*primary.anomalies, *secondary.anomalies)))
        merged = replace(merged, anomalies=anomalies)
    return merged


def _family(supply: Supply) -> tuple[str, str | None]:
    return _KIND_FAMILIES.get(supply.kind, supply.kind), supply.color


def _description(supply: Supply) -> str | None:
    return " ".join(supply.description.split()).casefold() if supply.description else None


def merge_supplies(
    primary: tuple[Supply, ...], secondary: tuple[Supply, ...]
) -> tuple[Supply, ...]:
    """Primary supplies with gaps filled from their secondary matches (module docstring)."""
    if not primary:
        return secondary
    unused = list(secondary)
    merged = []
    for supply in primary:
        match = _match(supply, unused, primary)
        if match is None:
            merged.append(supply)
            continue
        unused.remove(match)
        merged.append(_merge_supply(supply, match))
    return tuple(merged)


def _match(supply: Supply, candidates: list[Supply], primary: tuple[Supply, ...]) -> Supply | None:
    family = _family(supply)
    same = [c for c in candidates if _family(c) == family]
    twins = sum(1 for p in primary if _family(p) == family)
    if len(same) == 1 and twins == 1:
        return same[0]
    description = _description(supply)
    if description is None:
        return None
    return next((c for c in candidates if _description(c) == description), None)


def _merge_supply(primary: Supply, secondary: Supply) -> Supply:
    changes: dict[str, object] = {
        name: getattr(secondary, name)
        for name in _FILLED_FIELDS
        if getattr(primary, name) is None and getattr(secondary, name) is not None
    }
    lacks_level = primary.level_percent is None and primary.state in _NO_LEVEL
    knows_more = secondary.level_percent is not None or (
        primary.state is SupplyState.UNKNOWN and secondary.state is not SupplyState.UNKNOWN
    )
    if lacks_level and knows_more:
        changes.update({name: getattr(secondary, name) for name in _LEVEL_FIELDS})
    return replace(primary, **changes) if changes else primary  # type: ignore[arg-type]
