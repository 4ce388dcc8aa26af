"""Device identity on ingest: serial first, then MAC, then collector and address."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from printscout.domain.reading import Reading
from printscout.storage.accounts import CollectorRecord
from printscout.storage.fleet import Device, DeviceEvent, device_at_address, identity_history
from printscout.storage.identity import mac_key, serial_key
from printscout.storage.ingest import IngestRules, store_batch
from printscout.storage.readings import ReadingRecord
from printscout.storage.session import Database
from tests.storage.databases import add_collector
from tests.storage.fleet_samples import T0, batch, observed, reading

RULES = IngestRules(raw_days=30)
NOW = T0 + timedelta(days=1)


def send(db: Database, collector: CollectorRecord, minutes: int, *readings: Reading) -> None:
    at = T0 + timedelta(minutes=minutes)
    b = batch(str(collector.public_id), [observed(at, r) for r in readings])
    store_batch(db, collector, b, RULES, NOW)


def devices(db: Database) -> list[Device]:
    with db.reader() as session:
        return list(session.scalars(select(Device).order_by(Device.id)))


def readings_per_device(db: Database) -> dict[int, int]:
    with db.reader() as session:
        rows = session.execute(
            select(ReadingRecord.device_id, func.count()).group_by(ReadingRecord.device_id)
        )
        return {device_id: n for device_id, n in rows}


def test_it_normalises_serials_and_macs_and_ignores_junk() -> None:
    assert serial_key("  ab12cd ") == "AB12CD"
    assert [serial_key(s) for s in ("", "0000000", "Unknown", "N/A", None)] == [None] * 5
    assert mac_key("02-1A-2B-3C-4D-5E") == "02:1a:2b:3c:4d:5e"
    assert [mac_key(m) for m in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff", "zz", None)] == [
        None
    ] * 4


def test_it_keeps_one_device_when_address_and_mac_change_but_the_serial_stays(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 0, reading(1))
    send(db, collector, 15, reading(1, address="10.9.9.9", mac="02:00:00:00:99:99"))
    (device,) = devices(db)
    assert (device.address, device.mac) == ("10.9.9.9", "02:00:00:00:99:99")
    changes = {(e.field, e.old, e.new) for e in _history(db, device.id)}
    assert ("address", "10.1.0.2", "10.9.9.9") in changes
    assert ("mac", "02:1a:2b:00:00:01", "02:00:00:00:99:99") in changes


def test_it_recognises_a_printer_by_mac_when_it_gives_no_serial(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 0, reading(1, serial=None))
    send(db, collector, 15, reading(1, serial=None, address="10.5.5.5"))
    send(db, collector, 30, reading(1))
    (device,) = devices(db)
    assert device.serial == "PSHP000001"
    assert readings_per_device(db) == {device.id: 3}


def test_it_falls_back_to_collector_and_address_without_serial_or_mac(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 0, reading(1, serial=None, mac=None))
    send(db, collector, 15, reading(1, serial=None, mac=None))
    send(db, collector, 30, reading(1))
    other, _ = add_collector(db, name="branch-01", site="Branch")
    send(db, other, 45, reading(1, serial=None, mac=None))
    first, second = devices(db)
    assert (first.serial, first.mac) == ("PSHP000001", "02:1a:2b:00:00:01")
    assert (second.serial, second.mac, second.site_id) == (None, None, other.site_id)


def test_it_tells_apart_a_new_printer_at_a_known_address(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 0, reading(1))
    send(db, collector, 15, reading(2, address="10.1.0.2"))
    assert [d.serial for d in devices(db)] == ["PSHP000001", "PSHP000002"]


def test_it_merges_a_mac_only_device_into_the_serial_one(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 0, reading(1, mac=None))
    send(db, collector, 5, reading(1, serial=None, address="10.7.7.7"))
    assert len(devices(db)) == 2
    send(db, collector, 10, reading(1))
    (device,) = devices(db)
    assert (device.serial, device.mac) == ("PSHP000001", "02:1a:2b:00:00:01")
    assert readings_per_device(db) == {device.id: 3}
    assert "merged" in {e.kind for e in _history(db, device.id)}


def test_it_moves_a_mac_that_shows_up_on_another_serial(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 0, reading(1))
    send(db, collector, 15, reading(2, mac="02:1a:2b:00:00:01"))
    first, second = devices(db)
    assert (first.mac, second.mac) == (None, "02:1a:2b:00:00:01")
    assert "mac_moved" in {e.kind for e in _history(db, first.id)}


def test_it_moves_a_printer_to_the_site_of_the_collector_that_now_sees_it(
    db: Database, collector: CollectorRecord
) -> None:
    other, _ = add_collector(db, name="branch-01", site="Branch")
    send(db, collector, 0, reading(1))
    send(db, other, 60, reading(1, address="10.2.0.9"))
    (device,) = devices(db)
    assert (device.site_id, device.collector_id) == (other.site_id, other.id)
    with db.reader() as session:
        assert device_at_address(session, "10.1.0.2", T0 + timedelta(minutes=30)) == device.id
        assert device_at_address(session, "10.1.0.2", T0 + timedelta(minutes=90)) is None
        assert device_at_address(session, "10.2.0.9", T0 + timedelta(minutes=90)) == device.id
    assert "moved" in {e.kind for e in _history(db, device.id)}


def test_it_keeps_identity_when_a_reading_lacks_fields_and_ignores_older_ones(
    db: Database, collector: CollectorRecord
) -> None:
    send(db, collector, 30, reading(1, firmware="2.0"))
    partial = reading(1)
    send(db, collector, 45, replace(partial, identity=replace(partial.identity, firmware=None)))
    send(db, collector, 0, reading(1, firmware="1.0", address="10.3.3.3"))
    (device,) = devices(db)
    assert (device.firmware, device.address) == ("2.0", "10.1.0.2")
    assert device.last_seen_at == T0 + timedelta(minutes=45)


def test_it_scopes_serials_to_the_dealer(db: Database, collector: CollectorRecord) -> None:
    rival, _ = add_collector(db, dealer="Other Dealer", customer="Beta")
    send(db, collector, 0, reading(1))
    send(db, rival, 0, reading(1))
    assert [d.dealer_id for d in devices(db)] == [collector.dealer_id, rival.dealer_id]


def _history(db: Database, device_id: int) -> list[DeviceEvent]:
    with db.reader() as session:
        return list(identity_history(session, device_id))
