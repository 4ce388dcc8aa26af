"""Server processes that share one data directory and start together: one CA, one secret key
and one bundle key between them, and each its own server certificate loaded without another
process's key in between."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from printscout.server.bundles import bundle_private_key
from printscout.server.collectors.ca import load_or_create
from printscout.server.collectors.tls import server_context
from printscout.server.settings import ServerSettings, secret_key

PROCESSES = 8


def _start(directory: Path, barrier: Barrier, answers: multiprocessing.SimpleQueue[str]) -> None:
    """What ``server serve`` does with the CA at start-up, released at the same moment as the
    others."""
    barrier.wait()
    try:
        settings = ServerSettings(data_dir=directory)
        secret = secret_key(settings).get_secret_value()
        bundle = (
            bundle_private_key(directory)
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        ca = load_or_create(directory / "ca")
        for _ in range(5):  # several certificates each: more chances to interleave
            server_context(ca, ["127.0.0.1", "localhost"])
        answers.put(f"{ca.fingerprint} {secret} {bundle.hex()}")
    except Exception as exc:  # reported to the test, which fails on it
        answers.put(f"error: {exc!r}")


def test_processes_starting_together_share_one_ca_and_keys_and_each_loads_its_own_pair(
    tmp_path: Path,
) -> None:
    forked = multiprocessing.get_context("fork")
    barrier = forked.Barrier(PROCESSES)
    answers: multiprocessing.SimpleQueue[str] = forked.SimpleQueue()
    directory = tmp_path / "data"
    workers = [
        forked.Process(target=_start, args=(directory, barrier, answers)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    got = [answers.get() for _ in range(PROCESSES)]
    assert [a for a in got if a.startswith("error")] == []
    assert len(set(got)) == 1  # every process holds the same CA, secret and bundle key
    assert got[0].split()[0] == load_or_create(directory / "ca").fingerprint
    assert not list((directory / "ca").glob("server*"))  # no shared server key on disk
    assert not list(directory.glob(".*"))  # no temporary file left behind
