"""Run a target for N seeded inputs: outcomes, exceptions by type, the slowest input."""

from __future__ import annotations

import contextlib
import hashlib
import random
import resource
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.support.fuzz.targets import Target


@dataclass
class Crash:
    """An input that raised something other than the decoder's declared error."""

    error: str
    data: bytes
    where: str


@dataclass
class Report:
    """What one run of one target found."""

    target: str
    seed: int
    inputs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    crashes: list[Crash] = field(default_factory=list)
    slowest_ms: float = 0.0
    slowest_size: int = 0
    slowest: bytes = b""
    largest_input: int = 0
    decode_seconds: float = 0.0
    wall_seconds: float = 0.0
    max_rss_mib: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The figures for bench/fuzz.json."""
        return {
            "inputs": self.inputs,
            "seed": self.seed,
            "distinct_outcomes": len(self.outcomes),
            "exceptions_by_type": dict(sorted(self.exceptions.items())),
            "unexpected_exceptions": len(self.crashes),
            "crashes": [
                {"error": c.error, "input_hex": c.data[:256].hex(), "input_size": len(c.data)}
                for c in self.crashes[:10]
            ],
            "slowest_input_ms": round(self.slowest_ms, 3),
            "slowest_input_size": self.slowest_size,
            "slowest_input_sha256": hashlib.sha256(self.slowest).hexdigest(),
            "slowest_input_head_hex": self.slowest[:64].hex(),
            "largest_input_bytes": self.largest_input,
            "inputs_per_s": round(self.inputs / self.wall_seconds) if self.wall_seconds else None,
            "decoder_seconds": round(self.decode_seconds, 2),
            "wall_seconds": round(self.wall_seconds, 2),
            "max_rss_mib": round(self.max_rss_mib, 1),
        }


def retime(target: Target, data: bytes, times: int = 5) -> float:
    """The fastest of ``times`` runs of one input, in ms: its own cost, without the pauses
    (scheduler, garbage collector) that a busy machine adds to a single run."""
    best = float("inf")
    for _ in range(times):
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):
            target.run(data)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def run(target: Target, inputs: int, seed: int, max_crashes: int = 50) -> Report:
    """Feed ``inputs`` generated inputs to ``target``; keep going after a crash."""
    rng = random.Random(f"{target.name}-{seed}")
    report = Report(target.name, seed)
    started = time.perf_counter()
    for _ in range(inputs):
        data = target.generate(rng)
        t0 = time.perf_counter()
        try:
            outcome = target.run(data)
        except target.expected as exc:  # declared errors that escape ``run`` are outcomes too
            outcome = type(exc).__name__
        except Exception as exc:  # anything else is a bug in the decoder
            outcome = "CRASH:" + type(exc).__name__
            if len(report.crashes) < max_crashes:
                where = traceback.format_exception(exc)[-2].strip()[:300]
                report.crashes.append(Crash(f"{type(exc).__name__}: {exc}"[:300], data, where))
        elapsed = time.perf_counter() - t0
        report.decode_seconds += elapsed
        if elapsed * 1000 > report.slowest_ms:
            report.slowest_ms, report.slowest_size = elapsed * 1000, len(data)
            report.slowest = data
        report.largest_input = max(report.largest_input, len(data))
        report.inputs += 1
        kind = outcome.split(":", 1)[0] if not outcome.startswith(("v", "ok")) else ""
        if kind:
            report.exceptions[kind] += 1
        report.outcomes[outcome] += 1
    report.wall_seconds = time.perf_counter() - started
    report.max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report
