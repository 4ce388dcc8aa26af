"""The fleet: devices, their addresses and identity history, supplies and replacements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from printscout.storage.accounts import Customer, Scope, Site
from printscout.storage.base import Base, BigId

LOW_STATES = ("low", "empty")


class Device(Base):
    """One physical printer, unique per dealer by serial and by MAC."""

    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("dealer_id", "serial"),
        UniqueConstraint("dealer_id", "mac"),
        Index(None, "collector_id", "address"),
        # Room on each page for the row's next version: last_seen_at changes with every
        # batch, and an update that fits its page touches no index (a HOT update).
        {"postgresql_with": {"fillfactor": 70}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("dealers.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    collector_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectors.id", ondelete="SET NULL")
    )
    serial: Mapped[str | None] = mapped_column(String(128))
    mac: Mapped[str | None] = mapped_column(String(17))
    address: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    manufacturer: Mapped[str | None] = mapped_column(String())
    model: Mapped[str | None] = mapped_column(String())
    firmware: Mapped[str | None] = mapped_column(String())
    hostname: Mapped[str | None] = mapped_column(String())
    location: Mapped[str | None] = mapped_column(String())
    contact: Mapped[str | None] = mapped_column(String())
    asset_number: Mapped[str | None] = mapped_column(String())
    sys_object_id: Mapped[str | None] = mapped_column(String())
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class DeviceAddress(Base):
    """An address a device had from ``since`` until ``until`` (open while current)."""

    __tablename__ = "device_addresses"
    __table_args__ = (Index(None, "device_id", "since"), Index(None, "address", "since"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    collector_id: Mapped[int | None] = mapped_column(
        ForeignKey("collectors.id", ondelete="SET NULL")
    )
    address: Mapped[str] = mapped_column(String(255))
    since: Mapped[datetime]
    until: Mapped[datetime | None]


class DeviceEvent(Base):
    """Identity history: created, a field changed, moved site, MAC moved away, merged."""

    __tablename__ = "device_events"
    __table_args__ = (Index(None, "device_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(String())
    new: Mapped[str | None] = mapped_column(String())


class DeviceSupply(Base):
    """The current state of one supply slot of a device (prtMarkerSuppliesIndex)."""

    __tablename__ = "supplies"
    __table_args__ = (
        UniqueConstraint("device_id", "supply_index"),
        Index(None, "state", "device_id"),
        {"postgresql_with": {"fillfactor": 80}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    supply_index: Mapped[int]
    kind: Mapped[str] = mapped_column(String())
    color: Mapped[str | None] = mapped_column(String())
    description: Mapped[str | None] = mapped_column(String())
    unit: Mapped[str | None] = mapped_column(String())
    supply_class: Mapped[str | None] = mapped_column(String())
    level_source: Mapped[str | None] = mapped_column(String())
    max_capacity: Mapped[int | None]
    serial: Mapped[str | None] = mapped_column(String())
    level: Mapped[int | None]
    level_percent: Mapped[int | None]
    state: Mapped[str] = mapped_column(String(16))
    first_seen_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    installed_at: Mapped[datetime | None]


class SupplyEvent(Base):
    """A cartridge replacement: the level jumped up or the cartridge serial changed."""

    __tablename__ = "supply_events"
    __table_args__ = (Index(None, "device_id", "observed_at"), Index(None, "supply_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    supply_id: Mapped[int] = mapped_column(ForeignKey("supplies.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    observed_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    old_level_percent: Mapped[int | None]
    new_level_percent: Mapped[int | None]
    old_serial: Mapped[str | None] = mapped_column(String())
    new_serial: Mapped[str | None] = mapped_column(String())
    page_count: Mapped[int | None] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class DeviceListing:
    """One line of a fleet list."""

    device_id: int
    customer_id: int
    site_id: int
    serial: str | None
    manufacturer: str | None
    model: str | None
    address: str
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class LowSupply:
    """A supply that is low or empty, with its device."""

    device_id: int
    site_id: int
    supply_index: int
    kind: str
    color: str | None
    level_percent: int | None
    state: str
    changed_at: datetime


def devices_in_scope(
    session: Session, scope: Scope, *, customer_id: int | None = None, site_id: int | None = None
) -> list[DeviceListing]:
    """The devices a user sees, optionally of one customer or site, newest address first."""
    query = (
        select(
            Device.id,
            Site.customer_id,
            Device.site_id,
            Device.serial,
            Device.manufacturer,
            Device.model,
            Device.address,
            Device.last_seen_at,
        )
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(Customer.dealer_id == scope.dealer_id)
        .order_by(Site.customer_id, Device.site_id, Device.address)
    )
    if scope.customer_ids is not None:
        query = query.where(Site.customer_id.in_(sorted(scope.customer_ids)))
    if customer_id is not None:
        query = query.where(Site.customer_id == customer_id)
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    return [DeviceListing(*row) for row in session.execute(query)]


def low_supplies(session: Session, scope: Scope) -> list[LowSupply]:
    """Supplies in state low or empty on devices the user sees, the emptiest first."""
    query = (
        select(
            DeviceSupply.device_id,
            Device.site_id,
            DeviceSupply.supply_index,
            DeviceSupply.kind,
            DeviceSupply.color,
            DeviceSupply.level_percent,
            DeviceSupply.state,
            DeviceSupply.changed_at,
        )
        .join(Device, Device.id == DeviceSupply.device_id)
        .join(Site, Site.id == Device.site_id)
        .join(Customer, Customer.id == Site.customer_id)
        .where(DeviceSupply.state.in_(LOW_STATES), Customer.dealer_id == scope.dealer_id)
        .order_by(DeviceSupply.level_percent.asc().nulls_first(), DeviceSupply.device_id)
    )
    if scope.customer_ids is not None:
        query = query.where(Site.customer_id.in_(sorted(scope.customer_ids)))
    return [LowSupply(*row) for row in session.execute(query)]


def replacements(session: Session, device_id: int) -> list[SupplyEvent]:
    """The cartridge replacements of a device, oldest first."""
    return list(
        session.scalars(
            select(SupplyEvent)
            .where(SupplyEvent.device_id == device_id)
            .order_by(SupplyEvent.observed_at, SupplyEvent.id)
        )
    )


def identity_history(session: Session, device_id: int) -> list[DeviceEvent]:
    """The identity events of a device, oldest first."""
    return list(
        session.scalars(
            select(DeviceEvent)
            .where(DeviceEvent.device_id == device_id)
            .order_by(DeviceEvent.at, DeviceEvent.id)
        )
    )


def device_at_address(session: Session, address: str, at: datetime) -> int | None:
    """The device that had ``address`` at time ``at`` (latest one if several did)."""
    return session.scalar(
        select(DeviceAddress.device_id)
        .where(
            DeviceAddress.address == address,
            DeviceAddress.since <= at,
            (DeviceAddress.until.is_(None)) | (DeviceAddress.until > at),
        )
        .order_by(DeviceAddress.since.desc())
        .limit(1)
    )
