"""One printer answering on several addresses is reported once, with all its addresses."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from printscout.collector.discovery import discover
from printscout.collector.identity import merge_duplicates
from printscout.collector.targets import expand, parse_targets
from printscout.domain.reading import DeviceKind, Identity, Reading
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT = 17861


def _reading(address: str, serial: str | None, mac: str | None) -> Reading:
    return Reading(address, DeviceKind.PRINTER, Identity(manufacturer="HP", serial=serial, mac=mac))


def test_it_merges_by_serial_first_then_by_mac() -> None:
    readings = [
        _reading("127.0.0.12", "CNB1234567", "02:00:00:00:00:01"),
        _reading("127.0.0.3", "CNB1234567", "02:00:00:00:00:02"),  # same serial, 2nd NIC
        _reading("127.0.0.7", None, "02:00:00:00:00:09"),
        _reading("127.0.0.8", None, "02:00:00:00:00:09"),  # no serial, same MAC
        _reading("127.0.0.9", "unknown", None),  # placeholder serials identify nothing
        _reading("127.0.0.10", "unknown", None),
    ]
    merged = merge_duplicates(readings)
    assert [(r.address, r.other_addresses) for r in merged] == [
        ("127.0.0.3", ("127.0.0.12",)),
        ("127.0.0.7", ("127.0.0.8",)),
        ("127.0.0.9", ()),
        ("127.0.0.10", ()),
    ]


def test_the_same_serial_from_two_makes_is_two_devices() -> None:
    hp = _reading("127.0.0.1", "ABC12345", None)
    other = replace(
        _reading("127.0.0.2", "ABC12345", None), identity=Identity("Canon", serial="ABC12345")
    )
    assert len(merge_duplicates([hp, other])) == 2


def test_a_scan_reports_a_two_address_printer_once() -> None:
    hp = next(p for p in builtin_recordings() if p.stem.startswith("hp-"))

    async def run() -> list[Reading]:
        # the same recording, unpersonalised, is one physical printer on two addresses
        fleet = await start_fleet([hp], ["127.85.1.1", "127.85.1.2"], port=PORT, personalize=False)
        try:
            async with SnmpEngine() as engine:
                targets = expand(parse_targets(["127.85.1.1-3"]))
                credentials = [Target("", PORT, timeout=0.3)]
                return await discover(engine, targets, credentials)
        finally:
            fleet.close()

    readings = asyncio.run(run())
    assert [(r.address, r.other_addresses) for r in readings] == [("127.85.1.1", ("127.85.1.2",))]
