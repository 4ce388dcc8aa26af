"""Discovery: one cheap probe per address, credentials tried in order, then a full read.

The probe is a single GET of sysObjectID.0 and sysDescr.0. Every probe goes out through the
engine's one socket, so a sweep of thousands of silent addresses costs timeout x tries of wall
time and little CPU.

The collector service sweeps *lean* (:func:`lean_sweep`): one knock per address, the smallest
request an agent answers, and no retry unless the kernel's neighbour table shows a host there;
only responders get the probe. ``printscout scan`` keeps the plain sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final

from printscout.collector.identity import merge_duplicates
from printscout.collector.reader import Reader
from printscout.collector.sources import Sources
from printscout.domain.errors import SnmpError
from printscout.domain.reading import Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker

PROBE_OIDS: Final[tuple[Oid, ...]] = (mibs.SYS_OBJECT_ID, mibs.SYS_DESCR)
DEFAULT_WORKERS: Final = 4096
# GETNEXT from ``1.3`` (encoded in one octet): any agent answers with the first object of its
# view, and the request is 36 B with community ``public`` against the probe's 57 B.
KNOCK: Final[tuple[int, tuple[Oid, ...]]] = (pdus.GET_NEXT, ((1, 3),))
PROBE: Final[tuple[int, tuple[Oid, ...]]] = (pdus.GET, PROBE_OIDS)
ARP_TABLE: Final = Path("/proc/net/arp")
_ARP_COMPLETE: Final = 0x2  # ATF_COM: the kernel holds a link-layer address for the entry


@dataclass(frozen=True, slots=True)
class Probe:
    """An address that answered the probe, with the credentials that worked."""

    target: Target
    scalars: dict[Oid, Value]


async def probe(
    engine: SnmpEngine,
    address: str,
    credentials: Sequence[Target],
    oids: tuple[Oid, ...] = PROBE_OIDS,
) -> Probe | None:
    """Try each credential (a Target template) in order; the first answer wins."""
    for template in credentials:
        target = _target_for(template, address)
        try:
            varbinds = await engine.get(target, oids)
        except SnmpError:
            continue
        return Probe(target, _values(varbinds, oids))
    return None


def _target_for(template: Target, address: str) -> Target:
    """A credential template aimed at one address (built directly: ``dataclasses.replace``
    costs several times more, once per address of a sweep)."""
    t = template
    return Target(address, t.port, t.version, t.community, t.user, t.timeout, t.retries)


def _values(varbinds: VarBinds, asked: tuple[Oid, ...] | None = None) -> dict[Oid, Value]:
    """The probe's answers, without noSuchObject and the like; for a GET (``asked``), only
    the objects it asked for: an agent naming others in its answer adds nothing."""
    return {
        o: v
        for o, v in varbinds
        if not isinstance(v, VarBindException) and (asked is None or o in asked)
    }


async def sweep(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    *,
    workers: int = DEFAULT_WORKERS,
    on_probed: Callable[[str, bool], None] | None = None,
    request: tuple[int, tuple[Oid, ...]] = PROBE,
) -> AsyncGenerator[Probe, None]:
    """Probe every address, at most ``workers`` at a time; yield responders as they answer.

    Community probes run on callbacks, one future per packet and no task per address, which
    keeps a sweep of thousands of silent addresses cheap; SNMPv3 probes (engine discovery
    first) run in tasks. To stop early, close the generator (``contextlib.aclosing``).
    """
    if any(c.version == pdus.V3 for c in credentials) or engine.limits.packets_per_second > 0:
        runner = partial(_run_tasks, engine, addresses, credentials, workers, on_probed)
    else:
        runner = partial(
            _run_callbacks, engine, addresses, credentials, workers, on_probed, request=request
        )
    async with contextlib.aclosing(_as_found(runner)) as found:
        async for item in found:
            yield item


async def _as_found(
    runner: Callable[[asyncio.Queue[Probe | None]], Awaitable[None]],
) -> AsyncGenerator[Probe, None]:
    """Run ``runner`` (which puts probes on the queue, then None) and yield what it finds; the
    runner is cancelled when the consumer stops early."""
    found: asyncio.Queue[Probe | None] = asyncio.Queue()
    task = asyncio.ensure_future(runner(found))
    try:
        while (item := await found.get()) is not None:
            yield item
        await task
    finally:
        task.cancel()


async def _run_callbacks(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    workers: int,
    on_probed: Callable[[str, bool], None] | None,
    found: asyncio.Queue[Probe | None],
    request: tuple[int, tuple[Oid, ...]] = PROBE,
) -> None:
    """Keep ``workers`` probes in flight; each finished address starts the next one."""
    tag, oids = request
    asked = oids if tag == pdus.GET else None
    source = iter(addresses)
    outstanding = 0
    done_all: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def launch(address: str, k: int) -> None:
        if done_all.done():
            return  # the sweep was stopped: start nothing more
        target = _target_for(credentials[k], address)
        future = engine.submit(target, tag, oids)
        future.add_done_callback(lambda f: finished(address, k, target, f))

    def finished(address: str, k: int, target: Target, future: asyncio.Future[Pdu]) -> None:
        nonlocal outstanding
        if future.cancelled() or (done_all.done() and outstanding == 0):
            return
        error = future.exception()
        if error is not None and k + 1 < len(credentials):
            launch(address, k + 1)  # the next community, in order
            return
        answered = error is None
        if answered:
            pdu = future.result()
            scalars = _values(pdu.varbinds, asked) if pdu.error_status == 0 else {}
            found.put_nowait(Probe(target, scalars))
        if on_probed is not None:
            on_probed(address, answered)
        outstanding -= 1
        start_next()

    def start_next() -> None:
        nonlocal outstanding
        if done_all.done():
            return  # finished, or stopped by the consumer
        address = next(source, None)
        if address is not None:
            outstanding += 1
            launch(address, 0)
        elif outstanding == 0 and not done_all.done():
            done_all.set_result(None)

    for _ in range(max(1, workers)):
        start_next()
        if done_all.done():
            break
    try:
        await done_all
    finally:
        if not done_all.done():
            done_all.cancel()
        found.put_nowait(None)


async def _run_tasks(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    workers: int,
    on_probed: Callable[[str, bool], None] | None,
    found: asyncio.Queue[Probe | None],
) -> None:
    """Probe with ``workers`` tasks (SNMPv3 needs engine discovery per agent)."""
    source = iter(addresses)

    async def worker() -> None:
        for address in source:
            result = await probe(engine, address, credentials)
            if on_probed is not None:
                on_probed(address, result is not None)
            if result is not None:
                found.put_nowait(result)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, workers))))
    finally:
        found.put_nowait(None)


def parse_arp_table(text: str) -> frozenset[str]:
    """The IPv4 addresses of ``/proc/net/arp`` that resolved to a link-layer address."""
    alive: set[str] = set()
    for line in text.splitlines()[1:]:
        parts = line.split()
        if (
            len(parts) >= 4
            and int(parts[2], 16) & _ARP_COMPLETE
            and parts[3] != "00:00:00:00:00:00"
        ):
            alive.add(parts[0])
    return frozenset(alive)


def kernel_neighbours(path: Path = ARP_TABLE) -> frozenset[str]:
    """Addresses where a host answered ARP lately (empty where the table cannot be read)."""
    try:
        return parse_arp_table(path.read_text())
    except OSError:
        return frozenset()


async def lean_sweep(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    *,
    workers: int = DEFAULT_WORKERS,
    on_probed: Callable[[str, bool], None] | None = None,
    neighbours: Callable[[], frozenset[str]] = kernel_neighbours,
) -> AsyncGenerator[Probe, None]:
    """Sweep spending the fewest bytes on empty addresses; yields what :func:`sweep` yields.

    Every address gets one knock per credential and no retry. Addresses that answered, and
    silent ones the kernel resolved over ARP (a host is there: the knock may have been lost),
    then get the probe with its retries. An empty address on the local network so costs one
    36 B knock; a printer missed by a lost knock off the local network is found by the next
    sweep. SNMPv3 credentials have no cheap knock: they sweep as :func:`sweep` does.
    """
    if any(c.version == pdus.V3 for c in credentials):
        plain = sweep(engine, addresses, credentials, workers=workers, on_probed=on_probed)
        async with contextlib.aclosing(plain):
            async for item in plain:
                yield item
        return
    todo = list(addresses)
    first = await _knock(engine, todo, credentials, workers)
    alive = neighbours()
    again = {a: first.get(a, (credentials, {})) for a in todo if a in first or a in alive}
    if on_probed is not None:
        for address in todo:
            if address not in again:
                on_probed(address, False)
    runner = partial(_follow_up, engine, again, workers, on_probed)
    async with contextlib.aclosing(_as_found(runner)) as found:
        async for item in found:
            yield item


async def _knock(
    engine: SnmpEngine, addresses: list[str], credentials: Sequence[Target], workers: int
) -> dict[str, tuple[Sequence[Target], dict[Oid, Value]]]:
    """Knock once at every address; each that answered, with the credentials from the one that
    worked on, and sysDescr.0 when the knock brought it (the first object of most views)."""
    knocks = [Target("", c.port, c.version, c.community, c.user, c.timeout, 0) for c in credentials]
    answered: asyncio.Queue[Probe | None] = asyncio.Queue()
    await _run_callbacks(engine, addresses, knocks, workers, None, answered, KNOCK)
    first: dict[str, tuple[Sequence[Target], dict[Oid, Value]]] = {}
    keys = [(c.version, c.community, c.port) for c in credentials]
    while (knock := answered.get_nowait()) is not None:
        t = knock.target
        k = keys.index((t.version, t.community, t.port))
        descr = {o: v for o, v in knock.scalars.items() if o == mibs.SYS_DESCR}
        first[t.host] = (credentials[k:], descr)
    return first


async def _follow_up(
    engine: SnmpEngine,
    todo: dict[str, tuple[Sequence[Target], dict[Oid, Value]]],
    workers: int,
    on_probed: Callable[[str, bool], None] | None,
    found: asyncio.Queue[Probe | None],
) -> None:
    """Probe each address with its own credentials, ``workers`` at a time; what the knock
    brought already is not asked again."""
    source = iter(todo.items())

    async def worker() -> None:
        for address, (credentials, known) in source:
            oids = tuple(o for o in PROBE_OIDS if o not in known)
            result = await probe(engine, address, credentials, oids)
            if result is not None:
                result = Probe(result.target, {**known, **result.scalars})
            if on_probed is not None:
                on_probed(address, result is not None)
            if result is not None:
                found.put_nowait(result)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, min(workers, len(todo))))))
    finally:
        found.put_nowait(None)


async def discover(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    *,
    workers: int = DEFAULT_WORKERS,
    on_probed: Callable[[str, bool], None] | None = None,
    on_read: Callable[[Reading | None], None] | None = None,
    sources: Sources | None = None,
    lean: bool = False,
) -> list[Reading]:
    """Sweep, then fully read each responder while the sweep goes on.

    With ``sources``, SNMP readings are enriched (HP LEDM, IPP for thin ones) and addresses
    that stayed silent to SNMP are asked over IPP. ``lean`` sweeps with :func:`lean_sweep`
    (the collector service's setting).
    """
    reader = Reader(Walker(engine))
    reads: list[asyncio.Task[Reading | None]] = []
    silent: list[str] = []

    async def read(found: Probe) -> Reading | None:
        try:
            reading: Reading | None = await reader.read(found.target, found.scalars)
        except SnmpError:
            reading = None
        if reading is not None and sources is not None:
            reading = await sources.enrich(reading)
        if on_read is not None:
            on_read(reading)
        return reading

    def probed(address: str, answered: bool) -> None:
        if not answered:
            silent.append(address)
        if on_probed is not None:
            on_probed(address, answered)

    sweeper = lean_sweep if lean else sweep
    async for found in sweeper(engine, addresses, credentials, workers=workers, on_probed=probed):
        reads.append(asyncio.ensure_future(read(found)))
    results = [r for r in await asyncio.gather(*reads) if r is not None]
    if sources is not None:
        results += await sources.ipp_only(silent)
    return merge_duplicates(results)
