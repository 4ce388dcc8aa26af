"""Supply state and replacement events, kept current by ingest."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from printscout.storage.accounts import CollectorRecord
from printscout.storage.fleet import DeviceSupply, replacements
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.session import Database
from tests.storage.fleet_samples import T0, fleet_batch

RULES = IngestRules(raw_days=30)
NOW = T0 + timedelta(days=1)


def poll(db: Database, collector: CollectorRecord, minutes: int, **kw: object) -> None:
    b = fleet_batch(str(collector.public_id), range(1), T0 + timedelta(minutes=minutes), **kw)
    store_batch(db, collector, b, RULES, NOW)


def slots(db: Database) -> dict[int, DeviceSupply]:
    with db.reader() as session:
        return {s.supply_index: s for s in session.scalars(select(DeviceSupply))}


def test_it_records_every_supply_slot_with_its_level_and_state(
    db: Database, collector: CollectorRecord
) -> None:
    poll(db, collector, 0, levels=(80, 60, 9, 0))
    found = slots(db)
    assert sorted(found) == [1, 2, 3, 4, 5]
    assert [(found[i].level_percent, found[i].state) for i in (1, 3, 4)] == [
        (80, "ok"),
        (9, "low"),
        (0, "empty"),
    ]
    assert (found[5].kind, found[5].supply_class) == ("waste_toner", "receptacle")


def test_it_records_a_replacement_when_the_level_jumps_up(
    db: Database, collector: CollectorRecord
) -> None:
    poll(db, collector, 0, levels=(12, 60, 40, 20), total=5000)
    poll(db, collector, 15, levels=(3, 59, 40, 20), total=5100)
    poll(db, collector, 30, levels=(100, 58, 41, 20), total=5200)
    with db.reader() as session:
        (event,) = replacements(session, slots(db)[1].device_id)
    assert (event.old_level_percent, event.new_level_percent, event.page_count) == (3, 100, 5200)
    assert event.observed_at == T0 + timedelta(minutes=30)
    assert slots(db)[1].installed_at == T0 + timedelta(minutes=30)


def test_it_records_a_replacement_when_the_cartridge_serial_changes(
    db: Database, collector: CollectorRecord
) -> None:
    poll(db, collector, 0, cartridge_serials=("CRG-1", None, None, None))
    poll(db, collector, 15, cartridge_serials=("CRG-2", None, None, None))
    with db.reader() as session:
        (event,) = replacements(session, slots(db)[1].device_id)
    assert (event.old_serial, event.new_serial) == ("CRG-1", "CRG-2")
    assert slots(db)[1].serial == "CRG-2"


def test_it_ignores_small_rises_and_late_readings(db: Database, collector: CollectorRecord) -> None:
    poll(db, collector, 30, levels=(50, 60, 40, 20))
    poll(db, collector, 45, levels=(55, 60, 40, 20))
    poll(db, collector, 0, levels=(100, 100, 100, 100))
    with db.reader() as session:
        assert replacements(session, slots(db)[1].device_id) == []
    assert slots(db)[1].level_percent == 55
    assert slots(db)[1].changed_at == T0 + timedelta(minutes=45)
