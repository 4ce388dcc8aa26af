"""Every project recording, served by the simulator over UDP, reads as its expectation says.

Each is read with its vendor's profile (identity, counters, supplies, quirks per
docs/devices.md); routine polls, which reuse identity and skip what the device did not
answer, read the same as full ones.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from printscout.collector.raw import RawReading
from printscout.collector.reader import Reader
from printscout.collector.scan_output import reading_to_json
from printscout.domain.reading import Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import Fleet, start_fleet
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


# ---------------------------------------------------------------- profiles and routine polls

PROFILE_OF = {
    "develop-ineo-plus-450i": "Konica Minolta", "konica-minolta-bizhub-c360i": "Konica Minolta",
    "savin-mp-c4504": "Ricoh", "utax-p-4532dn": "Kyocera",
}  # fmt: skip


def serve(paths: list[Path], addresses: list[str], scenario: Any) -> Any:
    """Run ``scenario(fleet, engine)`` against the recordings, frozen in time."""

    async def run() -> Any:
        fleet = await start_fleet(paths, addresses, port=PORT, speed=0.0, personalize=False)
        try:
            async with SnmpEngine() as engine:
                return await scenario(fleet, engine)
        finally:
            fleet.close()

    return asyncio.run(run())


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_each_recording_is_read_with_its_vendors_profile(path: Path) -> None:
    async def scenario(_: Fleet, engine: SnmpEngine) -> RawReading:
        return await Reader(Walker(engine)).read_raw(Target("127.79.21.1", PORT))

    raw = serve([path], ["127.79.21.1"], scenario)
    brand = json.loads((EXPECTED / f"{path.stem}.json").read_text())["identity"]["manufacturer"]
    assert raw.profile is not None
    assert raw.profile.name == PROFILE_OF.get(path.stem, brand)


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_routine_and_revalidation_polls_read_what_the_first_did(path: Path) -> None:
    async def scenario(_: Fleet, engine: SnmpEngine) -> list[dict[str, Any]]:
        reader = Reader(Walker(engine), revalidate_every=3)
        target = Target("127.79.22.1", PORT)
        return [reading_to_json(await reader.read(target)) for _ in range(4)]

    first, *later = serve([path], ["127.79.22.1"], scenario)
    assert all(reading == first for reading in later)  # polls 2, 3 routine; 4 full again


def test_a_probe_that_names_the_vendor_saves_an_exchange() -> None:
    hp = next(p for p in RECORDINGS if p.stem.startswith("hp-"))

    async def scenario(_: Fleet, engine: SnmpEngine) -> tuple[Reading, Reading, int, int]:
        target = Target("127.79.23.1", PORT)
        known = dict(await engine.get(target, (mibs.SYS_OBJECT_ID, mibs.SYS_DESCR)))
        before = engine.traffic.sent_packets
        probed = await Reader(Walker(engine)).read(target, known)
        middle = engine.traffic.sent_packets
        unprobed = await Reader(Walker(engine)).read(target)
        return probed, unprobed, middle - before, engine.traffic.sent_packets - middle

    probed, unprobed, with_probe, without = serve([hp], ["127.79.23.1"], scenario)
    assert reading_to_json(probed) == reading_to_json(unprobed)
    assert with_probe < without  # the vendor's objects rode in the first walk


def test_identity_objects_are_refreshed_on_full_polls_only() -> None:
    hp = next(p for p in RECORDINGS if p.stem.startswith("hp-"))
    firmware = (1, 3, 6, 1, 4, 1, 11, 2, 3, 9, 4, 2, 1, 1, 3, 6, 0)
    address = "127.79.24.1"

    async def scenario(fleet: Fleet, engine: SnmpEngine) -> list[str | None]:
        reader = Reader(Walker(engine), revalidate_every=3)
        target = Target(address, PORT)
        seen = [(await reader.read(target)).identity.firmware]
        fleet.printers[address].overrides[firmware] = b"2507000_000001"  # updated firmware
        seen += [(await reader.read(target)).identity.firmware for _ in range(3)]
        return seen

    assert serve([hp], [address], scenario) == [
        "2506116_029630", "2506116_029630", "2506116_029630", "2507000_000001",
    ]  # fmt: skip


def test_a_routine_hp_poll_stays_within_the_byte_budget() -> None:
    hp = next(p for p in RECORDINGS if p.stem.startswith("hp-"))

    async def scenario(_: Fleet, engine: SnmpEngine) -> tuple[int, int]:
        reader, target = Reader(Walker(engine)), Target("127.79.25.1", PORT)
        sizes = []
        for _poll in range(2):
            before = engine.traffic.sent_bytes + engine.traffic.received_bytes
            await reader.read(target)
            sizes.append(engine.traffic.sent_bytes + engine.traffic.received_bytes - before)
        return sizes[0], sizes[1]

    first, routine = serve([hp], ["127.79.25.1"], scenario)
    assert routine < first and routine <= 2700  # docs/performance.md budget
