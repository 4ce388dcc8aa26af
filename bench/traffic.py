"""Network traffic of a collector, beside the seeds' published figures (docs/security.md).

``python -m bench.traffic --out bench/traffic.json`` (also rewrites the tables of
docs/security.md). Everything runs on loopback: the simulator on 127.115.8.0/24 and
127.115.9.0/24 (UDP port 16315), a real server for uploads on 127.115.11.1-2
(``bench/upload.py``). Counted: SNMP UDP payload both ways, as the engine sends and receives
it; IP and Ethernet figures add 28 B and 42 B per packet (every SNMP packet is over Ethernet's
60 B minimum, so no padding). ARP, which the kernel sends on a real network, is not counted.
Uploads: the zstd body of one batch (``printscout.batch/1``) and its TCP bytes over TLS.

Scopes (the interpretation in docs/security.md): a *blank address* is one address where no host
answers; *discovery* is finding and identifying every printer of the scope (the lean sweep of the
collector service); *discovery + first read* adds each printer's first full read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Final

import orjson
import zstandard

from bench.measure import Json
from bench.upload import measure_uploads
from printscout.collector.discovery import discover, lean_sweep, sweep
from printscout.collector.reader import Reader
from printscout.domain.wire import ObservedReading, ReadingBatch, batch_to_wire
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT: Final = 16315
NET_ONE: Final = "127.115.8"  # .1 a colour printer, .2-.254 bound and silent
NET_MANY: Final = "127.115.9"  # .1-.13 thirteen printers of thirteen makes
COLOUR: Final = "hp-color-laserjet-m555.snmprec"
SEEDS: Final = {
    "blank_address": 5280,
    "one_printer": 7260,
    "subnet_24": 96300,
    "printers_13": 111530,
}
ZSTD_LEVEL: Final = 3
START: Final = "<!-- traffic:start -->"
END: Final = "<!-- traffic:end -->"


def _credentials() -> list[Target]:
    return [Target("", PORT, community=b"public", timeout=1.0, retries=1)]


def _no_neighbours() -> frozenset[str]:
    return frozenset()  # loopback has no ARP: an empty address is never retried


def _figures(engine: SnmpEngine) -> Json:
    t = asdict(engine.traffic)
    payload = t["sent_bytes"] + t["received_bytes"]
    packets = t["sent_packets"] + t["received_packets"]
    return {
        "udp_payload": payload,
        "sent": t["sent_bytes"],
        "received": t["received_bytes"],
        "packets": packets,
        "ip": payload + 28 * packets,
        "ethernet": payload + 42 * packets,
    }


async def _lean(hosts: list[str]) -> Json:
    async with SnmpEngine() as engine:
        found = [
            p async for p in lean_sweep(engine, hosts, _credentials(), neighbours=_no_neighbours)
        ]
    return {"found": len(found), **_figures(engine)}


async def _plain(hosts: list[str]) -> Json:
    async with SnmpEngine() as engine:
        found = [p async for p in sweep(engine, hosts, _credentials())]
    return {"found": len(found), **_figures(engine)}


async def _with_reads(hosts: list[str]) -> Json:
    async with SnmpEngine() as engine:
        readings = await discover(engine, hosts, _credentials(), lean=True)
    return {"found": len(readings), **_figures(engine)}


async def _scope(hosts: list[str]) -> Json:
    """Discovery (lean), discovery + first reads, and the plain sweep, for one scope."""
    return {
        "addresses": len(hosts),
        "discovery": await _lean(hosts),
        "discovery_and_first_read": await _with_reads(hosts),
        "plain_sweep_for_comparison": await _plain(hosts),
    }


def _body(reading: ObservedReading, collector: str) -> bytes:
    """The zstd upload body of a new batch holding one reading."""
    batch = ReadingBatch(uuid.uuid4(), collector, reading.observed_at, (reading,))
    return zstandard.ZstdCompressor(ZSTD_LEVEL).compress(orjson.dumps(batch_to_wire(batch)))


async def _uploads(host: str) -> Json:
    """The upload of one device: its first (full) reading, then a routine one; the body, and
    the TCP bytes of posting it over TLS to a real server."""
    async with SnmpEngine() as engine:
        reader = Reader(Walker(engine))
        target = Target(host, PORT)
        first = await reader.read(target)
        routine = await reader.read(target)
    now = datetime.now(UTC) - timedelta(minutes=1)
    readings = {
        "first_full_reading": ObservedReading(now, first),
        "routine_reading": ObservedReading(now, routine),
    }
    out: Json = {}
    for name, reading in readings.items():
        raw = orjson.dumps(batch_to_wire(ReadingBatch(uuid.uuid4(), "x", now, (reading,))))
        out[name] = {"json": len(raw), "zstd_body": len(_body(reading, "x"))}
    posted = await measure_uploads({n: partial(_body, r) for n, r in readings.items()})
    for name, figures in posted.items():
        out[name].update(figures)
    return out


async def measure() -> Json:
    """Every figure once (they do not vary between runs, bar a request-id octet)."""
    one = [f"{NET_ONE}.{n}" for n in range(1, 255)]
    many = [f"{NET_MANY}.{n}" for n in range(1, 14)]
    colour = [p for p in builtin_recordings() if p.name == COLOUR]
    out: Json = {"setup": {"port": PORT, "colour": COLOUR, "zstd_level": ZSTD_LEVEL}}
    fleet = await start_fleet(colour, one[:1], port=PORT, silent=one[1:], speed=0)
    try:
        out["blank_address"] = await _scope(one[1:2])
        out["one_printer"] = await _scope(one[:1])
        out["subnet_24"] = await _scope(one)
        out["upload_per_device"] = await _uploads(one[0])
    finally:
        fleet.close()
    thirteen = builtin_recordings()[:13]
    fleet = await start_fleet(thirteen, many, port=PORT, speed=0)
    try:
        out["printers_13"] = await _scope(many)
        out["printers_13"]["recordings"] = [p.name for p in thirteen]
    finally:
        fleet.close()
    out["seeds"] = _against_seeds(out)
    return out


def _against_seeds(out: Json) -> Json:
    """Each scope's discovery bytes beside the seed figure, and the 10x target."""
    rows: Json = {}
    for key, seed in SEEDS.items():
        ours = out[key]["discovery"]["udp_payload"]
        rows[key] = {
            "seed": seed,
            "ours_discovery_udp_payload": ours,
            "ours_discovery_ethernet": out[key]["discovery"]["ethernet"],
            "ours_with_first_read_udp_payload": out[key]["discovery_and_first_read"]["udp_payload"],
            "target_10x_below": seed // 10,
            "pass": ours <= seed // 10,
        }
    return rows


