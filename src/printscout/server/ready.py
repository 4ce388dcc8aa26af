"""Waiting for a server process to answer ``/readyz``: the demo, the benches and the tests start
real server processes and must not talk to them before they answer."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from pathlib import Path

import httpx


class NotReady(RuntimeError):
    """The server exited, or did not answer in time."""


def is_ready(url: str, ca: Path | None = None) -> bool:
    """One ``/readyz`` probe: True when it answers 2xx (over TLS pinned to ``ca`` when given;
    a CA file not written yet means not ready)."""
    if ca is not None and not ca.exists():
        return False
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca)) if ca else True
    try:
        return httpx.get(f"{url}/readyz", verify=verify, timeout=2).is_success
    except httpx.TransportError:
        return False


def wait_ready(
    url: str,
    ca: Path | None = None,
    timeout: float = 60.0,
    died: Callable[[], str | None] = lambda: None,
) -> None:
    """Probe until the server answers; ``died`` says why the process is gone (None while it
    runs), so a crash is reported at once rather than at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (why := died()) is not None:
            raise NotReady(why)
        if is_ready(url, ca):
            return
        time.sleep(0.1)
    raise NotReady(f"the server at {url} did not become ready within {timeout:.0f} s")
