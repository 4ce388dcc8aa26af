"""Discovery: one cheap probe per address, credentials tried in order, then a full read.

The probe is a single GET of sysObjectID.0 and sysDescr.0. Every probe goes out through the
engine's one socket, so a sweep of thousands of silent addresses costs timeout x tries of wall
time and little CPU.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from printscout.collector.identity import merge_duplicates
from printscout.collector.reader import Reader
from printscout.collector.sources import Sources
from printscout.domain.errors import SnmpError
from printscout.domain.reading import Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine, Target
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.walk import Walker

PROBE_OIDS: Final[tuple[Oid, ...]] = (mibs.SYS_OBJECT_ID, mibs.SYS_DESCR)
DEFAULT_WORKERS: Final = 4096


@dataclass(frozen=True, slots=True)
class Probe:
    """An address that answered the probe, with the credentials that worked."""

    target: Target
    scalars: dict[Oid, Value]


async def probe(engine: SnmpEngine, address: str, credentials: Sequence[Target]) -> Probe | None:
    """Try each credential (a Target template) in order; the first answer wins."""
    for template in credentials:
        target = _target_for(template, address)
        try:
            varbinds = await engine.get(target, PROBE_OIDS)
        except SnmpError:
            continue
        return Probe(target, _values(varbinds))
    return None


def _target_for(template: Target, address: str) -> Target:
    """A credential template aimed at one address (built directly: ``dataclasses.replace``
    costs several times more, once per address of a sweep)."""
    t = template
    return Target(address, t.port, t.version, t.community, t.user, t.timeout, t.retries)


def _values(varbinds: VarBinds) -> dict[Oid, Value]:
    """The probe's answers, without noSuchObject and the like."""
    return {o: v for o, v in varbinds if not isinstance(v, VarBindException)}


async def sweep(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    *,
    workers: int = DEFAULT_WORKERS,
    on_probed: Callable[[str, bool], None] | None = None,
) -> AsyncGenerator[Probe, None]:
    """Probe every address, at most ``workers`` at a time; yield responders as they answer.

    Community probes run on callbacks, one future per packet and no task per address, which
    keeps a sweep of thousands of silent addresses cheap; SNMPv3 probes (engine discovery
    first) run in tasks. To stop early, close the generator (``contextlib.aclosing``).
    """
    found: asyncio.Queue[Probe | None] = asyncio.Queue()
    if any(c.version == pdus.V3 for c in credentials) or engine.limits.packets_per_second > 0:
        runner = _run_tasks(engine, addresses, credentials, workers, on_probed, found)
    else:
        runner = _run_callbacks(engine, addresses, credentials, workers, on_probed, found)
    task = asyncio.ensure_future(runner)
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
) -> None:
    """Keep ``workers`` probes in flight; each finished address starts the next one."""
    source = iter(addresses)
    outstanding = 0
    done_all: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def launch(address: str, k: int) -> None:
        if done_all.done():
            return  # the sweep was stopped: start nothing more
        target = _target_for(credentials[k], address)
        future = engine.submit(target, pdus.GET, PROBE_OIDS)
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
            found.put_nowait(Probe(target, _values(pdu.varbinds) if pdu.error_status == 0 else {}))
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


async def discover(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    *,
    workers: int = DEFAULT_WORKERS,
    on_probed: Callable[[str, bool], None] | None = None,
    on_read: Callable[[Reading | None], None] | None = None,
    sources: Sources | None = None,
) -> list[Reading]:
    """Sweep, then fully read each responder while the sweep goes on.

    With ``sources``, SNMP readings are enriched (HP LEDM, IPP for thin ones) and addresses
    that stayed silent to SNMP are asked over IPP.
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

    async for found in sweep(engine, addresses, credentials, workers=workers, on_probed=probed):
        reads.append(asyncio.ensure_future(read(found)))
    results = [r for r in await asyncio.gather(*reads) if r is not None]
    if sources is not None:
        results += await sources.ipp_only(silent)
    return merge_duplicates(results)
