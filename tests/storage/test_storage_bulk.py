"""Many-row statements: one per batch on PostgreSQL (unnest), executemany on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from printscout.storage.accounts import CollectorRecord
from printscout.storage.base import table_of
from printscout.storage.bulk import insert_rows, update_rows
from printscout.storage.errors import WriteConflict
from printscout.storage.fleet import Device, DeviceEvent
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database
from tests.storage.fleet_samples import T0, fleet_batch


@pytest.fixture
def devices(db: Database, collector: CollectorRecord) -> list[int]:
    """Three printers, last seen at T0."""
    batch = fleet_batch(str(collector.public_id), range(3), T0)
    store_batch(db, collector, batch, IngestRules(), T0 + timedelta(hours=1))
    with db.reader() as session:
        return list(session.scalars(select(Device.id).order_by(Device.id)))


def test_it_inserts_rows_and_returns_what_was_inserted(db: Database, devices: list[int]) -> None:
    rows = [
        {"device_id": d, "at": T0, "kind": "note", "field": None, "old": None, "new": f"n{d}"}
        for d in devices
    ]
    with db.writer() as session:
        added = insert_rows(session, table_of(DeviceEvent), rows, returning=("device_id", "new"))
    assert sorted(added) == [(d, f"n{d}") for d in devices]


def test_it_updates_by_key_and_refuses_rows_changed_meanwhile(
    db: Database, devices: list[int]
) -> None:
    later = T0 + timedelta(minutes=5)
    rows = [{"id": d, "last_seen_at": later, "firmware": "9.9", "was": T0} for d in devices]
    with db.writer() as session:
        update_rows(session, table_of(Device), "id", rows, guard="last_seen_at")
    with db.reader() as session:
        assert set(session.scalars(select(Device.firmware))) == {"9.9"}
    stale = [{**row, "last_seen_at": later + timedelta(minutes=5)} for row in rows]
    with pytest.raises(WriteConflict, match="3 devices row"), db.writer() as session:
        update_rows(session, table_of(Device), "id", stale, guard="last_seen_at")
    with db.reader() as session:
        assert set(session.scalars(select(Device.last_seen_at))) == {later}
