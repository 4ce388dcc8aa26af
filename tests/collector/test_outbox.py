"""The outbox: fixed batch ids across restarts, acknowledgement, hand-off, and the size cap
(oldest routine readings dropped first, identity readings kept, a flag and a count)."""

from __future__ import annotations

import json
from pathlib import Path

from printscout.collector.outbox import Outbox


def _readings(n: int, tag: str, size: int = 100) -> list[bytes]:
    return [json.dumps({"tag": f"{tag}{i}", "pad": "x" * size}).encode() for i in range(n)]


def _tags(outbox: Outbox) -> list[str]:
    return [json.loads(r)["tag"] for b in outbox.pending_batches(1000) for r in b.readings]


def test_it_keeps_batch_ids_and_readings_across_a_reopen(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 1 << 20)
    outbox.add(_readings(10, "r"), identity=False)
    assert outbox.seal(4) == 3
    before = outbox.pending_batches(10)
    outbox.close()
    again = Outbox(tmp_path / "o.sqlite3", 1 << 20)
    assert again.seal(4) == 0
    after = again.pending_batches(10)
    assert [b.batch_id for b in after] == [b.batch_id for b in before]
    assert [len(b.readings) for b in after] == [4, 4, 2]
    assert _tags(again) == [f"r{i}" for i in range(10)]


def test_it_forgets_readings_only_when_acknowledged(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 1 << 20)
    outbox.add(_readings(6, "r"), identity=False)
    outbox.seal(3)
    first, second = outbox.pending_batches(10)
    outbox.acknowledge([first.batch_id])
    assert [b.batch_id for b in outbox.pending_batches(10)] == [second.batch_id]
    assert outbox.delivered_ids() == [first.batch_id]
    stats = outbox.stats()
    assert (stats.batches, stats.readings, stats.acknowledged) == (1, 3, 1)


def test_it_hands_batches_off_to_a_bundle(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 1 << 20)
    outbox.add(_readings(2, "r"), identity=False)
    outbox.seal(10)
    outbox.hand_off([b.batch_id for b in outbox.pending_batches(10)])
    assert outbox.pending_batches(10) == []
    assert outbox.delivered_ids() == []


def test_it_builds_the_wire_batch_from_stored_readings(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 1 << 20)
    outbox.add(_readings(2, "r"), identity=False)
    outbox.seal(10)
    (batch,) = outbox.pending_batches(10)
    wire = json.loads(batch.to_json("collector-1"))
    assert wire["schema"] == "printscout.batch/1"
    assert wire["batch_id"] == str(batch.batch_id)
    assert wire["collector"] == "collector-1"
    assert [r["tag"] for r in wire["readings"]] == ["r0", "r1"]


def test_it_drops_the_oldest_routine_readings_at_the_cap_and_keeps_identity(
    tmp_path: Path,
) -> None:
    one = len(_readings(1, "r00")[0])
    outbox = Outbox(tmp_path / "o.sqlite3", 10 * one)
    outbox.add(_readings(2, "id"), identity=True)
    outbox.add(_readings(6, "old"), identity=False)
    outbox.seal(3)
    assert not outbox.stats().full
    dropped = outbox.add(_readings(5, "new"), identity=False)
    stats = outbox.stats()
    assert dropped == 3
    assert stats.full and stats.dropped == 3
    assert stats.bytes <= 10 * one
    outbox.seal(100)
    tags = _tags(outbox)
    assert tags[:2] == ["id0", "id1"]
    assert "old0" not in tags and "old3" in tags and "new4" in tags


def test_it_keeps_identity_readings_even_over_the_cap(tmp_path: Path) -> None:
    one = len(_readings(1, "r")[0])
    outbox = Outbox(tmp_path / "o.sqlite3", 2 * one)
    outbox.add(_readings(4, "id"), identity=True)
    dropped = outbox.add(_readings(1, "r"), identity=False)
    assert dropped == 1
    outbox.seal(10)
    assert _tags(outbox) == ["id0", "id1", "id2", "id3"]
    assert outbox.stats().full
