"""Which device a reading belongs to: serial first, then MAC, then collector and address.

Devices are unique per dealer by serial and by MAC. A reading whose serial matches one device
and whose MAC matches another device that has no serial merges the second into the first; a
MAC seen on a different serial has moved (a network card or board swap) and leaves the old
device. Values a reading lacks never erase what is known. Every change is written to
``device_events``; address changes also to ``device_addresses``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Final

from sqlalchemy import Select, bindparam, delete, insert, select, union, update
from sqlalchemy.orm import Session

from printscout.domain.wire import ObservedReading
from printscout.storage.accounts import CollectorRecord
from printscout.storage.base import table_of
from printscout.storage.bulk import one_of, update_rows
from printscout.storage.fleet import Device, DeviceAddress, DeviceEvent
from printscout.storage.merge import merge_devices

# Values printers put in the serial field when they have none (vendor quirks as data).
JUNK_SERIALS: Final = frozenset(
    {"UNKNOWN", "NONE", "NULL", "N/A", "NA", "SERIAL", "SERIALNUMBER", "DEFAULT", "123456789",
     "1234567890", "XXXXXXXX", "-", "NOT AVAILABLE", "UNAVAILABLE"}
)  # fmt: skip
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_JUNK_MACS: Final = frozenset({"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"})
# Identity fields copied from the newest reading; a change is an identity event.
TRACKED: Final = (
    "manufacturer",
    "model",
    "firmware",
    "hostname",
    "location",
    "contact",
    "asset_number",
    "sys_object_id",
)


def serial_key(serial: str | None) -> str | None:
    """The serial as stored (trimmed, upper case), or None when it names nothing."""
    if serial is None:
        return None
    key = serial.strip().upper()
    if not key or key in JUNK_SERIALS or len(set(key)) == 1:
        return None
    return key[:128]


def mac_key(mac: str | None) -> str | None:
    """The MAC as stored (lower case, colons), or None when absent or not an address."""
    if mac is None:
        return None
    key = mac.strip().lower().replace("-", ":")
    return key if _MAC.match(key) and key not in _JUNK_MACS else None


@dataclass(slots=True, eq=False)
class DeviceState:
    """A device row as this transaction sees and changes it."""

    id: int
    serial: str | None
    mac: str | None
    address: str
    collector_id: int | None
    site_id: int
    kind: str
    last_seen_at: datetime
    fields: dict[str, str | None]
    changed: set[str] = field(default_factory=set)
    # last_seen_at as the database holds it: the update is refused if someone changed it.
    stored_seen: datetime | None = None
    merged_into: DeviceState | None = None

    def final(self) -> DeviceState:
        """The device this one now is (itself unless merged away)."""
        state = self
        while state.merged_into is not None:
            state = state.merged_into
        return state


@dataclass(slots=True)
class Resolver:
    """Resolves the readings of one batch to devices, writing identity changes."""

    session: Session
    collector: CollectorRecord
    by_serial: dict[str, DeviceState] = field(default_factory=dict)
    by_mac: dict[str, DeviceState] = field(default_factory=dict)
    by_address: dict[str, DeviceState] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    opened: list[dict[str, Any]] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)
    open_rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)
    touched: list[datetime] = field(default_factory=list)

    def load(self, readings: tuple[ObservedReading, ...]) -> None:
        """Fetch every device any reading could name."""
        serials = {k for r in readings if (k := serial_key(r.reading.identity.serial))}
        macs = {k for r in readings if (k := mac_key(r.reading.identity.mac))}
        addresses = {r.reading.address for r in readings}
        dialect = self.session.get_bind().dialect.name
        params = {
            "dealer": self.collector.dealer_id,
            "collector": self.collector.id,
            "serials": sorted(serials),
            "macs": sorted(macs),
            "addresses": sorted(addresses),
        }
        query = _candidates(dialect)
        for row in self.session.connection().execute(query, params).all():
            ident, serial, mac, address, collector_id, site_id, kind, seen = row[:8]
            fields = dict(zip(TRACKED, row[8:], strict=True))
            state = DeviceState(
                ident, serial, mac, address, collector_id, site_id, kind, seen, fields
            )
            state.stored_seen = seen
            self._index(state)

    def resolve(self, observed: ObservedReading) -> tuple[DeviceState, bool]:
        """The device of one reading, and whether the reading is its newest so far."""
        ident = observed.reading.identity
        serial, mac = serial_key(ident.serial), mac_key(ident.mac)
        at = observed.observed_at
        by_serial = self.by_serial.get(serial) if serial else None
        by_mac = self.by_mac.get(mac) if mac else None
        if by_serial is not None:
            device = by_serial
            if by_mac is not None and by_mac is not device:
                if by_mac.serial is None:
                    self._merge(by_mac, device, at)
                else:
                    self._move_mac(by_mac, at)
        elif by_mac is not None and (serial is None or by_mac.serial is None):
            device = by_mac
        elif by_mac is not None:
            self._move_mac(by_mac, at)
            device = self._create(observed, serial, None)
        else:
            found = self.by_address.get(observed.reading.address)
            if found is not None and _compatible(found, serial, mac):
                device = found
            else:
                device = self._create(observed, serial, mac)
        self._adopt(device, serial, mac, at)
        if device.id in self.created:
            self.created.discard(device.id)
            return device, True
        fresh = at > device.last_seen_at
        if fresh:
            self._refresh(device, observed)
        return device, fresh

    def flush(self) -> None:
        """Write the device changes, address intervals and identity events gathered."""
        # One UPDATE per set of changed columns: usually just last_seen_at for all.
        groups: dict[frozenset[str], list[DeviceState]] = {}
        for state in self._states():
            if state.changed:
                groups.setdefault(frozenset(state.changed), []).append(state)
        for names, states in groups.items():
            columns = ("id", *sorted(names | {"last_seen_at"}))
            rows = [{c: _value(s, c) for c in columns} | {"was": s.stored_seen} for s in states]
            update_rows(self.session, table_of(Device), "id", rows, guard="last_seen_at")
        if self.closed:
            stmt = (
                update(DeviceAddress)
                .where(DeviceAddress.device_id == bindparam("d"), DeviceAddress.until.is_(None))
                .values(until=bindparam("t"))
            )
            self.session.connection().execute(stmt, self.closed)
        for rows, table in ((self.opened, DeviceAddress), (self.events, DeviceEvent)):
            if rows:
                for row in rows:
                    row["device_id"] = row.pop("state").final().id
                self.session.execute(insert(table), rows)

    def _states(self) -> list[DeviceState]:
        seen = {*self.by_serial.values(), *self.by_mac.values(), *self.by_address.values()}
        return sorted(seen, key=lambda s: s.id)

    def _index(self, state: DeviceState) -> None:
        if state.serial:
            self.by_serial[state.serial] = state
        if state.mac:
            self.by_mac[state.mac] = state
        if state.collector_id == self.collector.id:
            known = self.by_address.get(state.address)
            if known is None or known.last_seen_at < state.last_seen_at:
                self.by_address[state.address] = state

    def _event(
        self,
        state: DeviceState,
        at: datetime,
        kind: str,
        name: str | None = None,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        self.events.append(
            {"state": state, "at": at, "kind": kind, "field": name, "old": old, "new": new}
        )

    def _create(
        self, observed: ObservedReading, serial: str | None, mac: str | None
    ) -> DeviceState:
        r, at = observed.reading, observed.observed_at
        fields = {name: getattr(r.identity, name) for name in TRACKED}
        c = self.collector
        state = DeviceState(0, serial, mac, r.address, c.id, c.site_id, r.kind.value, at, fields)
        state.stored_seen = at
        values = {name: _value(state, name) for name in _UPDATE_COLUMNS}
        state.id = self.session.execute(
            insert(Device)
            .values(dealer_id=c.dealer_id, first_seen_at=at, **values)
            .returning(Device.id)
        ).scalar_one()
        self.created.add(state.id)
        self._index(state)
        self._event(state, at, "created", "serial", None, serial)
        self._open_address(state, at)
        return state

    def _open_address(self, state: DeviceState, at: datetime) -> None:
        """Start the device's current address interval (closing the previous one)."""
        pending = self.open_rows.get(state.id)
        if pending is not None:
            pending["until"] = at
        elif state.id not in self.created:
            self.closed.append({"d": state.id, "t": at})
        row = {
            "state": state,
            "collector_id": self.collector.id,
            "address": state.address,
            "since": at,
            "until": None,
        }
        self.opened.append(row)
        self.open_rows[state.id] = row

    def _adopt(
        self, device: DeviceState, serial: str | None, mac: str | None, at: datetime
    ) -> None:
        """Learn a serial or MAC the device did not have (old readings count too)."""
        if serial and device.serial is None:
            device.serial = serial
            device.changed.add("serial")
            self.by_serial[serial] = device
            self._event(device, at, "changed", "serial", None, serial)
        if mac and device.mac != mac and self.by_mac.get(mac) in (None, device):
            self._event(device, at, "changed", "mac", device.mac, mac)
            if device.mac:
                self.by_mac.pop(device.mac, None)
            device.mac = mac
            device.changed.add("mac")
            self.by_mac[mac] = device

    def _refresh(self, device: DeviceState, observed: ObservedReading) -> None:
        """Copy the newest reading's identity, address and site onto the device."""
        r, at = observed.reading, observed.observed_at
        for name in TRACKED:
            new = getattr(r.identity, name)
            if new is not None and new != device.fields[name]:
                self._event(device, at, "changed", name, device.fields[name], new)
                device.fields[name] = new
                device.changed.add(name)
        if device.site_id != self.collector.site_id:
            self._event(
                device, at, "moved", "site", str(device.site_id), str(self.collector.site_id)
            )
            device.site_id = self.collector.site_id
            device.changed.add("site_id")
        if device.address != r.address or device.collector_id != self.collector.id:
            self._event(device, at, "changed", "address", device.address, r.address)
            if self.by_address.get(device.address) is device:
                del self.by_address[device.address]
            device.address, device.collector_id = r.address, self.collector.id
            device.changed.update(("address", "collector_id"))
            self._open_address(device, at)
            self._index(device)
        if device.kind != r.kind.value:
            device.kind = r.kind.value
            device.changed.add("kind")
        device.last_seen_at = at
        device.changed.add("last_seen_at")

    def _move_mac(self, holder: DeviceState, at: datetime) -> None:
        """The holder's MAC now belongs to another printer: clear it before anyone takes it."""
        self._event(holder, at, "mac_moved", "mac", holder.mac, None)
        self.by_mac.pop(holder.mac or "", None)
        holder.mac = None
        self.session.execute(update(Device).where(Device.id == holder.id).values(mac=None))

    def _merge(self, drop: DeviceState, keep: DeviceState, at: datetime) -> None:
        """``drop`` (known only by MAC or address) is the same printer as ``keep``."""
        self.closed = [c for c in self.closed if c["d"] != drop.id]
        self.opened = [o for o in self.opened if o["state"] is not drop]
        self.open_rows.pop(drop.id, None)
        span = merge_devices(self.session, drop.id, keep.id, at)
        self.touched.extend(span)
        self._event(keep, at, "merged", "device", str(drop.id), str(keep.id))
        for index in (self.by_mac, self.by_address):
            for key in [k for k, v in index.items() if v is drop]:
                del index[key]
        mac, drop.merged_into = drop.mac, keep
        drop.changed.clear()
        self.session.execute(delete(Device).where(Device.id == drop.id))
        self._adopt(keep, None, mac, at)


