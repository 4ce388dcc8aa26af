"""Child process: sweep loopback addresses with PrintScout or pysnmp and print one JSON line.

``python -m bench.sweepers printscout|pysnmp --first 127.78.0.1 --count 4096 --port 16300``

Each probe is one GET of sysObjectID.0 and sysDescr.0 with a 1 s timeout and one retry. The
JSON holds the responders found, the sweep's own wall and CPU seconds (imports and interpreter
start excluded) and, for PrintScout, the engine's traffic counters.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import asdict
from typing import Any

from bench.measure import Json, addresses, raise_open_files

SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_DESCR = "1.3.6.1.2.1.1.1.0"


async def sweep_printscout(hosts: list[str], port: int, timeout: float, retries: int) -> Json:
    """PrintScout's discovery sweep: one engine, one socket, every address in flight."""
    from printscout.collector.discovery import sweep
    from printscout.protocols.snmp.client import SnmpEngine
    from printscout.protocols.snmp.target import Target

    template = Target("", port=port, community=b"public", timeout=timeout, retries=retries)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with SnmpEngine() as engine:
        found = [p async for p in sweep(engine, hosts, [template])]
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"found": len(found), "wall_s": wall, "cpu_s": cpu, "traffic": asdict(engine.traffic)}


async def sweep_pysnmp(hosts: list[str], port: int, timeout: float, retries: int) -> Json:
    """pysnmp 7 v1arch asyncio: one dispatcher, one ``get_cmd`` task per address."""
    from pysnmp.hlapi.v1arch.asyncio import (
        CommunityData,
        SnmpDispatcher,
        UdpTransportTarget,
        get_cmd,
    )
    from pysnmp.proto.rfc1902 import Null, ObjectName

    auth = CommunityData("public", mpModel=1)
    oids = [(ObjectName(SYS_OBJECT_ID), Null("")), (ObjectName(SYS_DESCR), Null(""))]
    dispatcher = SnmpDispatcher()

    async def probe(host: str) -> bool:
        target = await UdpTransportTarget.create((host, port), timeout=timeout, retries=retries)
        error, status, _index, _binds = await get_cmd(
            dispatcher, auth, target, *oids, lookupMib=False
        )
        return error is None and not status

    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        answers: list[Any] = await asyncio.gather(*(probe(h) for h in hosts))
    finally:
        dispatcher.transport_dispatcher.close_dispatcher()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"found": sum(1 for a in answers if a), "wall_s": wall, "cpu_s": cpu}


def main() -> None:
    """Parse the command line, sweep, print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stack", choices=["printscout", "pysnmp"])
    parser.add_argument("--first", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--retries", type=int, default=1)
    args = parser.parse_args()
    raise_open_files(args.count + 1024)
    hosts = addresses(args.first, args.count)
    run = sweep_printscout if args.stack == "printscout" else sweep_pysnmp
    report = asyncio.run(run(hosts, args.port, args.timeout, args.retries))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
