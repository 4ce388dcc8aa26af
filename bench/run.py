"""Run the whole bench and write bench/results.json and docs/performance.md.

``python -m bench.run --out bench/results.json`` (what ``make bench`` runs). Sections: wire
(bytes), sweep (a /20 of loopback addresses) and poll (full polls against snmpd); each runs
PrintScout and its peers side by side in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path
from typing import Final

from bench.measure import ROOT, Json, raise_open_files
from bench.peers import machine_facts
from bench.poll import run_polls
from bench.report import evaluate, write_docs
from bench.sweep import run_sweeps
from bench.wire import COLOUR_CHOICES, pick_recording, run_wire

SECTIONS: Final = ("wire", "sweep", "poll")
PREAMBLE: Final = """# Performance

How fast PrintScout sweeps and polls, what it costs in CPU and bytes, and how it compares with
pysnmp, onesixtyone and Net-SNMP's command-line tools measured in the same run, on loopback.

## Reproduce

```
make bench            # = .venv/bin/python -m bench.run --out bench/results.json
.venv/bin/python -m bench.run --out /tmp/r.json --docs /tmp/p.md --sections wire --runs 1
.venv/bin/python -m bench.run --out /tmp/r.json --docs /tmp/p.md --sections poll   # ~3 min
```

`make bench` installs Net-SNMP (`snmp`, `snmpd`) and `onesixtyone` from Debian if they are
missing. It needs nothing off the machine: every agent binds to 127.0.0.0/8 (the simulator uses
127.78.0.0/19, 127.79.0.0/24 and 127.80.0.0/24, ports 16300–16301), takes about four minutes
and rewrites the block below plus `bench/results.json` (every figure with its unit and runs).

## Method

- Every scanner and poller is a child process; the simulator and snmpd run in processes of
  their own and are not counted. *Process* CPU and wall come from `getrusage(RUSAGE_CHILDREN)`
  and include the interpreter start and imports (about 0.1 CPU-s and 0.15 s for PrintScout);
  *sweep* figures and per-poll CPU are taken inside the child around the work
  (`time.process_time()`), and the targets are judged on those.
- Silent addresses are bound and never answer, as on a real network (an unbound loopback port
  answers at once with ICMP port-unreachable). `printscout simulate` binds the first N host
  addresses of its network, so the sweep covers 127.78.0.1–127.78.16.0: 4,096 addresses, the
  first 64 answering (a /20 itself has only 4,094 host addresses).
- onesixtyone never retries and always waits a fixed 5 s after its last packet (it takes 5.0 s
  for two addresses too), so its wall time says nothing about its sending speed.
- The poll workloads differ: PrintScout's is a full read (scalars plus nine table groups,
  normalized), the peers' the classic 12-scalar GET plus a supplies-table bulk walk. pysnmp and
  the Net-SNMP tools would cost more, not less, doing PrintScout's full read.
- The machine has 2 cores and colleagues' test runs may share it: figures are min / median of
  3 runs, the scanners interleaved run by run. snmpd's own CPU and that contention cap the poll
  rate, so client CPU per poll is the figure to compare, not polls/s.

## Results
"""


def source_facts() -> str:
    """The commit measured, plus a digest of uncommitted changes under src/ (if any)."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return proc.stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changes = git("diff", "HEAD", "--", "src") + git(
        "ls-files", "--others", "--exclude-standard", "--", "src"
    )
    if not changes:
        return f"commit {commit}"
    digest = hashlib.sha256(changes.encode()).hexdigest()[:10]
    return f"commit {commit} + uncommitted changes under src/ (digest {digest})"


def main() -> None:
    """Run the chosen sections, then write the JSON results and the Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--docs", default=str(ROOT / "docs" / "performance.md"), help="'' writes no docs"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (min / median)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each poll run")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args()
    raise_open_files(8192)
    results: Json = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "source": source_facts(),
    }
    if "wire" in args.sections:
        print("wire: bytes per silent address, poll and /24 discovery", flush=True)
        results["wire"] = run_wire()
    if "sweep" in args.sections:
        print(f"sweep: 4,096 addresses x {args.runs} runs x 3 scanners", flush=True)
        results["sweep"] = run_sweeps(pick_recording(COLOUR_CHOICES), args.runs)
    if "poll" in args.sections:
        print(f"poll: 3 clients x 3 concurrencies x {args.runs} runs", flush=True)
        results["poll"] = run_polls(args.runs, args.seconds)
    results["source_at_end"] = source_facts()
    if results["source_at_end"] != results["source"]:
        print(f"warning: src/ changed during the run ({results['source_at_end']})", flush=True)
    results["targets"] = evaluate(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    if args.docs:
        write_docs(results, Path(args.docs), PREAMBLE)
    for row in results["targets"]:
        verdict = "pass" if row["pass"] else "FAIL"
        print(f"{verdict}: {row['target']} {row['measured']:g} {row['unit']} (<= {row['limit']:g})")


if __name__ == "__main__":
    main()
