"""Reading printers that misbehave: every simulator fault, garbage floods and hostile agents.

A read must either complete with a sane Reading (text capped at MAX_TEXT, walks stopped) or
raise SnmpTimeout, and never hang. Every read runs under ``asyncio.wait_for(…, GUARD)``: a hang
guard, not a timing assertion.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import socket
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

from printscout.collector.reader import Reader
from printscout.collector.text import MAX_TEXT
from printscout.domain.errors import ParseError, SnmpAuthError, SnmpError, SnmpTimeout
from printscout.domain.reading import Reading, SupplyState
from printscout.protocols.snmp import ber, mibs, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.pdu import Pdu
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.protocols.snmp.walk_state import Span
from printscout.simulator.agent import Agent
from printscout.simulator.device import HUGE_STRING, Fault, SimPrinter
from printscout.simulator.fleet import DEFAULT_USERS, Fleet, start_fleet
from printscout.simulator.snmprec import Recording, load_recording, parse_recording

T = TypeVar("T")
PORT = 17181
NET = "127.77.18."
GUARD = 20.0  # seconds: a hang guard for one test's reads, not a timing assertion
SHORT = {"timeout": 0.25, "retries": 0}  # for agents that never answer usefully
# for agents whose GETBULK never answers but whose GETNEXT must (a busy machine gets retries)
BULK_BROKEN = {"timeout": 0.3, "retries": 2}
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "librenms"

# A small colour laser with every group the Reader asks for.
COLOUR_LASER = """
1.3.6.1.2.1.1.1.0|4|HP ETHERNET MULTI-ENVIRONMENT,SN:CNB1234567,PID:HP Color LaserJet Test
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11.2.3.9.1
1.3.6.1.2.1.1.3.0|67|123456
1.3.6.1.2.1.1.4.0|4|IT desk
1.3.6.1.2.1.1.5.0|4|prn-test
1.3.6.1.2.1.1.6.0|4|Lab
1.3.6.1.2.1.2.2.1.3.1|2|6
1.3.6.1.2.1.2.2.1.6.1|4x|001ba94f10ee
1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5
1.3.6.1.2.1.25.3.2.1.3.1|4|HP Color LaserJet Test
1.3.6.1.2.1.25.3.2.1.5.1|2|2
1.3.6.1.2.1.25.3.5.1.1.1|2|3
1.3.6.1.2.1.25.3.5.1.2.1|4x|0000
1.3.6.1.2.1.43.5.1.1.2.1|2|1
1.3.6.1.2.1.43.5.1.1.10.1|2|1
1.3.6.1.2.1.43.5.1.1.17.1|4|CNB1234567
1.3.6.1.2.1.43.7.1.1.4.1.1|2|106
1.3.6.1.2.1.43.8.2.1.9.1.1|2|250
1.3.6.1.2.1.43.8.2.1.10.1.1|2|120
1.3.6.1.2.1.43.8.2.1.12.1.1|4|A4
1.3.6.1.2.1.43.8.2.1.13.1.1|4|Tray 1
1.3.6.1.2.1.43.10.2.1.3.1.1|2|7
1.3.6.1.2.1.43.10.2.1.4.1.1|65|12345
""" + "".join(
    f"1.3.6.1.2.1.43.11.1.1.3.1.{i}|2|{i if i < 5 else 0}\n"
    f"1.3.6.1.2.1.43.11.1.1.4.1.{i}|2|{3 if i < 5 else 4}\n"
    f"1.3.6.1.2.1.43.11.1.1.5.1.{i}|2|{3 if i < 5 else 4}\n"
    f"1.3.6.1.2.1.43.11.1.1.6.1.{i}|4|{name}\n"
    f"1.3.6.1.2.1.43.11.1.1.7.1.{i}|2|19\n"
    f"1.3.6.1.2.1.43.11.1.1.8.1.{i}|2|{100 if i < 5 else -2}\n"
    f"1.3.6.1.2.1.43.11.1.1.9.1.{i}|2|{level}\n"
    for i, name, level in [
        (1, "Black Cartridge", 80), (2, "Cyan Cartridge", 60), (3, "Magenta Cartridge", 40),
        (4, "Yellow Cartridge", 20), (5, "Waste Toner Box", -3),
    ]
) + "".join(
    f"1.3.6.1.2.1.43.12.1.1.4.1.{i}|4|{colour}\n"
    for i, colour in enumerate(("black", "cyan", "magenta", "yellow"), 1)
) + "1.3.6.1.2.1.43.16.5.1.2.1.1|4|Ready\n"  # fmt: skip

# Few strings where one request reads the scalars: with huge strings the answers still fit.
TINY = """
1.3.6.1.2.1.1.1.0|4|Tiny Printer
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2435.2.3.9.1
1.3.6.1.2.1.25.3.2.1.2.1|6|1.3.6.1.2.1.25.3.1.5
1.3.6.1.2.1.25.3.2.1.5.1|2|2
1.3.6.1.2.1.43.10.2.1.4.1.1|65|777
1.3.6.1.2.1.43.11.1.1.5.1.1|2|3
1.3.6.1.2.1.43.11.1.1.5.1.2|2|9
1.3.6.1.2.1.43.11.1.1.6.1.1|4|Black Toner
1.3.6.1.2.1.43.11.1.1.6.1.2|4|Drum Unit
1.3.6.1.2.1.43.11.1.1.8.1.1|2|100
1.3.6.1.2.1.43.11.1.1.8.1.2|2|12000
1.3.6.1.2.1.43.11.1.1.9.1.1|2|42
1.3.6.1.2.1.43.11.1.1.9.1.2|2|6000
"""

LASER = parse_recording(COLOUR_LASER, "colour-laser")
SHARP = load_recording(FIXTURES / "sharp.snmprec")  # 14 supplies: a walk of several requests


@dataclass(frozen=True)
class Host:
    """One simulated printer of the module's fleet."""

    address: str
    recording: Recording
    faults: frozenset[Fault] = frozenset()


