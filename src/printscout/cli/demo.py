"""``make demo``: a simulated fleet on loopback, scanned the way a user would scan a LAN."""

from __future__ import annotations

import asyncio
import sys
import time

from rich.console import Console

from printscout.collector.discovery import discover
from printscout.collector.scan_output import readings_table
from printscout.collector.targets import expand, parse_targets
from printscout.protocols.snmp.client import SnmpEngine, Target
from printscout.simulator.device import Fault
from printscout.simulator.fleet import loopback_addresses, start_fleet
from printscout.simulator.snmprec import builtin_recordings

NETWORK = "127.77.0.0/24"
PRINTERS = 50
SILENT = 150
PORT = 16161


async def _demo(console: Console) -> int:
    recordings = builtin_recordings()
    if not recordings:
        console.print("[red]no built-in recordings found[/]")
        return 1
    addresses = loopback_addresses(NETWORK, PRINTERS + SILENT)
    printers, silent = addresses[:PRINTERS], addresses[PRINTERS:]
    faults = {printers[3]: {Fault.PAPER_JAM}, printers[7]: {Fault.TONER_EMPTY}}
    fleet = await start_fleet(
        recordings, printers, port=PORT, silent=silent, faults=faults, speed=60.0
    )
    console.print(
        f"Simulating {PRINTERS} printers ({len(recordings)} models) and {SILENT} silent hosts"
        f" on {NETWORK} port {PORT}; scanning the whole /24 …"
    )
    started = time.perf_counter()
    try:
        async with SnmpEngine() as engine:
            credentials = [Target("", port=PORT, community=b"public")]
            readings = await discover(engine, expand(parse_targets([NETWORK])), credentials)
            elapsed = time.perf_counter() - started
            traffic = engine.traffic
    finally:
        fleet.close()
    console.print(readings_table(readings))
    console.print(
        f"{len(readings)} printers read in {elapsed:.2f} s; "
        f"{traffic.sent_bytes + traffic.received_bytes:,} bytes of SNMP on the wire. "
        f"Try: printscout simulate --port {PORT} & printscout scan {NETWORK} --port {PORT} --json"
    )
    return 0


def main() -> int:
    """Run the demo."""
    return asyncio.run(_demo(Console(width=160)))


if __name__ == "__main__":
    sys.exit(main())
