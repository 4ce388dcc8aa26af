"""A printer of no known vendor still gets everything the standard MIBs give.

An "Acme" printer under an unassigned enterprise number is served over UDP; no profile is
chosen, its private objects are not asked, and identity, status, supplies, trays and the
lifetime counter come from MIB-II, Host Resources and the Printer-MIB alone. Every project
recording read without its profile gives the standard half of its expectation too.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from printscout.collector.raw import RawReading
from printscout.collector.reader import Reader
from printscout.collector.scan_output import reading_to_json
from printscout.domain.reading import DeviceKind, Reading, SupplyState
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings, parse_recording

PORT = 17771
EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"

ACME = """
1.3.6.1.2.1.1.1.0|4|Acme LaserWriter 9 version 4.2
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.7.1
1.3.6.1.2.1.1.3.0|67|424242
1.3.6.1.2.1.1.4.0|4|it@example.com
1.3.6.1.2.1.1.5.0|4|acme-lw9
1.3.6.1.2.1.1.6.0|4|Lab 3
1.3.6.1.2.1.2.2.1.3.1|2|6
1.3.6.1.2.1.2.2.1.6.1|4x|02aa0b0c0d0e
1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5
1.3.6.1.2.1.25.3.2.1.3.1|4|Acme LaserWriter 9
1.3.6.1.2.1.25.3.2.1.5.1|2|3
1.3.6.1.2.1.25.3.5.1.1.1|2|3
1.3.6.1.2.1.25.3.5.1.2.1|4x|20
1.3.6.1.2.1.43.5.1.1.2.1|2|1
1.3.6.1.2.1.43.5.1.1.10.1|2|1
1.3.6.1.2.1.43.5.1.1.17.1|4|ACME0009
1.3.6.1.2.1.43.7.1.1.4.1.1|2|106
1.3.6.1.2.1.43.8.2.1.9.1.1|2|250
1.3.6.1.2.1.43.8.2.1.10.1.1|2|-3
1.3.6.1.2.1.43.8.2.1.12.1.1|4|A4
1.3.6.1.2.1.43.8.2.1.13.1.1|4|Tray 1
1.3.6.1.2.1.43.10.2.1.3.1.1|2|7
1.3.6.1.2.1.43.10.2.1.4.1.1|65|77001
1.3.6.1.2.1.43.11.1.1.3.1.1|2|1
1.3.6.1.2.1.43.11.1.1.3.1.2|2|0
1.3.6.1.2.1.43.11.1.1.4.1.1|2|3
1.3.6.1.2.1.43.11.1.1.4.1.2|2|4
1.3.6.1.2.1.43.11.1.1.5.1.1|2|3
1.3.6.1.2.1.43.11.1.1.5.1.2|2|4
1.3.6.1.2.1.43.11.1.1.6.1.1|4|Black Toner
1.3.6.1.2.1.43.11.1.1.6.1.2|4|Waste Toner
1.3.6.1.2.1.43.11.1.1.7.1.1|2|19
1.3.6.1.2.1.43.11.1.1.7.1.2|2|19
1.3.6.1.2.1.43.11.1.1.8.1.1|2|100
1.3.6.1.2.1.43.11.1.1.8.1.2|2|-2
1.3.6.1.2.1.43.11.1.1.9.1.1|2|2
1.3.6.1.2.1.43.11.1.1.9.1.2|2|-3
1.3.6.1.2.1.43.12.1.1.4.1.1|4|black
1.3.6.1.2.1.43.16.5.1.2.1.1|4|Toner low
1.3.6.1.4.1.99999.1.1.0|4|ACME-PRIVATE-SERIAL
1.3.6.1.4.1.99999.2.1.0|65|123
"""


def read(raw_text: str, address: str) -> tuple[Reading, RawReading]:
    """Serve one recording and read it through the Reader, raw and normalized."""

    async def run() -> tuple[Reading, RawReading]:
        fleet = await start_fleet(
            [parse_recording(raw_text, "acme")], [address], port=PORT, speed=0.0, personalize=False
        )
        try:
            async with SnmpEngine() as engine:
                reader = Reader(Walker(engine))
                reading = await reader.read(Target(address, PORT))
                return reading, await reader.read_raw(Target(address, PORT))
        finally:
            fleet.close()

    return asyncio.run(run())


def test_it_reads_the_standard_mibs_of_an_unknown_vendor() -> None:
    reading, raw = read(ACME, "127.89.0.1")
    assert raw.profile is None
    assert not any(oid[:7] == (1, 3, 6, 1, 4, 1, 99999) for oid in raw.scalars)
    ident = reading.identity
    assert (ident.manufacturer, ident.model) == (None, "Acme LaserWriter 9")
    assert (ident.serial, ident.firmware, ident.asset_number) == ("ACME0009", None, None)
    assert (ident.mac, ident.hostname, ident.location) == ("02:aa:0b:0c:0d:0e", "acme-lw9", "Lab 3")
    assert (ident.contact, ident.sys_object_id) == ("it@example.com", "1.3.6.1.4.1.99999.7.1")
    assert reading.kind is DeviceKind.PRINTER
    status = reading.status
    assert (status.device, status.printer, status.errors) == ("warning", "idle", ("low_toner",))
    assert status.display == ("Toner low",)
    toner, waste = reading.supplies
    assert (toner.color, toner.level_percent, toner.state) == ("black", 2, SupplyState.LOW)
    assert (waste.kind, waste.state, waste.level_percent) == (
        "waste_toner",
        SupplyState.SOME_REMAINING,
        None,
    )
    assert {s.level_source for s in reading.supplies} == {"printer_mib"}
    (tray,) = reading.trays
    assert (tray.name, tray.media, tray.level, tray.max_capacity) == ("Tray 1", "A4", -3, 250)
    counters = reading.counters
    assert (counters.total, counters.unit, counters.anomalies) == (77001, "impressions", ())
    vendor_only = (counters.mono, counters.color, counters.print, counters.scan, counters.large)
    assert vendor_only == (None, None, None, None, None)


def _standard_part(expected: dict[str, Any]) -> dict[str, Any]:
    """What an expectation says the Printer-MIB and MIB-II give, without vendor objects."""
    identity = {k: expected["identity"][k] for k in ("serial", "mac", "hostname", "location")}
    supplies = [
        {k: s[k] for k in ("index", "color", "level", "max_capacity", "unit")}
        for s in expected["supplies"]
        if s["index"] < 1000  # vendor-only parts are numbered from 1000
    ]
    return {"identity": identity, "supplies": supplies, "trays": expected["trays"]}


@pytest.mark.parametrize("path", builtin_recordings(), ids=lambda p: p.stem)
def test_each_recording_without_its_profile_still_gives_the_standard_part(path: Path) -> None:
    async def run() -> Reading:
        address = "127.89.1.1"
        fleet = await start_fleet([path], [address], port=PORT, speed=0.0, personalize=False)
        try:
            async with SnmpEngine() as engine:
                reader = Reader(Walker(engine), profiles=lambda _oid, _brand: None)
                return await reader.read(Target(address, PORT))
        finally:
            fleet.close()

    reading = reading_to_json(asyncio.run(run()))
    expected = json.loads((EXPECTED / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert _standard_part(reading) == _standard_part(expected)
    assert reading["identity"]["firmware"] is None
    counters = reading["counters"]
    assert counters["mono"] is counters["color"] is counters["scan"] is None
    assert counters["total"] == expected["counters"]["total"]  # = prtMarkerLifeCount