HOSTS = {
    "healthy": Host(NET + "1", LASER),
    "huge": Host(NET + "2", LASER, frozenset({Fault.HUGE_STRINGS})),
    "huge_tiny": Host(NET + "3", parse_recording(TINY, "tiny"), frozenset({Fault.HUGE_STRINGS})),
    "wrong_types": Host(NET + "4", LASER, frozenset({Fault.WRONG_TYPES})),
    "looping": Host(NET + "5", LASER, frozenset({Fault.LOOPING_WALK})),
    "endless": Host(NET + "6", LASER, frozenset({Fault.ENDLESS_WALK})),
    "malformed": Host(NET + "7", LASER, frozenset({Fault.MALFORMED})),
    "silent": Host(NET + "8", LASER, frozenset({Fault.SILENT})),
    "slow": Host(NET + "9", LASER, frozenset({Fault.SLOW})),
    "sharp": Host(NET + "10", SHARP),
    "sharp_broken_bulk": Host(NET + "11", SHARP, frozenset({Fault.BROKEN_BULK})),
    "laser_broken_bulk": Host(NET + "12", LASER, frozenset({Fault.BROKEN_BULK})),
    "paper_jam": Host(NET + "13", LASER, frozenset({Fault.PAPER_JAM})),
    "toner_empty": Host(NET + "14", LASER, frozenset({Fault.TONER_EMPTY})),
    "door_open": Host(NET + "15", LASER, frozenset({Fault.DOOR_OPEN})),
}
NO_AGENT = NET + "16"  # bound by the fleet, never read: a host that drops SNMP
SLOW_SECONDS = 0.3


@asynccontextmanager
async def loopback_engine(port: int = 0) -> AsyncIterator[SnmpEngine]:
    """An engine whose socket is bound to 127.0.0.1 only."""
    engine = SnmpEngine()
    await engine.open(("127.0.0.1", port))
    try:
        yield engine
    finally:
        engine.close()


