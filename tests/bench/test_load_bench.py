"""``bench/load.py`` at a tiny size, so ``make test`` keeps the load harness working: 20
simulated printers, discovery plus one routine poll, two server processes on PostgreSQL behind the
bench's forwarder, the real collector enrolled over mutual TLS (127.89.0.0/16, ports 17050-17051).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import ingest, load
from tests.storage.databases import ADMIN_URL


def test_it_delivers_every_reading_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.environ.get("PRINTSCOUT_TEST_PG") == "skip":
        pytest.skip("PRINTSCOUT_TEST_PG=skip")
    monkeypatch.setattr(ingest, "PG_URL", ADMIN_URL)
    out = tmp_path / "load.json"
    argv = ["--out", str(out), "--docs", "", "--sizes", "20", "--interval", "1", "--cycles", "1",
            "--port", "17050", "--network", "127.89.0.0/16", "--drain", "20"]  # fmt: skip

    result = load.main(argv)

    assert json.loads(out.read_text()) == result
    size = result["sizes"][0]
    assert [c["read"] for c in (size["discovery"], *size["cycles"])] == [20, 20]
    delivery = size["delivery"]
    assert delivery["expected_readings"] == 40
    assert delivery["stored_rows"] == 40
    assert (delivery["lost"], delivery["doubled"]) == (0, 0)
    assert delivery["devices"] == 20  # one device per simulated printer, none split or merged
    assert delivery["batches_match"]  # the server holds exactly the batches the outbox sent
    assert delivery["outbox_waiting_readings"] == 0
    # both server processes were reached through the forwarder (enrolment is two connections)
    assert [sum(r.values()) > 0 for r in size["server_requests"]] == [True, True]
    assert size["summary"]["lag_ms"]["readings"] == 20
