"""A real sweep and full polls over a range where a hostile printer of every kind sits between
healthy ones: everything completes, healthy printers read exactly as recorded, and each hostile
one ends in a capped reading or a clean miss (no answer, so not found, or a failed read).

The whole scenario runs under ``asyncio.wait_for(…, GUARD)``: a hang detector, not a timing
assertion.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import pytest

from printscout.collector.poller import Poller
from printscout.collector.scan_output import reading_to_json
from printscout.collector.text import MAX_TEXT
from printscout.domain.control import RangeConfig
from printscout.domain.reading import Reading
from printscout.protocols.snmp.client import SnmpEngine
from printscout.simulator.agent import SPOOFED
from printscout.simulator.device import Fault
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings
from tests.collector.test_hostile_agents import texts
from tests.collector.test_project_recordings import EXPECTED, _subset

PORT: Final = 17201
NET: Final = "127.92.1."
GUARD: Final = 120.0
TIMEOUT: Final = 1.0  # per request, one retry: generous, so that a busy machine reads healthy ones
SLOW_SECONDS: Final = 5.0
RECORDING = {p.stem: p for p in builtin_recordings()}
HEALTHY: Final = ("brother-hl-l5100dn", "lexmark-ms621", "kyocera-ecosys-p3145dn",
                  "epson-wf-c5710", "canon-ir-adv-c5535", "dell-b2360dn")  # fmt: skip
HOSTILE_MODEL: Final = "hp-color-laserjet-m555"

# what each hostile kind must end in: read exactly as recorded, a capped reading, or missing
EXACT, CAPPED, MISSING = "exact", "capped", "missing"
HOSTILE: Final = {
    Fault.HUGE_STRINGS: CAPPED,
    Fault.WRONG_TYPES: CAPPED,
    Fault.LOOPING_WALK: CAPPED,
    Fault.ENDLESS_WALK: CAPPED,
    Fault.BROKEN_BULK: EXACT,
    Fault.DUPLICATE_ANSWERS: EXACT,
    # answers to its own requests in flight, under their request-ids: community SNMP cannot
    # tell them from real ones, and the engine does not match answer OIDs to the request, so
    # this printer's own reading loses fields (never a neighbour's, never a spoofed text)
    Fault.STRAY_ANSWERS: CAPPED,
    Fault.MALFORMED: MISSING,
    Fault.SILENT: MISSING,
    Fault.SLOW: MISSING,  # answers after SLOW_SECONDS, past every timeout and retry
    Fault.WRONG_REQUEST_IDS: MISSING,
}


@dataclass(frozen=True)
class Host:
    """One address of the range."""

    address: str
    recording: str
    fault: Fault | None


def layout() -> list[Host]:
    """Healthy and hostile printers alternating, then an address where nothing answers."""
    hosts: list[Host] = []
    healthy = iter(HEALTHY * 2)
    for n, fault in enumerate(HOSTILE, 1):
        hosts.append(Host(f"{NET}{2 * n - 1}", next(healthy), None))
        hosts.append(Host(f"{NET}{2 * n}", HOSTILE_MODEL, fault))
    hosts.append(Host(f"{NET}{2 * len(HOSTILE) + 1}", next(healthy), None))
    return hosts


@dataclass(frozen=True)
class Cycle:
    """When a cycle ran (its bounds) and when each of its readings says it was observed."""

    began: datetime
    ended: datetime
    stamps: list[datetime]


@dataclass
class Outcome:
    """What the sweep and the polls gave, by address."""

    discovered: dict[str, Reading]
    polls: list[dict[str, Reading]]
    cycles: list[Cycle]  # the sweep, then each poll


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    hosts = layout()
    silent = f"{NET}{len(hosts) + 1}"

    async def scenario() -> Outcome:
        fleet = await start_fleet(
            [RECORDING[h.recording] for h in hosts], [h.address for h in hosts], port=PORT,
            faults={h.address: {h.fault} for h in hosts if h.fault}, speed=0.0,
            silent=[silent], personalize=False,
        )  # fmt: skip
        for host in hosts:
            if host.fault == Fault.SLOW:
                fleet.printers[host.address].slow_seconds = SLOW_SECONDS
        try:
            async with SnmpEngine() as engine:
                poller = Poller(engine, timeout=TIMEOUT, retries=1)
                config = RangeConfig(targets=[f"{NET}1-{len(hosts) + 1}"], port=PORT)
                cycles, results = [], []
                for n in range(3):
                    began = datetime.now(UTC)
                    got = await (poller.discover([config]) if n == 0 else poller.poll())
                    cycles.append(Cycle(began, datetime.now(UTC), [o.observed_at for o in got]))
                    results.append(got)
        finally:
            fleet.close()
        by_address = [{o.reading.address: o.reading for o in got} for got in results]
        return Outcome(by_address[0], by_address[1:], cycles)

    return asyncio.run(asyncio.wait_for(scenario(), GUARD))


def expected(recording: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((EXPECTED / f"{recording}.json").read_text())
    return result


def every_reading(outcome: Outcome) -> list[Reading]:
    return [*outcome.discovered.values(), *(r for poll in outcome.polls for r in poll.values())]


def test_every_healthy_printer_reads_as_recorded_in_the_sweep_and_every_poll(
    outcome: Outcome,
) -> None:
    for host in layout():
        if host.fault is None:
            for readings in (outcome.discovered, *outcome.polls):
                got = reading_to_json(readings[host.address])
                assert _subset(expected(host.recording), got) == [], host


@pytest.mark.parametrize("fault", list(HOSTILE))
def test_each_hostile_printer_ends_capped_exact_or_missing(outcome: Outcome, fault: Fault) -> None:
    (host,) = [h for h in layout() if h.fault == fault]
    seen = [readings.get(host.address) for readings in (outcome.discovered, *outcome.polls)]
    if HOSTILE[fault] == MISSING:
        assert seen == [None, None, None]
        return
    assert all(r is not None for r in seen)
    for reading in seen:
        assert reading is not None
        assert all(len(text) <= MAX_TEXT for text in texts(reading))
        if HOSTILE[fault] == EXACT:
            assert _subset(expected(HOSTILE_MODEL), reading_to_json(reading)) == []


def test_no_stray_answer_reached_any_reading(outcome: Outcome) -> None:
    # the stray answers carry the request-ids of neighbours' requests in flight at the time
    spoofed = SPOOFED.decode()
    assert not [r.address for r in every_reading(outcome) if spoofed in set(texts(r))]
    healthy = [h for h in layout() if h.fault is None]
    answering = [f for f, end in HOSTILE.items() if end != MISSING]
    assert len(outcome.discovered) == len(healthy) + len(answering)


def test_each_reading_is_stamped_when_its_own_read_ended(outcome: Outcome) -> None:
    """Not one moment for a whole cycle: a 10,000-printer cycle takes seconds to minutes."""
    for cycle in outcome.cycles:
        assert all(cycle.began <= stamp <= cycle.ended for stamp in cycle.stamps)
        assert len(set(cycle.stamps)) == len(cycle.stamps)  # reads end at different moments
