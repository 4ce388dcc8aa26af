"""``printscout simulate``: serve a fleet of simulated printers on loopback addresses."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from printscout.domain.errors import RecordingError
from printscout.simulator.device import Fault
from printscout.simulator.fleet import loopback_addresses, start_fleet
from printscout.simulator.snmprec import builtin_recordings


@dataclass(frozen=True, slots=True)
class SimulateSettings:
    """What to serve, where, and with which faults."""

    recordings: tuple[Path, ...]
    addresses: tuple[str, ...]
    silent: tuple[str, ...]
    port: int
    speed: float
    faults: dict[str, set[Fault]]


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register the ``simulate`` command."""
    p = sub.add_parser("simulate", help="serve simulated printers on loopback")
    p.add_argument("recordings", nargs="*", type=Path, help="extra .snmprec files to serve")
    p.add_argument("--network", default="127.77.0.0/16", help="loopback network to bind in")
    p.add_argument("--count", type=int, default=50, help="printers to serve")
    p.add_argument("--silent", type=int, default=0, help="bound addresses that never answer")
    p.add_argument("--port", type=int, default=161)
    p.add_argument("--speed", type=float, default=1.0, help="time compression factor")
    p.add_argument("--only", action="store_true", help="serve only the files given")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="ADDRESS=FAULT[,FAULT]",
        help=f"inject faults: {', '.join(f.value for f in Fault)}",
    )
    return p


def settings_from(args: argparse.Namespace, parser: argparse.ArgumentParser) -> SimulateSettings:
    """Validate the command line."""
    files = [] if args.only else builtin_recordings()
    files += args.recordings
    if not files:
        parser.error("no recordings to serve")
    for path in args.recordings:
        if not path.is_file():
            parser.error(f"no such recording: {path}")
    try:
        addresses = loopback_addresses(args.network, args.count + args.silent)
    except ValueError as exc:
        parser.error(str(exc))
    faults: dict[str, set[Fault]] = {}
    for item in args.fault:
        address, _, names = item.partition("=")
        try:
            faults[address] = {Fault(n.strip()) for n in names.split(",") if n.strip()}
        except ValueError as exc:
            parser.error(f"bad --fault {item!r}: {exc}")
    return SimulateSettings(
        tuple(files),
        tuple(addresses[: args.count]),
        tuple(addresses[args.count :]),
        args.port,
        args.speed,
        faults,
    )


def run(settings: SimulateSettings) -> int:
    """Serve until interrupted."""
    try:
        asyncio.run(_serve(settings))
    except RecordingError as exc:
        print(f"printscout simulate: {exc}", file=sys.stderr)
        return 1
    return 0


async def _serve(settings: SimulateSettings) -> None:
    fleet = await start_fleet(
        settings.recordings,
        settings.addresses,
        port=settings.port,
        faults=settings.faults,
        speed=settings.speed,
        silent=settings.silent,
    )
    first, last = settings.addresses[0], settings.addresses[-1]
    print(
        f"serving {len(settings.addresses)} printers on {first}..{last} port {settings.port}"
        f" ({len(settings.silent)} silent); Ctrl-C stops",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        fleet.close()
