"""Waiting for a server: a process that died is reported with its reason at once, one that
never answers at the deadline."""

from __future__ import annotations

import socket

import pytest

from printscout.server.ready import NotReady, wait_ready


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_dead_process_is_reported_with_its_reason() -> None:
    with pytest.raises(NotReady, match="server exited \\(1\\)"):
        wait_ready(_closed_port(), timeout=30, died=lambda: "server exited (1)")


def test_a_server_that_never_answers_is_reported_at_the_deadline() -> None:
    url = _closed_port()
    with pytest.raises(NotReady, match=f"the server at {url} did not become ready"):
        wait_ready(url, timeout=0.3)
