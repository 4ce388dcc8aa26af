"""Child process: poll one agent for a while with PrintScout or pysnmp; print one JSON line.

``python -m bench.pollers printscout|pysnmp --host 127.0.0.1 --port 1161 --concurrency 16``

``concurrency`` workers each poll in a loop until ``seconds`` have passed. A PrintScout poll is
``Reader.read``: one GETNEXT of the scalars and first rows plus the GETBULK walks of nine
tables, normalized into a Reading. A pysnmp poll is one GET of 12 scalars plus a GETBULK walk
(max-repetitions 25) of the supplies table, like the Net-SNMP CLI poll in :mod:`bench.peers`.
One warm-up poll runs first and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, Final

from bench.measure import Json

if TYPE_CHECKING:
    from printscout.collector.reader import Reader
    from printscout.protocols.snmp.target import Target

Poll = Callable[[], Awaitable[object]]

# The 12 scalars a classic poll GETs (Net-SNMP CLI and pysnmp alike).
POLL_SCALARS: Final = (
    "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.4.0",
    "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.25.3.2.1.3.1",
    "1.3.6.1.2.1.25.3.2.1.5.1", "1.3.6.1.2.1.25.3.5.1.1.1", "1.3.6.1.2.1.25.3.5.1.2.1",
    "1.3.6.1.2.1.43.5.1.1.17.1", "1.3.6.1.2.1.43.10.2.1.4.1.1",
)  # fmt: skip
SUPPLIES_TABLE: Final = "1.3.6.1.2.1.43.11"
BULK_REPETITIONS: Final = 25


async def hammer(poll: Poll, concurrency: int, seconds: float) -> Json:
    """Run ``poll`` from ``concurrency`` workers for ``seconds``; count polls, wall and CPU."""
    await poll()
    deadline = time.perf_counter() + seconds
    polls = 0

    async def worker() -> None:
        nonlocal polls
        while time.perf_counter() < deadline:
            await poll()
            polls += 1

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"polls": polls, "wall_s": wall, "cpu_s": cpu}


async def poll_printscout(
    host: str,
    port: int,
    concurrency: int,
    seconds: float,
    full_every: int | None = None,
    cold: bool = False,
) -> Json:
    """PrintScout reads through one engine and one Reader (row hints warm): as a collector
    polls (a full poll every 12th, routine polls in between), or with ``full_every=1`` a full
    poll of every column each time; ``cold`` empties every memo table before each poll, as if
    every answer of the device had changed since the last (the worst case)."""
    from printscout.collector.reader import Reader
    from printscout.protocols.snmp.client import SnmpEngine
    from printscout.protocols.snmp.target import Target
    from printscout.protocols.snmp.walk import Walker

    target = Target(host, port)
    async with SnmpEngine() as engine:
        reader = Reader(Walker(engine))
        if full_every is not None:
            reader.revalidate_every = full_every
        await reader.read(target)  # learn the table sizes, as a routine poller has
        before = asdict(engine.traffic)
        report = await hammer(_cold(reader, target) if cold else lambda: reader.read(target),
                              concurrency, seconds)  # fmt: skip
        after = asdict(engine.traffic)
    report["traffic"] = {k: after[k] - before[k] for k in after}
    return report


def _cold(reader: Reader, target: Target) -> Poll:
    """A poll that starts with every memo table empty."""
    from printscout.protocols.snmp import memo, varbinds

    async def poll() -> object:
        varbinds.forget_decoded()
        memo.forget_all()
        return await reader.read(target)

    return poll


async def poll_pysnmp(host: str, port: int, concurrency: int, seconds: float) -> Json:
    """pysnmp 7 v1arch: ``get_cmd`` of the scalars + ``bulk_walk_cmd`` of the supplies table."""
    from pysnmp.hlapi.v1arch.asyncio import (
        CommunityData,
        SnmpDispatcher,
        UdpTransportTarget,
        bulk_walk_cmd,
        get_cmd,
    )
    from pysnmp.proto.rfc1902 import Null, ObjectName

    dispatcher = SnmpDispatcher()
    auth = CommunityData("public", mpModel=1)
    target = await UdpTransportTarget.create((host, port), timeout=1, retries=1)
    scalars = [(ObjectName(oid), Null("")) for oid in POLL_SCALARS]
    table = (ObjectName(SUPPLIES_TABLE), Null(""))

    async def poll() -> int:
        error, status, _index, binds = await get_cmd(
            dispatcher, auth, target, *scalars, lookupMib=False
        )
        if error is not None or status:
            raise RuntimeError(f"pysnmp GET failed: {error or status}")
        cells: list[Any] = list(binds)
        walk = bulk_walk_cmd(
            dispatcher, auth, target, 0, BULK_REPETITIONS, table,
            lexicographicMode=False, lookupMib=False,
        )  # fmt: skip
        async for error, _status, _index, rows in walk:
            if error is not None:
                raise RuntimeError(f"pysnmp walk failed: {error}")
            cells.extend(rows)
        return len(cells)

    try:
        return await hammer(poll, concurrency, seconds)
    finally:
        dispatcher.transport_dispatcher.close_dispatcher()


def main() -> None:
    """Parse the command line, poll, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "stack", choices=["printscout", "printscout-full", "printscout-cold", "pysnmp"]
    )
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    if args.stack == "pysnmp":
        report = asyncio.run(poll_pysnmp(args.host, args.port, args.concurrency, args.seconds))
    else:
        every = 1 if args.stack in ("printscout-full", "printscout-cold") else None
        cold = args.stack == "printscout-cold"
        report = asyncio.run(
            poll_printscout(args.host, args.port, args.concurrency, args.seconds, every, cold)
        )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
