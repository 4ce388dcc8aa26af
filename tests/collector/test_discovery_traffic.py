"""Discovery traffic stays at least ten times below the seeds' published figures (bytes, not time).

Counted as docs/security.md says: SNMP UDP payload both ways, the collector service's lean sweep.
"""

from __future__ import annotations

import asyncio

from printscout.collector.discovery import lean_sweep
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT = 18116
NET = "127.115.12"


def _none() -> frozenset[str]:
    return frozenset()


async def _discovery_bytes(hosts: list[str], port: int = PORT) -> tuple[int, int]:
    """Printers found and SNMP bytes both ways."""
    async with SnmpEngine() as engine:
        credentials = [Target("", port, timeout=0.3, retries=1)]
        found = [p async for p in lean_sweep(engine, hosts, credentials, neighbours=_none)]
    return len(found), engine.traffic.sent_bytes + engine.traffic.received_bytes


def test_a_blank_address_a_printer_and_a_24_stay_ten_times_below_the_seeds() -> None:
    hosts = [f"{NET}.{n}" for n in range(1, 255)]

    async def run() -> list[tuple[int, int]]:
        colour = [p for p in builtin_recordings() if p.name.startswith("hp-color")]
        fleet = await start_fleet(colour, hosts[:1], port=PORT, silent=hosts[1:])
        try:
            return [
                await _discovery_bytes(hosts[1:2]),
                await _discovery_bytes(hosts[:1]),
                await _discovery_bytes(hosts),
            ]
        finally:
            fleet.close()

    blank, one, subnet = asyncio.run(run())
    assert blank[0] == 0 and blank[1] <= 5280 // 10
    assert one[0] == 1 and one[1] <= 7260 // 10
    assert subnet[0] == 1 and subnet[1] <= 96300 // 10


def test_thirteen_printers_stay_ten_times_below_the_seed() -> None:
    hosts = [f"{NET}.{n}" for n in range(1, 14)]

    async def run() -> tuple[int, int]:
        fleet = await start_fleet(builtin_recordings()[:13], hosts, port=PORT + 1)
        try:
            return await _discovery_bytes(hosts, PORT + 1)
        finally:
            fleet.close()

    found, total = asyncio.run(run())
    assert found == 13
    assert total <= 111530 // 10