@dataclass
class Served:
    """The running fleet, the event loop it lives on and the healthy reading."""

    runner: asyncio.Runner
    fleet: Fleet

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the fleet's loop under the hang guard."""
        return self.runner.run(asyncio.wait_for(coro, GUARD))


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """One fleet with a printer per fault, frozen in time (speed 0), serving the recordings as
    recorded (no per-copy serials), so that readings compare across hosts."""
    with asyncio.Runner() as runner:
        fleet = runner.run(
            start_fleet(
                [h.recording for h in HOSTS.values()],
                [h.address for h in HOSTS.values()],
                port=PORT,
                faults={h.address: set(h.faults) for h in HOSTS.values()},
                speed=0.0,
                silent=[NO_AGENT],
                personalize=False,
            )
        )
        try:
            fleet.printers[HOSTS["slow"].address].slow_seconds = SLOW_SECONDS
            yield Served(runner, fleet)
        finally:
            fleet.close()


def target(name: str, **options: Any) -> Target:
    """A v2c target for one host of the fleet."""
    address = HOSTS[name].address if name in HOSTS else name
    return Target(address, PORT, **{"timeout": 1.0, "retries": 1, **options})


async def read(tgt: Target, walker: Walker | None = None) -> Reading:
    """One full read through a fresh engine (or the given walker's)."""
    if walker is not None:
        return await Reader(walker).read(tgt)
    async with loopback_engine() as engine:
        return await Reader(Walker(engine)).read(tgt)


