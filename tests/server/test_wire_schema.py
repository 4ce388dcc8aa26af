"""The upload schema: every project recording, read through the simulator, survives the wire."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from printscout.collector.reader import Reader
from printscout.collector.scan_output import reading_to_json
from printscout.domain.reading import Reading
from printscout.domain.wire import (
    ObservedReading,
    ReadingBatch,
    WireBatch,
    WireReading,
    batch_to_wire,
    reading_to_wire,
)
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings

PORT = 17471
AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def readings() -> list[Reading]:
    """One reading of every project recording, through the real reader."""

    async def run() -> list[Reading]:
        recordings = builtin_recordings()
        addresses = [f"127.79.40.{n + 1}" for n in range(len(recordings))]
        fleet = await start_fleet(recordings, addresses, port=PORT, speed=0.0)
        try:
            async with SnmpEngine() as engine:
                reader = Reader(Walker(engine))
                return list(
                    await asyncio.gather(*(reader.read(Target(a, PORT)) for a in addresses))
                )
        finally:
            fleet.close()

    return asyncio.run(run())


def test_it_carries_every_recording_unchanged(readings: list[Reading]) -> None:
    assert len(readings) >= 16
    for reading in readings:
        wire = reading_to_wire(ObservedReading(AT, reading))
        back = WireReading.model_validate(wire).to_domain()
        assert back == ObservedReading(AT, reading)


def test_it_is_the_scan_json_device_object_plus_observed_at(readings: list[Reading]) -> None:
    for reading in readings:
        scan = reading_to_json(reading)
        wire = reading_to_wire(ObservedReading(AT, reading))
        assert wire.pop("observed_at") == AT.isoformat()
        assert wire == scan
        parsed = WireReading.model_validate({**scan, "observed_at": "2026-11-20T09:00:00+01:00"})
        assert parsed.to_domain() == ObservedReading(AT, reading)


def test_it_round_trips_a_batch_through_json_bytes(readings: list[Reading]) -> None:
    batch = ReadingBatch(
        uuid.uuid4(),
        "collector-1",
        AT + timedelta(minutes=1),
        tuple(ObservedReading(AT, r) for r in readings),
    )
    raw = WireBatch.model_validate(batch_to_wire(batch)).model_dump_json()
    assert '"schema":"printscout.batch/1"' in raw
    assert WireBatch.model_validate_json(raw).to_domain() == batch


def test_it_refuses_what_the_schema_does_not_allow(readings: list[Reading]) -> None:
    good = batch_to_wire(ReadingBatch(uuid.uuid4(), "c", AT, (ObservedReading(AT, readings[0]),)))
    cases = {
        "schema": "printscout.batch/2",
        "batch_id": "not-a-uuid",
        "created_at": "2026-11-20T08:00:00",
        "readings": [],
    }
    for key, value in cases.items():
        with pytest.raises(ValidationError, match=key):
            WireBatch.model_validate({**good, key: value})
    reading = good["readings"][0]
    for path, value in (("kind", "fax"), ("address", "")):
        with pytest.raises(ValidationError, match=path):
            WireReading.model_validate({**reading, path: value})
    counters = {**reading["counters"], "total": -1}
    with pytest.raises(ValidationError, match=r"counters\.total"):
        WireReading.model_validate({**reading, "counters": counters})
    assert WireReading.model_validate({**reading, "added_later": 1}).address == reading["address"]
