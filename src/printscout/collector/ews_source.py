"""Completing an SNMP reading with what an HP printer's LEDM pages say (``apply_ledm``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any, Final

from printscout.collector.rows import LOW_PERCENT
from printscout.domain.reading import Counters, Identity, Reading, Supply, SupplyState
from printscout.protocols.ews.ledm import LedmConsumable, LedmProduct, LedmUsage

# Counters field -> LedmUsage field; a Counters field that does not exist (yet) is skipped
_COUNTER_SOURCES: Final = {
    "total": "total", "mono": "mono", "color": "color", "print": "print", "copy": "copy",
    "fax": "fax", "scan": "scan", "large": "large",
}  # fmt: skip
_MARKING: Final = frozenset({"toner", "toner_cartridge", "ink", "ink_cartridge"})
# dd:ConsumableState, folded -> SupplyState; other states are judged by the percentage
_STATES: Final = {
    "low": SupplyState.LOW, "verylow": SupplyState.LOW, "out": SupplyState.EMPTY,
    "empty": SupplyState.EMPTY, "depleted": SupplyState.EMPTY, "missing": SupplyState.UNKNOWN,
}  # fmt: skip
_LEDM_UNIT: Final = "impressions"
_HP: Final = "HP"
LEVEL_SOURCE: Final = "hp_ledm"
# Supply records where its level came from once it has a ``level_source`` field
_PROVENANCE: Final[dict[str, Any]] = (
    {"level_source": LEVEL_SOURCE} if "level_source" in {f.name for f in fields(Supply)} else {}
)


def apply_ledm(
    reading: Reading,
    usage: LedmUsage | None,
    consumables: Sequence[LedmConsumable] | None,
    product: LedmProduct | None,
) -> Reading:
    """Fill what SNMP left empty from LEDM; never replace a value SNMP gave.

    Rules:

    1. Counters: total, mono, colour, print, copy, fax, scan and large (A3/ledger) come
       from ProductUsageDyn only where SNMP gave None. LEDM counts
       impressions, so nothing is filled when SNMP's counters are in another unit; when SNMP
       named no unit and LEDM filled a counter, the unit becomes ``impressions``.
    2. Identity: serial, model and firmware (revision, else its date) come from
       ProductConfigDyn only where SNMP gave none; the manufacturer becomes ``HP`` where
       unknown, since LEDM is HP's.
    3. Supplies: an LEDM consumable matches the SNMP supply with the same colour and kind
       (toner and ink of any packaging count as one kind), only when exactly one candidate
       exists on each side; colourless parts (waste toner, fuser) match by kind alone under
       the same rule. A matched supply gains the cartridge serial where it had none, and the
       level where SNMP gave none (its state then follows LEDM, as the old state described
       the missing level). Such a level's source is ``hp_ledm``.
    4. When SNMP reported no supplies at all, every LEDM consumable becomes a supply,
       numbered from 1 in page order, with ``hp_ledm`` as its level source.
    """
    if usage is not None:
        reading = replace(reading, counters=_merge_counters(reading.counters, usage))
    if product is not None:
        reading = replace(reading, identity=_merge_identity(reading.identity, product))
    if consumables:
        if reading.supplies:
            supplies = _merge_supplies(reading.supplies, consumables)
        else:
            supplies = tuple(_new_supply(n, c) for n, c in enumerate(consumables, 1))
        reading = replace(reading, supplies=supplies)
    return reading


def _merge_counters(counters: Counters, usage: LedmUsage) -> Counters:
    if counters.unit not in (None, _LEDM_UNIT):
        return counters
    present = {f.name for f in fields(Counters)}
    updates: dict[str, Any] = {}
    for name, source in _COUNTER_SOURCES.items():
        value = getattr(usage, source)
        if name in present and getattr(counters, name) is None and value is not None:
            updates[name] = value
    if not updates:
        return counters
    return replace(counters, **updates, unit=counters.unit or _LEDM_UNIT)


def _merge_identity(identity: Identity, product: LedmProduct) -> Identity:
    return replace(
        identity,
        manufacturer=identity.manufacturer or _HP,
        serial=_blank_to_none(identity.serial) or product.serial,
        model=identity.model or product.model,
        firmware=identity.firmware or product.firmware or product.firmware_date,
    )


def _blank_to_none(text: str | None) -> str | None:
    return text if text and text.strip() else None


def _key(kind: str | None, color: str | None) -> tuple[str, str]:
    """What a supply and a consumable must share to be the same part."""
    family = "marking" if kind in _MARKING else (kind or "")
    return family, re.sub(r"[\s_-]", "", (color or "").casefold())


def _merge_supplies(
    supplies: tuple[Supply, ...], consumables: Sequence[LedmConsumable]
) -> tuple[Supply, ...]:
    supply_keys = [_key(s.kind, s.color) for s in supplies]
    consumable_keys = [_key(c.kind, c.color) for c in consumables]
    out = list(supplies)
    for consumable, key in zip(consumables, consumable_keys, strict=True):
        matches = [i for i, k in enumerate(supply_keys) if k == key]
        if len(matches) == 1 and consumable_keys.count(key) == 1:
            out[matches[0]] = _complete(supplies[matches[0]], consumable)
    return tuple(out)


def _complete(supply: Supply, consumable: LedmConsumable) -> Supply:
    if supply.serial is None and consumable.serial:
        supply = replace(supply, serial=consumable.serial)
    if supply.level_percent is None and consumable.percent is not None:
        state = supply_state(consumable)
        supply = replace(supply, level_percent=consumable.percent, state=state, **_PROVENANCE)
    return supply


def supply_state(consumable: LedmConsumable) -> SupplyState:
    """The state of a consumable: HP's own word where it is a level, else the percentage."""
    state = _STATES.get((consumable.state or "").casefold())
    if state is not None:
        return state
    percent = consumable.percent
    if percent is None:
        return (
            SupplyState.OK if (consumable.state or "").casefold() == "ok" else SupplyState.UNKNOWN
        )
    if percent == 0:
        return SupplyState.EMPTY
    return SupplyState.LOW if percent <= LOW_PERCENT else SupplyState.OK


def _new_supply(index: int, consumable: LedmConsumable) -> Supply:
    words = [consumable.color, consumable.kind, consumable.product_number]
    return Supply(
        index=index,
        description=" ".join(w for w in words if w) or None,
        kind=consumable.kind or "other",
        color=consumable.color,
        level_percent=consumable.percent,
        state=supply_state(consumable),
        level=consumable.percent,
        max_capacity=100 if consumable.percent is not None else None,
        unit="percent" if consumable.percent is not None else None,
        serial=consumable.serial,
        **_PROVENANCE,
    )
