"""Measuring tools shared by the bench sections: child processes, CPU, statistics, simulator.

Every scanner and poller runs in a child process so its CPU can be told apart from the agent's:
``getrusage(RUSAGE_CHILDREN)`` grows only when a child has been waited for, and the simulator
and ``snmpd`` are never waited for while a measurement is running.
"""

from __future__ import annotations

import ipaddress
import json
import os
import resource
import select
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal

ROOT: Final = Path(__file__).resolve().parents[1]
BIN: Final = Path(sys.executable).parent
FIXTURES: Final = ROOT.parent / "shared" / "fixtures" / "librenms"
RECORDINGS: Final = ROOT / "src" / "printscout" / "simulator" / "recordings"

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One finished child process: wall seconds, CPU seconds (user + system) and its output."""

    wall_s: float
    cpu_s: float
    stdout: str
    returncode: int


def children_cpu() -> float:
    """CPU seconds (user + system) of every child waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds used so far by a running process (e.g. the agent), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_child(argv: list[str], *, timeout: float = 300.0) -> ChildRun:
    """Run ``argv`` from the repository root; measure its wall and CPU time."""
    cpu0, wall0 = children_cpu(), time.perf_counter()
    proc = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return ChildRun(wall, cpu, proc.stdout, proc.returncode)


def run_python(module: str, *args: str) -> tuple[ChildRun, Json]:
    """Run ``python -m module args`` and parse the JSON object on its last stdout line."""
    run = run_child([sys.executable, "-m", module, *args])
    lines = run.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{module} printed nothing")
    report: Json = json.loads(lines[-1])
    return run, report


def summary(values: list[float], unit: str, digits: int = 3) -> Json:
    """A figure measured several times: min, median and every run, with its unit."""
    return {
        "unit": unit,
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def figure(value: float, unit: str, digits: int = 3) -> Json:
    """A figure measured once, with its unit."""
    return {"unit": unit, "value": round(value, digits)}


def addresses(first: str, count: int) -> list[str]:
    """``count`` consecutive IPv4 addresses from ``first``; refuses anything off loopback."""
    start = ipaddress.IPv4Address(first)
    out = [start + i for i in range(count)]
    if not all(a.is_loopback for a in out):
        raise ValueError("the bench only talks to 127.0.0.0/8")
    return [str(a) for a in out]


def raise_open_files(wanted: int) -> None:
    """Raise the soft RLIMIT_NOFILE towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if limit > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


class Simulator:
    """``printscout simulate`` in its own process: first ``count`` answer, ``silent`` follow."""

    def __init__(
        self, recordings: list[Path], network: str, count: int, silent: int, port: int
    ) -> None:
        if not ipaddress.IPv4Network(network).subnet_of(ipaddress.IPv4Network("127.0.0.0/8")):
            raise ValueError("the bench only binds 127.0.0.0/8")
        self.argv = [
            str(BIN / "printscout"), "simulate", "--only", *map(str, recordings),
            "--network", network, "--count", str(count), "--silent", str(silent),
            "--port", str(port),
        ]  # fmt: skip
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Simulator:
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 120.0)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("serving"):
            self.stop()
            raise RuntimeError(f"simulator did not start: {line!r}")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        self.stop()
        return False

    def stop(self) -> None:
        """SIGTERM the simulator and wait for it (its CPU then joins RUSAGE_CHILDREN)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
