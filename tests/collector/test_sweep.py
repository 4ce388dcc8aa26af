"""The sweep: every address probed once per try, responders yielded, stoppable at any time."""

from __future__ import annotations

import asyncio
import contextlib

from printscout.collector.discovery import sweep
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT = 18061


def test_it_reports_every_address_once_and_finds_every_printer() -> None:
    printers = [f"127.87.0.{n}" for n in range(1, 6)]
    silent = [f"127.87.0.{n}" for n in range(6, 31)]

    async def run() -> tuple[list[str], dict[str, bool], int]:
        fleet = await start_fleet(builtin_recordings()[:2], printers, port=PORT, silent=silent)
        probed: dict[str, bool] = {}
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.2, retries=1)]
                found = [
                    p.target.host
                    async for p in sweep(
                        engine, printers + silent, credentials, workers=8,
                        on_probed=probed.__setitem__,
                    )
                ]  # fmt: skip
                return found, probed, engine.traffic.sent_packets
        finally:
            fleet.close()

    found, probed, sent = asyncio.run(run())
    assert sorted(found) == printers
    assert probed == {a: a in printers for a in printers + silent}
    assert sent == len(printers) + 2 * len(silent)  # silent ones: first try and one retry


def test_a_consumer_can_stop_the_sweep_early() -> None:
    printers = [f"127.87.1.{n}" for n in range(1, 4)]
    silent = [f"127.87.1.{n}" for n in range(4, 200)]

    async def run() -> tuple[int, int, int]:
        fleet = await start_fleet(builtin_recordings()[:1], printers, port=PORT, silent=silent)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.3, retries=0)]
                probes = sweep(engine, printers + silent, credentials, workers=4)
                async with contextlib.aclosing(probes):
                    async for _ in probes:
                        break
                sent_then = engine.traffic.sent_packets
                await asyncio.sleep(0.5)  # outstanding probes finish; none start
                return sent_then, engine.traffic.sent_packets, len(silent)
        finally:
            fleet.close()

    sent_then, sent_later, total = asyncio.run(run())
    assert sent_later == sent_then < total


def test_v1_agents_that_answer_with_an_error_still_count_as_responders() -> None:
    async def run() -> int:
        # a v1 agent without sysObjectID would answer noSuchName: it is there all the same
        fleet = await start_fleet(builtin_recordings()[:1], ["127.87.2.1"], port=PORT)
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, version=pdus.V1, timeout=0.3)]
                return len([p async for p in sweep(engine, ["127.87.2.1"], credentials)])
        finally:
            fleet.close()

    assert asyncio.run(run()) == 1
