"""The lean sweep: one knock per address, probes only where something answered or ARP resolved."""

from __future__ import annotations

import asyncio
from pathlib import Path

from printscout.collector.discovery import (
    discover,
    kernel_neighbours,
    lean_sweep,
    parse_arp_table,
    sweep,
)
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT = 18115
KNOCK_BYTES = 36  # GETNEXT 1.3, community "public", 4-octet request id

ARP = """IP address       HW type     Flags       HW address            Mask     Device
198.51.100.1      0x1         0x2         52:54:00:12:34:56     *        eth0
198.51.100.7      0x1         0x0         00:00:00:00:00:00     *        eth0
198.51.100.9      0x1         0x6         52:54:00:aa:bb:cc     *        eth0
"""


def _none() -> frozenset[str]:
    return frozenset()


def test_it_brings_the_same_identity_scalars_as_the_plain_probe() -> None:
    printer = "127.115.6.1"

    async def run(lean: bool) -> dict[Oid, Value]:
        fleet = await start_fleet(builtin_recordings()[:1], [printer], port=PORT)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.3, retries=1)]
                probes = (
                    lean_sweep(engine, [printer], credentials, neighbours=_none)
                    if lean
                    else sweep(engine, [printer], credentials)
                )
                (found,) = [p async for p in probes]
                return found.scalars
        finally:
            fleet.close()

    lean = asyncio.run(run(lean=True))
    assert set(lean) == {mibs.SYS_OBJECT_ID, mibs.SYS_DESCR}
    assert lean == asyncio.run(run(lean=False))


def test_it_reads_only_resolved_entries_of_the_arp_table(tmp_path: Path) -> None:
    assert parse_arp_table(ARP) == {"198.51.100.1", "198.51.100.9"}
    table = tmp_path / "arp"
    table.write_text(ARP)
    assert kernel_neighbours(table) == {"198.51.100.1", "198.51.100.9"}
    assert kernel_neighbours(tmp_path / "missing") == frozenset()


def test_it_knocks_once_at_silent_addresses_and_finds_every_printer() -> None:
    printers = [f"127.115.1.{n}" for n in range(1, 4)]
    silent = [f"127.115.1.{n}" for n in range(4, 40)]

    async def run() -> tuple[list[str], dict[str, bool], int, int]:
        fleet = await start_fleet(builtin_recordings()[:3], printers, port=PORT, silent=silent)
        probed: dict[str, bool] = {}
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.3, retries=1)]
                found = [
                    p.target.host
                    async for p in lean_sweep(
                        engine, silent + printers, credentials, on_probed=probed.__setitem__,
                        neighbours=_none,
                    )
                ]  # fmt: skip
                return found, probed, engine.traffic.sent_packets, engine.traffic.sent_bytes
        finally:
            fleet.close()

    found, probed, packets, sent = asyncio.run(run())
    assert sorted(found) == printers
    assert probed == {a: a in printers for a in printers + silent}
    # each printer: knock + probe; each silent address: one knock and no retry
    assert packets == 2 * len(printers) + len(silent)
    # at most (request ids are usually four octets, rarely fewer)
    assert sent <= len(printers) * 57 + (len(printers) + len(silent)) * KNOCK_BYTES


def test_it_retries_silent_addresses_the_kernel_resolved() -> None:
    silent = [f"127.115.2.{n}" for n in range(1, 6)]

    async def run() -> int:
        fleet = await start_fleet(builtin_recordings()[:1], [], port=PORT, silent=silent)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.2, retries=1)]
                found = [
                    p
                    async for p in lean_sweep(
                        engine, silent, credentials, neighbours=lambda: frozenset(silent[:2])
                    )
                ]
                assert found == []
                return engine.traffic.sent_packets
        finally:
            fleet.close()

    # all five knocked once; the two with an ARP entry probed again with their retry
    assert asyncio.run(run()) == 5 + 2 * 2


def test_it_tries_the_next_community_and_probes_with_the_one_that_answered() -> None:
    printer = "127.115.3.1"

    async def run() -> tuple[list[bytes], int]:
        fleet = await start_fleet(
            builtin_recordings()[:1], [printer], port=PORT, communities=(b"second",)
        )
        try:
            async with SnmpEngine() as engine:
                credentials = [
                    Target("", PORT, community=b"first", timeout=0.2, retries=1),
                    Target("", PORT, community=b"second", timeout=0.2, retries=1),
                ]
                found = [
                    p.target.community
                    async for p in lean_sweep(engine, [printer], credentials, neighbours=_none)
                ]
                return found, engine.traffic.sent_packets
        finally:
            fleet.close()

    communities, packets = asyncio.run(run())
    assert communities == [b"second"]
    assert packets == 3  # knock "first" (no answer), knock "second", probe "second"


def test_it_finds_what_the_plain_sweep_finds_for_v1_agents() -> None:
    printers = [f"127.115.4.{n}" for n in range(1, 3)]

    async def run(lean: bool) -> list[str]:
        fleet = await start_fleet(builtin_recordings()[:2], printers, port=PORT)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, version=pdus.V1, timeout=0.3)]
                probes = (
                    lean_sweep(engine, printers, credentials, neighbours=_none)
                    if lean
                    else sweep(engine, printers, credentials)
                )
                return sorted([p.target.host async for p in probes])
        finally:
            fleet.close()

    assert asyncio.run(run(lean=True)) == asyncio.run(run(lean=False)) == printers


def test_it_discovers_and_reads_the_same_printers_as_the_plain_sweep() -> None:
    printers = [f"127.115.5.{n}" for n in range(1, 4)]
    silent = [f"127.115.5.{n}" for n in range(4, 10)]

    async def run(lean: bool) -> list[tuple[str, str | None]]:
        fleet = await start_fleet(builtin_recordings()[:3], printers, port=PORT, silent=silent)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.3, retries=1)]
                readings = await discover(engine, printers + silent, credentials, lean=lean)
                return sorted((r.address, r.identity.serial) for r in readings)
        finally:
            fleet.close()

    lean = asyncio.run(run(lean=True))
    assert len(lean) == len(printers)
    assert lean == asyncio.run(run(lean=False))
