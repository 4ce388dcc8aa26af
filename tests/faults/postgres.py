"""A private PostgreSQL cluster for one test (the shared one at 5432 serves other runs and is
never restarted): initdb in a temporary folder owned by ``postgres``, listening on 127.0.0.1
only, driven with pg_ctl as that user."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
PORTS = range(17150, 17200)  # this suite's block


@dataclass(frozen=True)
class Cluster:
    """A running private cluster."""

    folder: Path
    port: int

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` in this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str) -> None:
        """``pg_ctl ARGS`` as postgres, waiting for it to finish."""
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off"
        _as_postgres(
            str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
            "-o", options, "-w", "-t", "30", *args,
        )  # fmt: skip


def _as_postgres(*argv: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port in this suite's block")


@contextmanager
def private_postgres(database: str) -> Iterator[Cluster]:
    """A started cluster holding an empty ``database``; stopped and deleted at the end."""
    if not (BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip(f"no PostgreSQL 15 binaries in {BIN} or no runuser")
    if os.geteuid() != 0:
        pytest.skip("a private cluster is run as the postgres user: runuser needs root")
    folder = Path(tempfile.mkdtemp(prefix="printscout-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, _free_port())
    try:
        _as_postgres(
            str(BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        cluster.ctl("start")
        admin = cluster.url("postgres").replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(admin, autocommit=True) as pg:
            pg.execute(f'CREATE DATABASE "{database}"')
        yield cluster
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D", str(folder / "data"),
             "-m", "immediate", "-w", "stop"],
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
