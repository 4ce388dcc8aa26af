"""``printscout scan``: discover and read printers, as ../shared/contracts/scan-json.md says."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from printscout.collector.discovery import DEFAULT_WORKERS, discover
from printscout.collector.scan_output import json_line, readings_table
from printscout.collector.sources import Sources, SourceSettings
from printscout.collector.targets import TargetSpec, expand, parse_targets
from printscout.domain.errors import TargetError
from printscout.domain.reading import Reading
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.dispatcher import EngineLimits
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.usm_crypto import parse_auth_protocol, parse_priv_protocol

_VERSIONS = {"1": pdus.V1, "2c": pdus.V2C, "3": pdus.V3}


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """Everything a scan needs, built once from the command line."""

    targets: tuple[TargetSpec, ...]
    credentials: tuple[Target, ...]
    as_json: bool
    icmp: bool
    limits: EngineLimits
    workers: int
    sources: SourceSettings = field(default_factory=SourceSettings)


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Register the ``scan`` command."""
    p = sub.add_parser("scan", help="discover and read printers")
    p.add_argument("targets", nargs="+", metavar="TARGET", help="address, hostname, CIDR, range")
    p.add_argument("--community", action="append", help="SNMP community, tried in order")
    p.add_argument("--port", type=int, default=161)
    p.add_argument("--snmp-version", choices=sorted(_VERSIONS), default="2c")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds per try")
    p.add_argument("--retries", type=int, default=1, help="retries after the first try")
    p.add_argument("--json", action="store_true", help="JSON Lines on stdout")
    p.add_argument("--icmp", action="store_true", help="ping first; probe only what answers")
    p.add_argument("--rate", type=float, default=0.0, help="packets per second (0 = no limit)")
    p.add_argument("--max-in-flight", type=int, default=DEFAULT_WORKERS)
    p.add_argument("--user", help="SNMPv3 user name")
    p.add_argument("--auth-protocol", default="SHA")
    p.add_argument("--auth-key")
    p.add_argument("--priv-protocol", default="AES")
    p.add_argument("--priv-key")
    p.add_argument("--context", default="", help="SNMPv3 context name")
    p.add_argument(
        "--ipp", action="store_true", help="also ask IPP: thin SNMP readings, silent hosts"
    )
    p.add_argument("--ipp-port", type=int, default=631)
    p.add_argument("--ipp-tls", action="store_true", help="IPP over HTTPS (ipps)")
    p.add_argument("--ews", action="store_true", help="read HP printers' LEDM web pages too")
    p.add_argument("--ews-port", type=int, default=None, help="default 80, or 443 with TLS")
    p.add_argument("--ews-tls", action="store_true", help="LEDM pages over HTTPS")
    return p


def settings_from(args: argparse.Namespace, parser: argparse.ArgumentParser) -> ScanSettings:
    """Validate the command line into ScanSettings (usage errors exit with status 2)."""
    try:
        targets = tuple(parse_targets(args.targets))
    except TargetError as exc:
        parser.error(str(exc))
    if args.timeout <= 0 or args.retries < 0 or not 0 < args.port < 65536:
        parser.error("--timeout must be > 0, --retries >= 0 and --port 1..65535")
    if args.max_in_flight < 1 or args.rate < 0:
        parser.error("--max-in-flight must be >= 1 and --rate >= 0")
    version = _VERSIONS[args.snmp_version]
    base = {"port": args.port, "version": version, "timeout": args.timeout, "retries": args.retries}
    if version == pdus.V3:
        credentials: tuple[Target, ...] = (Target("", user=_user(args, parser), **base),)
    else:
        communities = args.community or ["public"]
        credentials = tuple(Target("", community=c.encode(), **base) for c in communities)
    return ScanSettings(
        targets=targets,
        credentials=credentials,
        as_json=args.json,
        icmp=args.icmp,
        limits=EngineLimits(args.rate, args.max_in_flight),
        workers=args.max_in_flight,
        sources=SourceSettings(
            ipp=args.ipp, ipp_port=args.ipp_port, ipp_tls=args.ipp_tls, ews=args.ews,
            ews_port=args.ews_port, ews_tls=args.ews_tls, timeout=max(args.timeout, 1.0),
        ),
    )  # fmt: skip


def _user(args: argparse.Namespace, parser: argparse.ArgumentParser) -> v3.UsmUser:
    if not args.user:
        parser.error("--snmp-version 3 needs --user")
    try:
        auth = parse_auth_protocol(args.auth_protocol) if args.auth_key else None
        priv = parse_priv_protocol(args.priv_protocol) if args.priv_key else None
    except ValueError as exc:
        parser.error(str(exc))
    if priv is not None and auth is None:
        parser.error("--priv-key needs --auth-key (authPriv)")
    for key in (args.auth_key, args.priv_key):
        if key is not None and len(key) < 8:
            parser.error("SNMPv3 keys must be at least 8 characters")
    return v3.UsmUser(
        args.user, auth, args.auth_key or "", priv, args.priv_key or "", context=args.context
    )


def run(settings: ScanSettings) -> int:
    """Run the scan and print the results; returns the exit status."""
    readings = asyncio.run(_scan(settings))
    if settings.as_json:
        out = sys.stdout
        for reading in readings:
            out.write(json_line(reading) + "\n")
        out.flush()
    else:
        width = None if sys.stdout.isatty() else 200  # pipes get whole rows
        Console(soft_wrap=False, width=width).print(readings_table(readings))
    return 0


async def _scan(settings: ScanSettings) -> list[Reading]:
    addresses = list(expand(settings.targets))
    err = Console(stderr=True)
    if settings.icmp:
        addresses = await _alive(addresses, settings.credentials[0].timeout, err)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=not err.is_terminal) as progress:
        task = progress.add_task("probing", total=len(addresses))
        found = 0

        def probed(_address: str, answered: bool) -> None:
            nonlocal found
            found += answered
            progress.update(task, advance=1, description=f"probing ({found} answered)")

        async with SnmpEngine(settings.limits) as engine, Sources(settings.sources) as sources:
            readings = await discover(
                engine,
                addresses,
                settings.credentials,
                workers=settings.workers,
                on_probed=probed,
                sources=sources if settings.sources.any else None,
            )

    return readings


async def _alive(addresses: list[str], timeout: float, err: Console) -> list[str]:
    """ICMP echo first (needs raw-socket privilege or ping_group_range)."""
    from icmplib import async_multiping
    from icmplib.exceptions import ICMPLibError

    try:
        hosts = await async_multiping(addresses, count=1, timeout=timeout, concurrent_tasks=1024)
    except (ICMPLibError, OSError) as exc:
        err.print(f"[yellow]ICMP unavailable ({exc}); probing every address[/]")
        return addresses
    return [h.address for h in hosts if h.is_alive]
