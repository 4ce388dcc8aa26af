"""Every project recording, served by the simulator over UDP, reads as its expectation says."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from printscout.collector.reader import Reader
from printscout.collector.scan_output import reading_to_json
from printscout.protocols.snmp.client import SnmpEngine, Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
RECORDINGS = builtin_recordings()
PORT = 17461


@pytest.fixture(scope="module")
def readings() -> Iterator[dict[str, dict[str, Any]]]:
    """Serve every recording on its own address (frozen in time) and read each once."""

    async def run() -> dict[str, dict[str, Any]]:
        addresses = [f"127.79.20.{n + 1}" for n in range(len(RECORDINGS))]
        fleet = await start_fleet(RECORDINGS, addresses, port=PORT, speed=0.0, personalize=False)
        try:
            async with SnmpEngine() as engine:
                reader = Reader(Walker(engine))
                results = await asyncio.gather(*(reader.read(Target(a, PORT)) for a in addresses))
        finally:
            fleet.close()
        return {p.stem: reading_to_json(r) for p, r in zip(RECORDINGS, results, strict=True)}

    yield asyncio.run(run())


def _subset(expected: Any, got: Any, path: str = "") -> list[str]:
    """Differences where ``got`` does not match every key ``expected`` names."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        return [d for k, v in expected.items() for d in _subset(v, got.get(k), f"{path}.{k}")]
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {got!r}"]
        pairs = zip(expected, got, strict=True)
        return [d for i, (e, g) in enumerate(pairs) for d in _subset(e, g, f"{path}[{i}]")]
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]


def test_every_recording_has_an_expectation() -> None:
    assert len(RECORDINGS) >= 16
    assert {p.stem for p in RECORDINGS} == {p.stem for p in EXPECTED.glob("*.json")}


@pytest.mark.parametrize("name", [p.stem for p in RECORDINGS])
def test_it_reads_the_recording_as_expected(readings: dict[str, dict[str, Any]], name: str) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text())
    assert _subset(expected, readings[name]) == []
