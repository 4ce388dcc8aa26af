"""Response bodies of the device endpoints, and their building from storage rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from printscout.server.api.queries import DeviceRow
from printscout.storage.fleet import DeviceSupply
from printscout.storage.readings import COUNTER_COLUMNS, MeterColumns, ReadingRecord


class Ref(BaseModel):
    """A customer or site: id and name."""

    id: int
    name: str


class DeviceSummary(BaseModel):
    """A device in a list: identity, place and state."""

    id: int
    serial: str | None
    mac: str | None
    manufacturer: str | None
    model: str | None
    address: str
    hostname: str | None
    location: str | None
    customer: Ref
    site: Ref
    state: str
    first_seen_at: datetime
    last_seen_at: datetime


class DevicePage(BaseModel):
    """A page of devices; ask again with ``cursor=next_cursor`` while it is not null."""

    items: list[DeviceSummary]
    next_cursor: int | None


class Counters(BaseModel):
    """Page counters of a reading (null where the device does not count it)."""

    model_config = ConfigDict(populate_by_name=True)

    total: int | None
    mono: int | None
    color: int | None
    print: int | None
    copy_: int | None = Field(alias="copy")
    fax: int | None
    scan: int | None
    large: int | None
    unit: str | None


class DeviceStatus(BaseModel):
    """The device's newest status."""

    observed_at: datetime
    device: str | None
    printer: str | None
    errors: list[str]
    display: list[str]


class SupplyOut(BaseModel):
    """One supply slot as it stands now."""

    index: int
    kind: str
    colour: str | None
    description: str | None
    level_percent: int | None
    level: int | None
    max_capacity: int | None
    unit: str | None
    state: str
    serial: str | None
    changed_at: datetime
    installed_at: datetime | None


class DeviceDetail(DeviceSummary):
    """A device with everything known about it now."""

    kind: str
    firmware: str | None
    contact: str | None
    asset_number: str | None
    status: DeviceStatus | None
    counters: Counters | None
    supplies: list[SupplyOut]


class SupplyLevel(BaseModel):
    """A supply's level in one reading."""

    index: int
    level_percent: int | None
    state: str | None


class ReadingOut(BaseModel):
    """One reading: meters, status and levels at a moment."""

    observed_at: datetime
    device_status: str | None
    printer_status: str | None
    errors: list[str]
    counters: Counters
    supplies: list[SupplyLevel]


class ReadingPage(BaseModel):
    """A page of readings, oldest first; ask again with ``since=next_since`` while not null."""

    items: list[ReadingOut]
    next_since: datetime | None


def counters_of(meters: MeterColumns) -> Counters:
    """The counters of a reading (or roll-up)."""
    values: dict[str, Any] = {
        c.removeprefix("counter_"): getattr(meters, c) for c in COUNTER_COLUMNS
    }  # "copy" is the alias of copy_ (BaseModel has a copy method)
    return Counters(**values, unit=meters.counter_unit)


def summary_of(row: DeviceRow) -> dict[str, Any]:
    """The fields of a device summary."""
    d = row.device
    return {
        "id": d.id,
        "serial": d.serial,
        "mac": d.mac,
        "manufacturer": d.manufacturer,
        "model": d.model,
        "address": d.address,
        "hostname": d.hostname,
        "location": d.location,
        "customer": Ref(id=row.customer_id, name=row.customer_name),
        "site": Ref(id=d.site_id, name=row.site_name),
        "state": row.state,
        "first_seen_at": d.first_seen_at,
        "last_seen_at": d.last_seen_at,
    }


def detail_of(
    row: DeviceRow, supplies: list[DeviceSupply], newest: ReadingRecord | None
) -> DeviceDetail:
    """The detail of a device from its row, supply slots and newest reading."""
    d = row.device
    status = None
    if newest is not None:
        status = DeviceStatus(
            observed_at=newest.observed_at,
            device=newest.device_status,
            printer=newest.printer_status,
            errors=list(newest.errors),
            display=list(newest.display),
        )
    return DeviceDetail(
        **summary_of(row),
        kind=d.kind,
        firmware=d.firmware,
        contact=d.contact,
        asset_number=d.asset_number,
        status=status,
        counters=None if newest is None else counters_of(newest),
        supplies=[supply_of(s) for s in supplies],
    )


def supply_of(s: DeviceSupply) -> SupplyOut:
    """A supply slot."""
    return SupplyOut(
        index=s.supply_index,
        kind=s.kind,
        colour=s.color,
        description=s.description,
        level_percent=s.level_percent,
        level=s.level,
        max_capacity=s.max_capacity,
        unit=s.unit,
        state=s.state,
        serial=s.serial,
        changed_at=s.changed_at,
        installed_at=s.installed_at,
    )


def reading_of(r: ReadingRecord) -> ReadingOut:
    """A reading."""
    return ReadingOut(
        observed_at=r.observed_at,
        device_status=r.device_status,
        printer_status=r.printer_status,
        errors=list(r.errors),
        counters=counters_of(r),
        supplies=[
            SupplyLevel(
                index=p["index"], level_percent=p.get("level_percent"), state=p.get("state")
            )
            for p in r.supplies
        ],
    )
