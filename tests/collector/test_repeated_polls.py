"""Polling one printer again and again: what is reused from earlier polls (decoded answers,
walks, readings) never hides a value that changed, and never leaks between callers."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, cast

from printscout.collector.normalize import normalize
from printscout.collector.reader import Reader
from printscout.domain.reading import Reading
from printscout.protocols.snmp import ber, mibs
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.pdu import Pdu
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.protocols.snmp.walk_state import Span, WalkPlan
from printscout.simulator.agent import Agent
from printscout.simulator.device import SimPrinter
from printscout.simulator.snmprec import parse_recording

ADDRESS = "127.102.0.1"
LEVEL = (*mibs.PRT_SUPPLIES_LEVEL, 1, 1)
SUPPLIES = Span(mibs.PRT_SUPPLIES_LEVEL[:-1], 3, 9)
RECORDING = parse_recording(
    """
1.3.6.1.2.1.1.1.0|4|Test printer
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1
1.3.6.1.2.1.1.3.0|67|1000
1.3.6.1.2.1.1.5.0|4|prn-repeat
1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5
1.3.6.1.2.1.25.3.2.1.3.1|4|Test printer
1.3.6.1.2.1.25.3.2.1.5.1|2|2
1.3.6.1.2.1.25.3.5.1.1.1|2|3
1.3.6.1.2.1.43.10.2.1.4.1.1|65|5000
1.3.6.1.2.1.43.11.1.1.4.1.1|2|3
1.3.6.1.2.1.43.11.1.1.5.1.1|2|3
1.3.6.1.2.1.43.11.1.1.6.1.1|4|Black Toner
1.3.6.1.2.1.43.11.1.1.7.1.1|2|19
1.3.6.1.2.1.43.11.1.1.8.1.1|2|100
1.3.6.1.2.1.43.11.1.1.9.1.1|2|80
1.3.6.1.2.1.43.11.1.1.6.1.2|4|Cyan Toner
1.3.6.1.2.1.43.11.1.1.7.1.2|2|19
1.3.6.1.2.1.43.11.1.1.8.1.2|2|100
1.3.6.1.2.1.43.11.1.1.9.1.2|2|60
""",
    "repeat",
)

Patch = Callable[[tuple[int, ...], ber.Value], ber.Value]


class _Agent(asyncio.DatagramProtocol):
    """The simulator's agent for RECORDING, with each answered value passed through ``patch``."""

    def __init__(self, patch: Patch) -> None:
        self.patch = patch
        self.agent = Agent((b"public",), ())
        self.printer = SimPrinter("0.0.0.0", RECORDING, speed=0.0, personalize=False)
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        message = pdus.decode_community_message(data)
        response = self.agent.respond(self.printer, message.pdu, message.version)
        if response is None or self.transport is None:
            return
        varbinds = [(oid, self.patch(oid, value)) for oid, value in response.varbinds]
        reply = Pdu(response.tag, response.request_id, response.error_status,
                    response.error_index, varbinds)  # fmt: skip
        self.transport.sendto(
            pdus.encode_community_message(message.version, b"public", reply), addr
        )


@asynccontextmanager
async def agent(patch: Patch) -> AsyncIterator[Target]:
    """Serve RECORDING (patched) on an ephemeral port; yield a target for it."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Agent(patch), local_addr=(ADDRESS, 0)
    )
    port = transport.get_extra_info("sockname")[1]
    try:
        yield Target(ADDRESS, port, timeout=1.0, retries=1)
    finally:
        transport.close()


def counting(oid_wanted: tuple[int, ...], values: Iterator[int]) -> Patch:
    """A patch that gives ``oid_wanted`` the next of ``values`` on every answer."""

    def patch(oid: tuple[int, ...], value: ber.Value) -> ber.Value:
        return next(values) if oid == oid_wanted else value

    return patch


def unchanged(oid: tuple[int, ...], value: ber.Value) -> ber.Value:
    """No patch: the recording as it is."""
    return value


async def full_polls(patch: Patch, count: int) -> list[Reading]:
    """``count`` full polls (every column) of one printer by one Reader."""
    async with agent(patch) as target, _engine() as engine:
        reader = Reader(Walker(engine))
        reader.revalidate_every = 1
        return [await reader.read(target) for _ in range(count)]


@asynccontextmanager
async def _engine() -> AsyncIterator[SnmpEngine]:
    engine = SnmpEngine()
    await engine.open(("127.0.0.1", 0))
    try:
        yield engine
    finally:
        engine.close()


def test_it_follows_a_supply_level_that_changes_between_polls() -> None:
    readings = asyncio.run(full_polls(counting(LEVEL, itertools.count(90, -7)), 4))
    levels = [r.supplies[0].level for r in readings]
    # every poll shows its own, lower level, none a remembered one
    assert all(a is not None and b is not None and a > b for a, b in itertools.pairwise(levels))
    assert [r.supplies[1].level for r in readings] == [60] * 4


def test_it_gives_every_poll_its_own_uptime() -> None:
    ticks = itertools.count(100_000, 250)  # 2.5 s more on every answer
    readings = asyncio.run(full_polls(counting(mibs.SYS_UPTIME, ticks), 5))
    uptimes = [r.identity.uptime_s for r in readings]
    assert all(a is not None and b is not None and a < b for a, b in itertools.pairwise(uptimes))
    first = readings[0]
    for reading in readings[1:]:  # everything else is the same reading
        assert reading.supplies == first.supplies and reading.status == first.status
        assert reading.identity.serial == first.identity.serial


def test_it_reads_an_unchanged_printer_as_a_fresh_normalization_does() -> None:
    async def scenario() -> tuple[list[Reading], Reading]:
        async with agent(unchanged) as target, _engine() as engine:
            reader = Reader(Walker(engine))
            reader.revalidate_every = 1
            polls = [await reader.read(target) for _ in range(3)]
            fresh = normalize(await Reader(Walker(engine)).read_raw(target))
            return polls, fresh

    polls, fresh = asyncio.run(scenario())
    assert polls == [fresh] * 3


def test_it_returns_walk_results_that_a_caller_may_change() -> None:
    async def scenario() -> list[dict[tuple[int, ...], ber.Value]]:
        async with agent(unchanged) as target, _engine() as engine:
            walker = Walker(engine)
            first = await walker.walk_all(target, [WalkPlan((SUPPLIES,), 20)])
            first[0].columns[mibs.PRT_SUPPLIES_LEVEL][(1, 1)] = -99  # a caller scribbles
            again = await walker.walk_all(target, [WalkPlan((SUPPLIES,), 20)])
            return [first[0].columns[mibs.PRT_SUPPLIES_LEVEL],
                    again[0].columns[mibs.PRT_SUPPLIES_LEVEL]]  # fmt: skip

    scribbled, again = asyncio.run(scenario())
    assert scribbled[(1, 1)] == -99
    assert again == {(1, 1): 80, (1, 2): 60}
