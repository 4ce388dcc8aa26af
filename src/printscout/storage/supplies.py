"""Current supply state per device slot, and replacement events, kept up to date on ingest.

A replacement is a cartridge serial that changed, or a level that rose by at least
``jump`` percentage points between two readings (toner does not refill itself; a waste-toner
box shows as its free share rising when it is emptied or swapped). Only readings newer than
everything stored for the device move the state, so late or resent readings change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Final

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from printscout.domain.reading import Reading, Supply
from printscout.storage.base import table_of
from printscout.storage.bulk import insert_rows, one_of, update_rows
from printscout.storage.fleet import DeviceSupply, SupplyEvent

DEFAULT_JUMP: Final = 20
# Columns that describe the slot; copied from the newest reading when given.
_DESCRIPTIVE: Final = (
    "kind", "color", "description", "unit", "supply_class", "max_capacity", "level_source"
)  # fmt: skip
_LEVEL: Final = ("level", "level_percent", "state", "serial")
# What is compared on ingest (the timestamps are only ever written, so not read back).
_COLUMNS: Final = ("id", "device_id", "supply_index", *_DESCRIPTIVE, *_LEVEL)


@dataclass(slots=True, eq=False)
class _Slot:
    values: dict[str, Any]
    new: bool = False
    changed: set[str] = field(default_factory=set)


@dataclass(slots=True)
class SupplyTracker:
    """Tracks the supplies of the devices of one batch."""

    session: Session
    jump: int = DEFAULT_JUMP
    slots: dict[tuple[int, int], _Slot] = field(default_factory=dict)
    events: list[tuple[_Slot, dict[str, Any]]] = field(default_factory=list)

    def load(self, device_ids: Iterable[int]) -> None:
        """Fetch the stored slots of the devices (their device rows are already locked)."""
        query = _slots_of(self.session.get_bind().dialect.name)
        ids = {"ids": sorted(set(device_ids))}
        for row in self.session.connection().execute(query, ids).all():
            values = dict(zip(_COLUMNS, row, strict=True))
            self.slots[values["device_id"], values["supply_index"]] = _Slot(values)

    def observe(self, device_id: int, at: datetime, reading: Reading) -> None:
        """Apply the newest reading of a device."""
        for supply in reading.supplies:
            slot = self.slots.get((device_id, supply.index))
            if slot is None:
                self.slots[device_id, supply.index] = _Slot(
                    _new_values(device_id, at, supply), True
                )
                continue
            self._update(slot, at, supply, reading.counters.total)

    def _update(self, slot: _Slot, at: datetime, supply: Supply, pages: int | None) -> None:
        old = slot.values
        new_pct, state = supply.level_percent, supply.state.value
        if (
            supply.level == old["level"]
            and new_pct == old["level_percent"]
            and state == old["state"]
            and supply.serial in (None, old["serial"])
            and all(getattr(supply, n) in (None, old[n]) for n in _DESCRIPTIVE)
        ):
            return  # the usual poll: nothing moved
        old_pct = old["level_percent"]
        swapped = bool(supply.serial and old["serial"] and supply.serial != old["serial"])
        rose = old_pct is not None and new_pct is not None and new_pct - old_pct >= self.jump
        if swapped or rose:
            event = {
                "observed_at": at,
                "kind": "replaced",
                "old_level_percent": old_pct,
                "new_level_percent": new_pct,
                "old_serial": old["serial"],
                "new_serial": supply.serial,
                "page_count": pages,
            }
            self.events.append((slot, event))
            old["installed_at"] = at
            slot.changed.add("installed_at")
        for name in _DESCRIPTIVE:
            value = getattr(supply, name)
            if value is not None and value != old[name]:
                old[name] = value
                slot.changed.add(name)
        level = {"level": supply.level, "level_percent": new_pct, "state": state}
        if supply.serial is not None:
            level["serial"] = supply.serial
        moved = {k for k, v in level.items() if old[k] != v}
        if moved:
            old.update(level)
            old["changed_at"] = at
            slot.changed.update(moved | {"changed_at"})

    def flush(self) -> None:
        """Insert new slots, update changed ones, record replacements."""
        fresh = [s for s in self.slots.values() if s.new]
        if fresh:
            rows = [{k: v for k, v in s.values.items() if k != "id"} for s in fresh]
            added = insert_rows(
                self.session,
                table_of(DeviceSupply),
                rows,
                returning=("device_id", "supply_index", "id"),
            )
            for row in added:
                slot = self.slots[row[0], row[1]]
                slot.values["id"], slot.new = row[2], False
        groups: dict[frozenset[str], list[_Slot]] = {}
        for slot in self.slots.values():
            if slot.changed:
                groups.setdefault(frozenset(slot.changed), []).append(slot)
        for names, slots in groups.items():
            columns = ("id", *sorted(names))
            rows = [{n: s.values[n] for n in columns} for s in slots]
            update_rows(self.session, table_of(DeviceSupply), "id", rows)
        if self.events:
            rows = [
                {**event, "supply_id": slot.values["id"], "device_id": slot.values["device_id"]}
                for slot, event in self.events
            ]
            self.session.execute(insert(SupplyEvent), rows)


@cache
def _slots_of(dialect: str) -> Select[Any]:
    """The stored slots of the devices in ``:ids`` (built once per database kind)."""
    cols = [getattr(DeviceSupply, c) for c in _COLUMNS]
    return select(*cols).where(one_of(dialect, DeviceSupply.device_id, "ids"))


def _new_values(device_id: int, at: datetime, s: Supply) -> dict[str, Any]:
    return {
        "id": None,
        "device_id": device_id,
        "supply_index": s.index,
        "kind": s.kind,
        "color": s.color,
        "description": s.description,
        "unit": s.unit,
        "supply_class": s.supply_class,
        "level_source": s.level_source,
        "max_capacity": s.max_capacity,
        "level": s.level,
        "level_percent": s.level_percent,
        "state": s.state.value,
        "serial": s.serial,
        "installed_at": None,
        "first_seen_at": at,
        "changed_at": at,
    }
