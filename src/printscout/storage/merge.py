"""Merging two device rows found to be one printer: history moves to the device kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from printscout.storage.fleet import DeviceAddress, DeviceEvent, DeviceSupply, SupplyEvent
from printscout.storage.readings import MeterRead, ReadingDay, ReadingRecord


def merge_devices(session: Session, drop: int, keep: int, at: datetime) -> list[datetime]:
    """Move readings, supplies and history of ``drop`` to ``keep`` (``drop`` is deleted after).

    Where both have a row for the same moment, slot, day or month, ``keep``'s row stays.
    Returns the first and last moment of the readings moved, for the roll-up to redo.
    """
    span = session.execute(
        select(func.min(ReadingRecord.observed_at), func.max(ReadingRecord.observed_at)).where(
            ReadingRecord.device_id == drop
        )
    ).one()
    for table, key in (
        (ReadingRecord, "observed_at"),
        (ReadingDay, "day"),
        (MeterRead, "month"),
    ):
        _move_rows(session, table, key, drop, keep)
    _move_supplies(session, drop, keep)
    session.execute(
        update(DeviceAddress)
        .where(DeviceAddress.device_id == drop, DeviceAddress.until.is_(None))
        .values(until=at)
    )
    for history in (DeviceAddress, DeviceEvent, SupplyEvent):
        session.execute(update(history).where(history.device_id == drop).values(device_id=keep))
    return [t for t in span if t is not None]


def _move_rows(
    session: Session,
    table: type[ReadingRecord] | type[ReadingDay] | type[MeterRead],
    key: str,
    drop: int,
    keep: int,
) -> None:
    """Re-point rows of ``drop`` whose ``key`` ``keep`` lacks; delete the rest."""
    other = aliased(table)
    clash = exists().where(
        and_(other.device_id == keep, getattr(other, key) == getattr(table, key))
    )
    session.execute(
        update(table)
        .where(table.device_id == drop, ~clash)
        .values(device_id=keep)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(table).where(table.device_id == drop))


def _move_supplies(session: Session, drop: int, keep: int) -> None:
    """Slots ``keep`` lacks move over; for shared slots the events join ``keep``'s slot."""
    kept = dict(
        session.execute(
            select(DeviceSupply.supply_index, DeviceSupply.id).where(DeviceSupply.device_id == keep)
        ).all()
    )
    for supply_id, index in session.execute(
        select(DeviceSupply.id, DeviceSupply.supply_index).where(DeviceSupply.device_id == drop)
    ):
        if index in kept:
            session.execute(
                update(SupplyEvent)
                .where(SupplyEvent.supply_id == supply_id)
                .values(supply_id=kept[index], device_id=keep)
            )
            session.execute(delete(DeviceSupply).where(DeviceSupply.id == supply_id))
        else:
            session.execute(
                update(DeviceSupply).where(DeviceSupply.id == supply_id).values(device_id=keep)
            )