def texts(value: object) -> Iterator[str]:
    """Every string inside a reading."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from texts(getattr(value, item.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from texts(item)


def without_address(reading: Reading) -> Reading:
    """A reading compared across hosts: the address is the only difference allowed."""
    return dataclasses.replace(reading, address="")


@pytest.fixture(scope="module")
def healthy(served: Served) -> Reading:
    """The reading of the healthy colour laser."""
    return served.run(read(target("healthy")))


def test_the_healthy_printer_reads_in_full(healthy: Reading) -> None:
    assert healthy.identity.model == "Color LaserJet Test"
    assert [(s.color, s.level_percent, s.state) for s in healthy.supplies] == [
        ("black", 80, SupplyState.OK), ("cyan", 60, SupplyState.OK),
        ("magenta", 40, SupplyState.OK), ("yellow", 20, SupplyState.OK),
        (None, None, SupplyState.SOME_REMAINING),
    ]  # fmt: skip
    assert (healthy.status.display, healthy.status.errors, healthy.status.alerts) == (
        ("Ready",), (), (),
    )  # fmt: skip
    assert healthy.counters.total == 12345


# ---------------------------------------------------------------- huge strings


def test_huge_strings_are_capped_when_the_answers_fit(served: Served) -> None:
    reading = served.run(read(target("huge_tiny")))
    assert reading.identity.sys_descr == ("Tiny Printer" + "X" * HUGE_STRING)[:MAX_TEXT]
    assert [s.description for s in reading.supplies] == [
        ("Black Toner" + "X" * HUGE_STRING)[:MAX_TEXT],
        ("Drum Unit" + "X" * HUGE_STRING)[:MAX_TEXT],
    ]
    assert [s.level_percent for s in reading.supplies] == [42, 50]
    assert all(len(text) <= MAX_TEXT for text in texts(reading))


def test_huge_strings_on_a_full_printer_give_a_capped_reading(served: Served) -> None:
    # Every string comes back 20 kB long, so most answers would exceed a UDP datagram: the
    # agent answers tooBig (or cuts a GETBULK short) and the walker asks for less, piece by
    # piece, so the numbers still arrive and every string is capped.
    reading = served.run(read(target("huge", **SHORT)))
    assert all(len(text) <= MAX_TEXT for text in texts(reading))
    assert reading.supplies and all(s.level is not None for s in reading.supplies)
    assert reading.identity.sys_descr is not None


# ---------------------------------------------------------------- wrong types


def test_wrong_types_give_numbers_from_text_and_no_text_from_oids(
    served: Served, healthy: Reading
) -> None:
    reading = served.run(read(target("wrong_types")))
    # numbers sent as text are still numbers
    assert [(s.level, s.max_capacity, s.level_percent, s.state) for s in reading.supplies] == [
        (s.level, s.max_capacity, s.level_percent, s.state) for s in healthy.supplies
    ]
    assert reading.counters == healthy.counters
    assert (reading.status.device, reading.status.printer) == ("running", "idle")
    # text sent as OIDs is no text at all
    assert [s.description for s in reading.supplies] == [None] * 5
    assert (reading.identity.sys_descr, reading.identity.serial, reading.identity.mac) == (
        None, None, None,
    )  # fmt: skip
    assert reading.status.errors == ()


# ---------------------------------------------------------------- walks that do not end

SUPPLY_SPAN = Span(mibs.PRT_SUPPLIES_LEVEL[:-1], 3, 9)


def test_a_looping_agent_is_detected_and_the_read_completes(served: Served) -> None:
    async def scenario() -> tuple[Reading, bool, int]:
        async with loopback_engine() as engine:
            walker = Walker(engine)
            result = await walker.walk(target("looping"), [SUPPLY_SPAN], 10)
            reading = await Reader(walker).read(target("looping"))
        descriptions = result.columns.get(mibs.PRT_SUPPLIES_DESCRIPTION, {})
        return reading, result.looped, len(descriptions)

    reading, looped, descriptions = served.run(scenario())
    assert looped
    assert descriptions <= 1  # the column goes back to row 1 and is stopped there
    assert 1 <= len(reading.supplies) <= 5
    assert all(s.index in range(1, 6) for s in reading.supplies)


@pytest.mark.parametrize("max_rows", [50, None])
def test_an_endless_walk_is_truncated_at_max_rows(served: Served, max_rows: int | None) -> None:
    async def scenario() -> tuple[Reading, bool, int, int]:
        async with loopback_engine() as engine:
            walker = Walker(engine) if max_rows is None else Walker(engine, max_rows=max_rows)
            result = await walker.walk(target("endless"), [SUPPLY_SPAN], 40)
            reading = await Reader(walker).read(target("endless"))
        descriptions = result.columns.get(mibs.PRT_SUPPLIES_DESCRIPTION, {})
        return reading, result.truncated, len(descriptions), walker.max_rows

    reading, truncated, descriptions, limit = served.run(scenario())
    assert truncated
    assert descriptions == limit
    assert len(reading.supplies) <= limit
    assert reading.supplies[0].description == "Black Cartridge"
    assert {s.description for s in reading.supplies[1:]} == {"more"}


@pytest.mark.parametrize("host", ["looping", "endless"])
def test_a_column_that_loops_or_never_ends_does_not_cost_the_columns_after_it(
    served: Served, host: str
) -> None:
    async def scenario() -> Reading:
        async with loopback_engine() as engine:
            return await read(target(host), Walker(engine, max_rows=50))

    reading = served.run(scenario())
    assert [s.level_percent for s in reading.supplies[:5]] == [80, 60, 40, 20, None]


# ---------------------------------------------------------------- agents that do not answer


def test_malformed_answers_end_in_a_timeout(served: Served) -> None:
    async def scenario() -> int:
        async with loopback_engine() as engine:
            with pytest.raises(SnmpTimeout):
                await read(target("malformed", **SHORT), Walker(engine))
            return engine.traffic.malformed

    assert served.run(scenario()) > 0


@pytest.mark.parametrize("host", ["silent", NO_AGENT])
def test_a_silent_host_ends_in_a_timeout(served: Served, host: str) -> None:
    with pytest.raises(SnmpTimeout):
        served.run(read(target(host, **SHORT)))


def test_a_slow_agent_times_out_when_the_timeout_is_shorter(served: Served) -> None:
    with pytest.raises(SnmpTimeout):
        served.run(read(target("slow", timeout=SLOW_SECONDS / 3, retries=1)))


def test_a_slow_agent_reads_in_full_when_the_timeout_is_longer(
    served: Served, healthy: Reading
) -> None:
    reading = served.run(read(target("slow", timeout=SLOW_SECONDS * 5, retries=0)))
    assert without_address(reading) == without_address(healthy)


# ---------------------------------------------------------------- broken GETBULK


@pytest.mark.parametrize(
    ("broken", "sound"), [("sharp_broken_bulk", "sharp"), ("laser_broken_bulk", "healthy")]
)
def test_broken_getbulk_falls_back_to_getnext_and_reads_everything(
    served: Served, broken: str, sound: str
) -> None:
    async def scenario() -> tuple[Reading, Reading, set[tuple[str, int]]]:
        async with loopback_engine() as engine:
            walker = Walker(engine)
            reference = await read(target(sound))
            reading = await read(target(broken, **BULK_BROKEN), walker)
            return reference, reading, walker.no_bulk

    reference, reading, no_bulk = served.run(scenario())
    assert target(broken).address in no_bulk
    assert without_address(reading) == without_address(reference)
    if broken == "sharp_broken_bulk":
        assert len(reading.supplies) == 14


def test_a_remembered_broken_getbulk_is_not_tried_again(served: Served) -> None:
    async def scenario() -> tuple[int, int]:
        async with loopback_engine() as engine:
            walker = Walker(engine)
            await read(target("laser_broken_bulk", **BULK_BROKEN), walker)
            before = engine.traffic.sent_packets
            await read(target("laser_broken_bulk", **BULK_BROKEN), walker)
            return before, engine.traffic.sent_packets - before

    first, second = served.run(scenario())
    assert 0 < second < first  # no GETBULK waits for a timeout the second time


# ---------------------------------------------------------------- printer faults


@pytest.mark.parametrize(
    ("fault", "error", "code", "description", "display", "device"),
    [
        ("paper_jam", "jammed", "jam", "Paper jam in tray 2", "Paper jam", "down"),
        ("toner_empty", "no_toner", "markerTonerEmpty", "Replace black toner", "Toner empty",
         "warning"),
        ("door_open", "door_open", "doorOpen", "Front door open", "Close front door", "down"),
    ],
)  # fmt: skip
def test_printer_faults_show_in_errors_alerts_and_display(
    served: Served, fault: str, error: str, code: str, description: str, display: str, device: str
) -> None:
    reading = served.run(read(target(fault)))
    status = reading.status
    assert status.errors == (error,)
    assert [(a.severity, a.code, a.description) for a in status.alerts] == [
        ("critical", code, description)
    ]
    assert status.display == (display,)
    assert (status.device, status.printer) == (device, "other")
    toner = [s for s in reading.supplies if s.kind == "toner"]
    if fault == "toner_empty":
        assert [(s.level_percent, s.state) for s in toner] == [(0, SupplyState.EMPTY)] * 4
    else:
        assert [s.level_percent for s in toner] == [80, 60, 40, 20]


# ---------------------------------------------------------------- garbage on the client's socket


def free_loopback_port() -> int:
    """A UDP port on 127.0.0.1 that nothing holds right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def garbage(rng: random.Random) -> list[bytes]:
    """Datagrams a confused or hostile network delivers to a manager's port."""
    response = pdus.encode_community_message(
        pdus.V2C, b"public", Pdu(pdus.RESPONSE, 1, 0, 0, [(mibs.SYS_DESCR, b"spoofed")])
    )
    report = v3.pack(
        msg_id=7, flags=0, engine_id=b"\x80\x00\x00\x00\x01", boots=1, time=1, user=b"",
        context_engine_id=b"", context_name=b"", keys=None,
        pdu=Pdu(pdus.REPORT, 7, 0, 0, [(v3.UNKNOWN_ENGINE_ID, ber.Counter32(1))]),
    )  # fmt: skip
    out = [
        b"",
        b"\x30",
        b"\x30\x80\x02\x01\x01\x00\x00",  # indefinite length
        b"\x30\x84\xff\xff\xff\xff" + rng.randbytes(40),  # a lying length
        response[: len(response) // 2],
        response,  # a request id the engine never used (and a stranger's address)
        response.replace(b"public", b"privat"),
        report,
        report[:-3],
        rng.randbytes(60_000),
    ]
    out += [rng.randbytes(rng.randrange(1, 200)) for _ in range(20)]
    for _ in range(20):  # damaged answers
        out.append(bytes(b ^ rng.randrange(1, 256) if rng.random() < 0.05 else b for b in response))
    return out


def test_a_flood_of_garbage_does_not_break_reads_in_progress(
    served: Served, healthy: Reading
) -> None:
    port = free_loopback_port()
    datagrams = garbage(random.Random(1805))
    sharp_reference = served.run(read(target("sharp")))

    sent = 0

    async def flood(stop: asyncio.Event) -> None:
        nonlocal sent
        loop = asyncio.get_running_loop()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((NET + "200", 0))
            sock.setblocking(False)
            while not stop.is_set():
                # one datagram per turn of the loop (a faster flood only fills the socket buffer)
                await loop.sock_sendto(sock, datagrams[sent % len(datagrams)], ("127.0.0.1", port))
                sent += 1
                await asyncio.sleep(0)

    async def scenario() -> tuple[list[list[Reading]], int]:
        async with loopback_engine(port) as engine:
            reader = Reader(Walker(engine))
            stop = asyncio.Event()
            flooding = asyncio.ensure_future(flood(stop))
            rounds: list[list[Reading]] = []
            # the flood runs for as long as the reads do: at least 8 rounds and 150 datagrams
            while len(rounds) < 8 or (sent <= 150 and len(rounds) < 400):
                pair = (reader.read(target(n)) for n in ("healthy", "sharp"))
                rounds.append(await asyncio.gather(*pair))
            stop.set()
            await flooding
            return rounds, engine.traffic.malformed

    rounds, malformed = served.run(scenario())
    for got_healthy, got_sharp in rounds:
        assert without_address(got_healthy) == without_address(healthy)
        assert without_address(got_sharp) == without_address(sharp_reference)
    assert sent > 100  # the reads ran under fire
    assert malformed > sent // 2  # most garbage does not even parse; the rest is not ours


# ---------------------------------------------------------------- hand-written hostile agents


class _Answering(asyncio.DatagramProtocol):
    """A UDP agent that answers each datagram with ``answer(data)`` (or stays silent)."""

    def __init__(self, answer: Callable[[bytes], bytes | None]) -> None:
        self.answer = answer
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        try:
            reply = self.answer(data)
        except (ParseError, SnmpAuthError):
            return
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


@asynccontextmanager
async def hostile_agent(
    address: str, answer: Callable[[bytes], bytes | None]
) -> AsyncIterator[Target]:
    """Serve ``answer`` on ``address``; yield a v2c target for it."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Answering(answer), local_addr=(address, PORT)
    )
    try:
        yield Target(address, PORT, timeout=0.3, retries=0)
    finally:
        transport.close()


def out_of_range_no_such_name(data: bytes) -> bytes:
    """An SNMPv1 agent that says noSuchName for a varbind index the request does not have."""
    message = pdus.decode_community_message(data)
    request = message.pdu
    reply = Pdu(pdus.RESPONSE, request.request_id, pdus.NO_SUCH_NAME, len(request.varbinds) + 5,
                request.varbinds)  # fmt: skip
    return pdus.encode_community_message(message.version, message.community, reply)


def test_an_out_of_range_no_such_name_index_does_not_hang_the_read(served: Served) -> None:
    async def scenario() -> Reading | None:
        async with hostile_agent(NET + "101", out_of_range_no_such_name) as tgt:
            # a long timeout, so that only the busy loop can reach the 2 s bound
            v1 = dataclasses.replace(tgt, version=pdus.V1, timeout=10.0)
            try:
                return await asyncio.wait_for(read(v1), 2.0)
            except SnmpError:
                return None  # refusing the agent is fine; hanging is not

    reading = served.run(scenario())
    assert reading is None or reading.supplies == ()


def truncating_agent(recording: Recording, keep: int) -> Callable[[bytes], bytes | None]:
    """The simulator's agent, except that GETBULK answers keep only ``keep`` varbinds.

    RFC 3416 4.2.3 lets an agent drop varbinds from the end of a GETBULK answer to fit its
    message size, "no relationship to the values of N, M, or R".
    """
    agent = Agent((b"public",), ())
    printer = SimPrinter("0.0.0.0", recording, speed=0.0, personalize=False)

    def answer(data: bytes) -> bytes | None:
        message = pdus.decode_community_message(data)
        response = agent.respond(printer, message.pdu, message.version)
        if response is None:
            return None
        if message.pdu.tag == pdus.GET_BULK:
            response = Pdu(response.tag, response.request_id, 0, 0, response.varbinds[:keep])
        return pdus.encode_community_message(message.version, message.community, response)

    return answer


def test_a_getbulk_answer_cut_short_loses_nothing(served: Served, healthy: Reading) -> None:
    async def scenario() -> Reading:
        async with hostile_agent(NET + "102", truncating_agent(LASER, 3)) as tgt:
            return await read(dataclasses.replace(tgt, timeout=1.0))

    assert without_address(served.run(scenario())) == without_address(healthy)


FAKE_ENGINE = b"\x80\x00\x1f\x88\x04hostile"


def spoofing_agent(spoof: Callable[[int], bytes]) -> Callable[[bytes], bytes | None]:
    """Report an engine id to discovery, then answer authenticated requests with ``spoof``."""

    def answer(data: bytes) -> bytes | None:
        msg_id = v3.peek_msg_id(data)
        try:
            v3.unpack(data, lambda _user, _engine: None)
        except SnmpAuthError:  # an authenticated request: the agent cannot check it, nor sign
            return spoof(msg_id)
        return v3.pack(
            msg_id=msg_id, flags=0, engine_id=FAKE_ENGINE, boots=1, time=1, user=b"",
            context_engine_id=FAKE_ENGINE, context_name=b"", keys=None,
            pdu=Pdu(pdus.REPORT, msg_id, 0, 0, [(v3.UNKNOWN_ENGINE_ID, ber.Counter32(1))]),
        )  # fmt: skip

    return answer


SPOOFED: list[tuple[ber.Oid, ber.Value]] = [(mibs.SYS_DESCR, b"spoofed")]


def unauthenticated_v3(msg_id: int) -> bytes:
    """A noAuthNoPriv answer to an authPriv request."""
    return v3.pack(
        msg_id=msg_id, flags=0, engine_id=FAKE_ENGINE, boots=1, time=1, user=b"printscout",
        context_engine_id=FAKE_ENGINE, context_name=b"", keys=None,
        pdu=Pdu(pdus.RESPONSE, msg_id, 0, 0, SPOOFED),
    )  # fmt: skip


def community_answer(msg_id: int) -> bytes:
    """A v2c answer, community "public", carrying the v3 request's msgID as request-id."""
    return pdus.encode_community_message(
        pdus.V2C, b"public", Pdu(pdus.RESPONSE, msg_id, 0, 0, SPOOFED)
    )


@pytest.mark.parametrize("spoof", [unauthenticated_v3, community_answer])
def test_the_client_refuses_unauthenticated_answers_to_v3_requests(
    served: Served, spoof: Callable[[int], bytes]
) -> None:
    async def scenario() -> list[tuple[ber.Oid, ber.Value]]:
        address = NET + ("103" if spoof is unauthenticated_v3 else "104")
        async with (
            hostile_agent(address, spoofing_agent(spoof)) as tgt,
            loopback_engine() as engine,
        ):
            v3_target = dataclasses.replace(
                tgt, version=pdus.V3, user=DEFAULT_USERS[0], timeout=0.8, retries=0
            )
            return await engine.get(v3_target, [mibs.SYS_DESCR])

    with pytest.raises(SnmpTimeout):
        served.run(scenario())