LABELS: Final = {
    "blank_address": "blank address",
    "one_printer": "one printer",
    "subnet_24": "/24 with one printer",
    "printers_13": "13 printers",
}


def tables(result: Json) -> str:
    """The two Markdown tables of docs/security.md."""
    lines = [
        "| scope | seed | target (seed / 10) | discovery, UDP payload | pass | discovery, Ethernet "
        "| discovery + first read, UDP payload | plain `scan` sweep, UDP payload |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, label in LABELS.items():
        row, plain = result["seeds"][key], result[key]["plain_sweep_for_comparison"]
        lines.append(
            f"| {label} | {row['seed']:,} | {row['target_10x_below']:,} "
            f"| **{row['ours_discovery_udp_payload']:,}** | {'yes' if row['pass'] else 'NO'} "
            f"| {row['ours_discovery_ethernet']:,} | {row['ours_with_first_read_udp_payload']:,} "
            f"| {plain['udp_payload']:,} |"
        )
    lines += [
        "",
        "| upload | JSON | zstd body | TCP, new connection (handshake + request + answer) "
        "| TCP, warm connection |",
        "|---|---|---|---|---|",
    ]
    for key, label in (
        ("first_full_reading", "first full reading"),
        ("routine_reading", "routine reading"),
    ):
        u = result["upload_per_device"][key]
        lines.append(
            f"| {label} | {u['json']:,} | {u['zstd_body']:,} "
            f"| {u['new_connection']['tcp_total']:,} | {u['warm_connection']['tcp_total']:,} |"
        )
    return "\n".join(lines)


def write_docs(result: Json, path: Path) -> None:
    """Replace the tables between the traffic markers of ``path``."""
    text = path.read_text()
    start, end = text.index(START) + len(START), text.index(END)
    path.write_text(text[:start] + "\n" + tables(result) + "\n" + text[end:])


def main() -> None:
    """Measure, write the JSON report and the tables of docs/security.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/traffic.json"))
    parser.add_argument("--docs", type=Path, default=Path("docs/security.md"))
    args = parser.parse_args()
    result = asyncio.run(measure())
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    write_docs(result, args.docs)
    print(json.dumps(result["seeds"], indent=2))


if __name__ == "__main__":
    main()
