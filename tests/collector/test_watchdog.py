"""sd_notify over a real datagram socket, the way systemd listens for it."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from printscout.collector.watchdog import Notifier


def test_it_sends_notifications_to_the_notify_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        notifier = Notifier(path, 10_000_000)
        assert notifier.notify("READY=1")
        assert notifier.notify("WATCHDOG=1")
        assert listener.recv(64) == b"READY=1"
        assert listener.recv(64) == b"WATCHDOG=1"
    assert notifier.watchdog_interval() == 5.0


def test_it_reads_the_watchdog_period_meant_for_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", "@printscout-test")
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert Notifier.from_environment().watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert Notifier.from_environment().watchdog_interval() is None


def test_it_does_nothing_outside_systemd() -> None:
    assert not Notifier(None).notify("READY=1")


def test_it_never_blocks_when_the_receiver_stops_reading(tmp_path: Path) -> None:
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(path)
        notifier = Notifier(path)
        sent = [notifier.notify("WATCHDOG=1") for _ in range(10_000)]
    assert sent[0] and not sent[-1]
