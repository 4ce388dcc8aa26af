"""A full outbox disk: the write is rolled back whole and raises OutboxFull; the spill keeps
what the outbox refused, in order, moves it in once space returns, and past its memory bound
drops the oldest routine readings first (counted). SQLite's ``max_page_count`` makes the disk
"full" for real: the same SQLITE_FULL a full filesystem gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from printscout.collector.errors import OutboxFull
from printscout.collector.outbox import Outbox
from printscout.collector.spill import Spill


def _readings(n: int, tag: str) -> list[bytes]:
    return [json.dumps({"tag": f"{tag}{i}", "pad": "x" * 400}).encode() for i in range(n)]


def _tags(outbox: Outbox) -> list[str]:
    outbox.seal(1000)
    return [json.loads(r)["tag"] for b in outbox.pending_batches(1000) for r in b.readings]


def _limit_pages(outbox: Outbox, extra: int) -> None:
    """Let the database grow by ``extra`` pages at most from now on."""
    db = outbox._db  # the one knob SQLite offers; the outbox has no reason to expose it
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + extra}")


def _unlimit(outbox: Outbox) -> None:
    outbox._db.execute("PRAGMA max_page_count = 1073741823")


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    found = Outbox(tmp_path / "outbox.sqlite3", 1 << 30)
    found.add(_readings(1, "seed"), identity=True)  # the tables exist and hold a page each
    return found


def test_it_rolls_a_write_back_whole_when_the_disk_is_full(outbox: Outbox) -> None:
    _limit_pages(outbox, 2)
    with pytest.raises(OutboxFull):
        outbox.add(_readings(50, "r"), identity=False)
    _unlimit(outbox)
    assert _tags(outbox) == ["seed0"]
    outbox.add(_readings(2, "r"), identity=False)
    assert _tags(outbox) == ["seed0", "r0", "r1"]


def test_it_keeps_refused_readings_in_order_until_the_outbox_takes_them(outbox: Outbox) -> None:
    spill = Spill(limit=1000)
    _limit_pages(outbox, 2)
    for poll in range(4):
        assert spill.store(outbox, _readings(20, f"p{poll}-"), identity=False) == 0
    assert spill.count > 0
    _unlimit(outbox)
    spill.store(outbox, _readings(1, "last"), identity=False)
    assert spill.count == 0
    expected = ["seed0"] + [f"p{p}-{i}" for p in range(4) for i in range(20)] + ["last0"]
    assert _tags(outbox) == expected


def test_it_drops_the_oldest_routine_readings_beyond_its_bound(outbox: Outbox) -> None:
    spill = Spill(limit=5)
    spill.keep(_readings(3, "old"), identity=False)
    spill.keep(_readings(2, "who"), identity=True)
    assert spill.keep(_readings(3, "new"), identity=False) == 3
    assert (spill.count, spill.dropped) == (5, 3)
    spill.flush(outbox)
    assert _tags(outbox) == ["seed0", "who0", "who1", "new0", "new1", "new2"]
    assert (spill.dropped, outbox.stats().dropped) == (0, 3)  # the count outlives the process


def test_it_drops_identity_readings_too_when_nothing_else_is_left(outbox: Outbox) -> None:
    spill = Spill(limit=2)
    spill.keep(_readings(3, "who"), identity=True)
    assert (spill.count, spill.dropped) == (2, 1)
    spill.flush(outbox)
    assert _tags(outbox) == ["seed0", "who1", "who2"]