@cache
def _candidates(dialect: str) -> Select[Any]:
    """Every device a batch could name (built once per database kind)."""
    dealer = Device.dealer_id == bindparam("dealer")
    # One index probe per key kind (a UNION, not an OR, so every plan uses the indexes).
    ids = union(
        select(Device.id).where(dealer, one_of(dialect, Device.serial, "serials")),
        select(Device.id).where(dealer, one_of(dialect, Device.mac, "macs")),
        select(Device.id).where(
            Device.collector_id == bindparam("collector"),
            one_of(dialect, Device.address, "addresses"),
        ),
    )
    cols = [getattr(Device, c) for c in (*_STATE_COLUMNS, *TRACKED)]
    # No FOR UPDATE: writes are guarded by last_seen_at instead (see Resolver.flush).
    return select(*cols).where(Device.id.in_(ids.scalar_subquery()))


_STATE_COLUMNS: Final = (
    "id", "serial", "mac", "address", "collector_id", "site_id", "kind", "last_seen_at"
)  # fmt: skip
_UPDATE_COLUMNS: Final = (
    "serial", "mac", "address", "collector_id", "site_id", "kind", "last_seen_at", *TRACKED
)  # fmt: skip


def _value(state: DeviceState, column: str) -> Any:
    return state.fields[column] if column in state.fields else getattr(state, column)


def _compatible(device: DeviceState, serial: str | None, mac: str | None) -> bool:
    """Whether a device found by address may be the printer that sent this identity."""
    return (serial is None or device.serial in (None, serial)) and (
        mac is None or device.mac in (None, mac)
    )
