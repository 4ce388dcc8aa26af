"""The engine's limits: packets per second (on a virtual clock) and requests in flight."""

from __future__ import annotations

import asyncio
import socket

import pytest

from printscout.domain.errors import SnmpTimeout
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.dispatcher import EngineLimits
from printscout.protocols.snmp.target import Target
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

SYS_DESCR = (1, 3, 6, 1, 2, 1, 1, 1, 0)


class VirtualClock:
    """A clock that only moves when the engine sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def test_it_paces_packets_to_the_configured_rate() -> None:
    clock = VirtualClock()

    async def run() -> int:
        fleet = await start_fleet(builtin_recordings()[:1], ["127.83.0.1"], port=17561)
        try:
            limits = EngineLimits(packets_per_second=10)
            async with SnmpEngine(limits, clock=clock, sleep=clock.sleep) as engine:
                for _ in range(31):
                    await engine.get(Target("127.83.0.1", 17561), [SYS_DESCR])
                return engine.traffic.sent_packets
        finally:
            fleet.close()

    started = clock.now
    assert asyncio.run(run()) == 31
    # a burst of one, then one packet every 0.1 s of (virtual) time
    assert clock.now - started == pytest.approx(3.0)


def test_it_never_has_more_requests_in_flight_than_the_cap() -> None:
    async def run() -> None:
        loop = asyncio.get_running_loop()
        agent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        agent.bind(("127.83.0.2", 0))
        agent.setblocking(False)
        port = agent.getsockname()[1]
        async with SnmpEngine(EngineLimits(max_in_flight=3)) as engine:
            target = Target("127.83.0.2", port, timeout=5.0, retries=0)
            calls = [asyncio.ensure_future(engine.get(target, [SYS_DESCR])) for _ in range(10)]
            seen = [await loop.sock_recvfrom(agent, 2048) for _ in range(3)]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(loop.sock_recvfrom(agent, 2048), 0.3)
            # answer one request: exactly one more may now go out
            data, addr = seen[0]
            request = pdus.decode_community_message(data)
            answer = pdus.Pdu(pdus.RESPONSE, request.pdu.request_id, 0, 0, [(SYS_DESCR, b"ok")])
            agent.sendto(pdus.encode_community_message(pdus.V2C, b"public", answer), addr)
            fourth = await asyncio.wait_for(loop.sock_recvfrom(agent, 2048), 5)
            assert pdus.decode_community_message(fourth[0]).pdu.request_id not in {
                pdus.decode_community_message(d).pdu.request_id for d, _ in seen
            }
            done = [c for c in calls if c.done()]
            assert len(done) == 1 and done[0].result() == [(SYS_DESCR, b"ok")]
            for call in calls:
                call.cancel()
        agent.close()

    asyncio.run(run())


def test_a_silent_agent_times_out_after_every_retry() -> None:
    async def run() -> int:
        agent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        agent.bind(("127.83.0.3", 0))
        try:
            async with SnmpEngine() as engine:
                target = Target("127.83.0.3", agent.getsockname()[1], timeout=0.1, retries=2)
                with pytest.raises(SnmpTimeout):
                    await engine.get(target, [SYS_DESCR])
                return engine.traffic.sent_packets
        finally:
            agent.close()

    assert asyncio.run(run()) == 3
