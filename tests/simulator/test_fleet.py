"""The simulator: a thousand printers in one process; time passes; refuses non-loopback."""

from __future__ import annotations

import asyncio

import pytest

from printscout.collector.discovery import sweep
from printscout.collector.reader import Reader
from printscout.domain.reading import Reading
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import loopback_addresses, start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT = 17661


def test_one_process_serves_a_thousand_printers() -> None:
    addresses = loopback_addresses("127.84.0.0/22", 1000)

    async def run() -> tuple[int, int]:
        fleet = await start_fleet(builtin_recordings(), addresses, port=PORT)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=2.0, retries=2)]
                found = [p async for p in sweep(engine, addresses, credentials)]
            serials = {
                fleet.printers[p.target.host].overrides.get((1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17, 1))
                for p in found
            }
            return len(found), len(serials - {None})
        finally:
            fleet.close()

    answered, distinct_serials = asyncio.run(run())
    assert answered == 1000
    # each copy of a recording is its own device: serials differ
    assert distinct_serials > 900


def _read_twice(prefix: str, address: str) -> tuple[Reading, Reading]:
    """Two reads of one simulated printer, 60 simulated hours apart."""
    recording = next(p for p in builtin_recordings() if p.stem.startswith(prefix))

    async def run() -> tuple[Reading, Reading]:
        # 100 simulated hours per real second
        fleet = await start_fleet([recording], [address], port=PORT, speed=360_000.0)
        try:
            async with SnmpEngine() as engine:
                reader = Reader(Walker(engine))
                first = await reader.read(Target(address, PORT))
                await asyncio.sleep(0.6)  # past the simulator's clock hold
                return first, await reader.read(Target(address, PORT))
        finally:
            fleet.close()

    return asyncio.run(run())


def test_counters_advance_and_toner_falls_as_time_passes() -> None:
    before, after = _read_twice("hp-", "127.84.4.1")
    assert before.counters.total is not None and after.counters.total is not None
    assert after.counters.total > before.counters.total
    toner_before = {s.index: s.level for s in before.supplies if s.kind == "toner"}
    toner_after = {s.index: s.level for s in after.supplies if s.kind == "toner"}
    assert all(
        after_level is not None and before_level is not None and after_level < before_level
        for index, after_level in toner_after.items()
        if (before_level := toner_before[index]) is not None and before_level > 0
    )
    assert after.identity.uptime_s is not None and before.identity.uptime_s is not None
    assert after.identity.uptime_s > before.identity.uptime_s


@pytest.mark.parametrize(
    "network", ["10.0.0.0/24", "0.0.0.0/8", "192.0.2.0/24"]
)  # example: never bound
def test_it_refuses_to_bind_outside_loopback(network: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        loopback_addresses(network, 1)


@pytest.mark.parametrize("vendor", ["kyocera-", "sharp-", "samsung-"])
def test_vendor_meter_reads_advance_and_keep_adding_up(vendor: str) -> None:
    before, after = _read_twice(vendor, "127.84.5.1")
    assert before.counters.total is not None and after.counters.total is not None
    assert after.counters.total > before.counters.total
    for reading in (before, after):
        mono, color, total = reading.counters.mono, reading.counters.color, reading.counters.total
        if mono is not None and color is not None and total is not None:
            assert abs(mono + color - total) <= 2  # each share is rounded down on its own
    assert not after.counters.anomalies
