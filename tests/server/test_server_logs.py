"""Structured logs: one JSON object per line, extra fields included."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from printscout.server.logs import configure_logging
from printscout.server.settings import LogSettings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
def test_it_writes_one_json_object_per_line() -> None:
    stream = io.StringIO()
    configure_logging(LogSettings(level="INFO", format="json"), stream)
    log = logging.getLogger("printscout.test")
    log.info("batch %s", "stored", extra={"batch_id": "b-1", "readings": 3})
    log.debug("not shown")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["msg"] == "batch stored"
    assert (first["level"], first["logger"]) == ("info", "printscout.test")
    assert (first["batch_id"], first["readings"]) == ("b-1", 3)
    assert first["ts"].endswith("+00:00")
    assert second["level"] == "error"
    assert "ValueError: boom" in second["exc"]
