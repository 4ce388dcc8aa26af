"""Section (c): bytes on the wire, as PrintScout's engine counts them (UDP payload, both ways).

Figures: one silent address (probe plus its retry), one full poll of a colour and of a mono
printer (the first poll, with no row counts remembered, and a routine one after it), discovery
of a /24 that holds one printer, and a full poll of Net-SNMP snmpd.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from pathlib import Path
from typing import Final

from bench.measure import FIXTURES, RECORDINGS, Json, Simulator, addresses
from printscout.collector.discovery import discover, sweep
from printscout.collector.plan import REVALIDATE_EVERY
from printscout.collector.reader import Reader
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker

PORT: Final = 16301
COLOUR_NET: Final = "127.79.0.0/24"  # .1 is the printer, .2 to .254 are bound and silent
MONO_NET: Final = "127.80.0.0/24"
# Preferred project recordings, then the shared LibreNMS fixtures.
COLOUR_CHOICES: Final = ("hp-color-laserjet-m555.snmprec", "jetdirect_m252dw.snmprec")
MONO_CHOICES: Final = ("brother-hl-l5100dn.snmprec", "brother.snmprec")


def pick_recording(choices: tuple[str, ...]) -> Path:
    """The first of ``choices`` found among the project recordings or the shared fixtures."""
    for name in choices:
        for folder in (RECORDINGS, FIXTURES):
            if (folder / name).is_file():
                return folder / name
    raise FileNotFoundError(f"none of {choices} in {RECORDINGS} or {FIXTURES}")


def run_wire() -> Json:
    """Measure every byte figure once (they do not vary between runs)."""
    colour, mono = pick_recording(COLOUR_CHOICES), pick_recording(MONO_CHOICES)
    hosts = addresses("127.79.0.1", 254)
    out: Json = {"setup": {"colour": colour.name, "mono": mono.name, "port": PORT}}
    with Simulator([colour], COLOUR_NET, 1, 253, PORT):
        out["silent_address"] = asyncio.run(_silent(hosts[1:]))
        out["colour_poll"] = asyncio.run(_polls(hosts[0], PORT))
        out["discover_24"] = asyncio.run(_discover(hosts))
    with Simulator([mono], MONO_NET, 1, 0, PORT):
        out["mono_poll"] = asyncio.run(_polls("127.80.0.1", PORT))
    from tests.support.agents import NetSnmpAgent

    with NetSnmpAgent() as agent:
        out["snmpd_poll"] = asyncio.run(_polls(agent.host, agent.port))
    return out


def _credentials(port: int) -> list[Target]:
    return [Target("", port=port, community=b"public", timeout=1.0, retries=1)]


def _bytes(traffic: dict[str, int], per: int = 1) -> Json:
    """Traffic counters as figures with units, divided by ``per``."""
    return {
        "unit": "B (UDP payload)",
        "total": round((traffic["sent_bytes"] + traffic["received_bytes"]) / per, 1),
        "sent": round(traffic["sent_bytes"] / per, 1),
        "received": round(traffic["received_bytes"] / per, 1),
        "packets": round((traffic["sent_packets"] + traffic["received_packets"]) / per, 2),
    }


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in after}


async def _silent(hosts: list[str]) -> Json:
    """Sweep bound-but-silent addresses; the bytes per address include the retry."""
    async with SnmpEngine() as engine:
        found = [p async for p in sweep(engine, hosts, _credentials(PORT))]
    if found:
        raise RuntimeError(f"silent addresses answered: {found}")
    return {"addresses": len(hosts), **_bytes(asdict(engine.traffic), len(hosts))}


async def _polls(host: str, port: int) -> Json:
    """One Reader polling one printer for an hour of 5-minute polls: the first read (which
    learns table sizes and the vendor), a routine poll (only what changes) and the hourly full
    poll (every column again, sizes known), then the average over the hour."""
    target = Target(host, port)
    async with SnmpEngine() as engine:
        reader = Reader(Walker(engine))
        steps: Json = {}
        totals: list[int] = []
        for n in range(REVALIDATE_EVERY + 1):
            before = asdict(engine.traffic)
            reading = await reader.read(target)
            step = _bytes(_delta(before, asdict(engine.traffic)))
            totals.append(step["total"])
            name = {0: "first", 1: "routine", REVALIDATE_EVERY: "full"}.get(n)
            if name is not None:
                steps[name] = step
        steps["hourly_average"] = sum(totals[1:]) / REVALIDATE_EVERY
        steps["supplies"] = len(reading.supplies)
    return steps


async def _discover(hosts: list[str]) -> Json:
    """``discover`` over a whole /24: the sweep plus one full (first) read of the printer."""
    async with SnmpEngine() as engine:
        readings = await discover(engine, hosts, _credentials(PORT))
    return {"addresses": len(hosts), "readings": len(readings), **_bytes(asdict(engine.traffic))}
