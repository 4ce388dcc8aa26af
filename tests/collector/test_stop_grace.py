"""SIGTERM while an upload is under way: the upload may finish within ``stop_grace_s`` and its
acknowledgement is recorded, so the next start does not send the batch again; an upload that
takes longer is cut off at the grace and its batch stays pending (sent again, recognised)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from printscout.collector import service
from printscout.collector.errors import UploadError
from printscout.collector.outbox import Outbox, OutboxBatch
from printscout.collector.service import CollectorAgent
from printscout.collector.settings import CollectorSettings
from printscout.collector.uploader import UploadOutcome


class SlowServer:
    """Stands in for the uploader: check-ins fail, an upload answers ``answer_after`` seconds
    after it started (the server has stored it by then)."""

    def __init__(self, answer_after: float) -> None:
        self.answer_after = answer_after
        self.started = asyncio.Event()
        self.answered: list[str] = []

    async def checkin(self, report: Any) -> Any:
        raise UploadError("no server in this test")

    async def upload(self, batches: Sequence[OutboxBatch]) -> UploadOutcome:
        self.started.set()
        await asyncio.sleep(self.answer_after)
        self.answered.extend(str(b.batch_id) for b in batches)
        return UploadOutcome(delivered=[b.batch_id for b in batches], refused=[], retry=[])

    async def aclose(self) -> None:
        return None


def _states(path: Path) -> list[str]:
    """Each batch of the outbox as the next start finds it: acked or pending."""
    outbox = Outbox(path, 1 << 20)
    try:
        acked = ["acked"] * len(outbox.delivered_ids())
        return acked + ["pending"] * len(outbox.pending_batches(100))
    finally:
        outbox.close()


@pytest.mark.parametrize(("answer_after", "state"), [(0.3, "acked"), (30.0, "pending")])
def test_an_upload_under_way_at_stop_finishes_within_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer_after: float, state: str
) -> None:
    settings = CollectorSettings(data_dir=tmp_path, stop_grace_s=2.0, watchdog=False)
    server = SlowServer(answer_after)
    monkeypatch.setattr(service, "Uploader", lambda _settings: server)
    agent = CollectorAgent(settings)
    agent.outbox.add([json.dumps({"n": i}).encode() for i in range(3)], identity=False)

    async def scenario() -> None:
        running = asyncio.create_task(agent.run())
        await asyncio.wait_for(server.started.wait(), 10)
        agent._stop.set()  # what SIGTERM does
        await asyncio.wait_for(running, 10)  # a hang guard, not a timing assertion

    asyncio.run(scenario())
    assert _states(settings.outbox_path) == [state]
    assert len(server.answered) == (1 if state == "acked" else 0)
