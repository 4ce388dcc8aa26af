"""Fuzz the decoders that meet hostile bytes: SNMP (BER, v1/v2c, v3 USM), IPP, and uploads.

``python -m bench.fuzz --out bench/fuzz.json`` feeds each target ``--inputs`` (default
1,000,000) seeded, structure-aware inputs (tests/support/fuzz/), split into chunks over
``--jobs`` worker processes, and records per target: inputs run, distinct outcomes, exceptions
by type, inputs that raised anything but the decoder's declared error (with their bytes), the
slowest input (its time in the run, and re-timed alone: a busy machine's pauses land on single
inputs) and throughput. A run is reproduced by its ``--seed``. Any unexpected exception
makes the command exit 1 after writing the JSON.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import multiprocessing
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Final

from tests.support.fuzz.runner import Report, retime, run
from tests.support.fuzz.targets import TARGETS

CHUNK: Final = 100_000


def _chunk(job: tuple[str, int, int]) -> Report:
    name, size, seed = job
    faulthandler.dump_traceback_later(600, exit=True)  # a hang detector, not a speed limit
    try:
        return run(TARGETS[name], size, seed)
    finally:
        faulthandler.cancel_dump_traceback_later()


def _merge(name: str, reports: list[Report], wall: float) -> dict[str, Any]:
    merged = Report(name, reports[0].seed)
    for r in reports:
        merged.inputs += r.inputs
        merged.outcomes.update(r.outcomes)
        merged.exceptions.update(r.exceptions)
        merged.crashes += r.crashes
        if r.slowest_ms > merged.slowest_ms:
            merged.slowest_ms, merged.slowest_size = r.slowest_ms, r.slowest_size
            merged.slowest = r.slowest
        merged.largest_input = max(merged.largest_input, r.largest_input)
        merged.decode_seconds += r.decode_seconds
        merged.wall_seconds += r.wall_seconds
        merged.max_rss_mib = max(merged.max_rss_mib, r.max_rss_mib)
    out = merged.as_json()
    out["chunks"] = len(reports)
    out["process_seconds"] = out.pop("wall_seconds")
    out["inputs_per_s_per_process"] = out.pop("inputs_per_s")
    out["wall_seconds"] = round(wall, 1)
    out["slowest_input_retimed_ms"] = round(retime(TARGETS[name], merged.slowest), 3)
    out["top_outcomes"] = dict(Counter(merged.outcomes).most_common(8))
    out["max_rss_mib_per_process"] = out.pop("max_rss_mib")
    return out


def main() -> None:
    """Run every target and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/fuzz.json"))
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs per target")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--targets", nargs="*", default=list(TARGETS), choices=list(TARGETS))
    args = parser.parse_args()
    jobs: list[tuple[str, int, int]] = []
    for name in args.targets:
        left, k = args.inputs, 0
        while left > 0:
            jobs.append((name, min(CHUNK, left), args.seed * 1000 + k))
            left, k = left - CHUNK, k + 1
    started = time.perf_counter()
    by_target: dict[str, list[Report]] = {name: [] for name in args.targets}
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    with multiprocessing.get_context("fork").Pool(args.jobs, maxtasksperchild=1) as pool:
        for (name, _size, _seed), report in zip(jobs, pool.imap(_chunk, jobs), strict=True):
            by_target[name].append(report)
            now = time.perf_counter()
            first.setdefault(name, now - report.wall_seconds)
            last[name] = now
            done = by_target[name]
            crashes = sum(len(r.crashes) for r in done)
            print(f"{name}: {sum(r.inputs for r in done):,} inputs, {crashes} crashes", flush=True)
    results = {n: _merge(n, rs, last[n] - first[n]) for n, rs in by_target.items()}
    document = {
        "what": "seeded structure-aware fuzzing of the SNMP, IPP and upload decoders",
        "machine": {"python": platform.python_version(), "cpus_used": args.jobs},
        "inputs_per_target": args.inputs,
        "seed": args.seed,
        "total_wall_seconds": round(time.perf_counter() - started, 1),
        "targets": results,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    crashes = sum(r["unexpected_exceptions"] for r in results.values())
    print(f"wrote {args.out}; {crashes} unexpected exceptions")
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
