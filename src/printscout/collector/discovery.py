"""Discovery: one cheap probe per address, credentials tried in order, then a full read.

The probe is a single GET of sysObjectID.0 and sysDescr.0. Every probe goes out through the
engine's one socket, so a sweep of thousands of silent addresses costs timeout x tries of wall
time and little CPU.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from printscout.collector.identity import merge_duplicates
from printscout.collector.reader import Reader
from printscout.collector.sources import Sources
from printscout.domain.errors import SnmpError
from printscout.domain.reading import Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import SnmpEngine, Target
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
        target = replace(template, host=address)
        try:
            varbinds = await engine.get(target, PROBE_OIDS)
        except SnmpError:
            continue
        scalars: dict[Oid, Value] = {
            o: v for o, v in varbinds if not isinstance(v, VarBindException)
        }
        return Probe(target, scalars)
    return None


async def sweep(
    engine: SnmpEngine,
    addresses: Iterable[str],
    credentials: Sequence[Target],
    *,
    workers: int = DEFAULT_WORKERS,
    on_probed: Callable[[str, bool], None] | None = None,
) -> AsyncIterator[Probe]:
    """Probe every address, at most ``workers`` at a time; yield responders as they answer."""
    source = iter(addresses)
    found: asyncio.Queue[Probe | None] = asyncio.Queue()

    async def worker() -> None:
        for address in source:
            result = await probe(engine, address, credentials)
            if on_probed is not None:
                on_probed(address, result is not None)
            if result is not None:
                found.put_nowait(result)
        found.put_nowait(None)

    tasks = [asyncio.ensure_future(worker()) for _ in range(max(1, workers))]
    try:
        remaining = len(tasks)
        while remaining:
            item = await found.get()
            if item is None:
                remaining -= 1
            else:
                yield item
        for task in tasks:
            task.result()
    finally:
        for task in tasks:
            task.cancel()


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
