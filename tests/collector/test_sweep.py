"""The sweep: every address probed once per try, responders yielded, stoppable at any time."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, cast

from printscout.collector.discovery import probe, sweep
from printscout.protocols.snmp import ber, mibs
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.pdu import Pdu
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


class _OtherObjects(asyncio.DatagramProtocol):
    """An agent that answers a GET for sysObjectID and sysDescr with sysObjectID and, in
    sysDescr's place, sysName: a value the request never asked for."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        message = pdus.decode_community_message(data)
        answer: list[tuple[ber.Oid, ber.Value]] = [
            (mibs.SYS_OBJECT_ID, (1, 3, 6, 1, 4, 1, 11)),
            (mibs.SYS_NAME, b"spoofed"),
        ]
        reply = Pdu(pdus.RESPONSE, message.pdu.request_id, 0, 0, answer)
        self.transport.sendto(
            pdus.encode_community_message(message.version, message.community, reply), addr
        )


def test_a_get_answer_keeps_only_the_objects_the_probe_asked_for() -> None:
    address = "127.87.3.1"

    async def run() -> list[dict[ber.Oid, ber.Value]]:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            _OtherObjects, local_addr=(address, PORT)
        )
        try:
            async with SnmpEngine() as engine:
                credentials = [Target("", PORT, timeout=0.5, retries=0)]
                swept = [p.scalars async for p in sweep(engine, [address], credentials)]
                one = await probe(engine, address, credentials)
                assert one is not None
                return [*swept, one.scalars]
        finally:
            transport.close()

    # both paths: the sweep's callbacks and the probe a task runs (SNMPv3, follow-ups)
    assert asyncio.run(run()) == [{mibs.SYS_OBJECT_ID: (1, 3, 6, 1, 4, 1, 11)}] * 2
