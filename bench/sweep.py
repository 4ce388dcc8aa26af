"""Section (a): sweep 4,096 loopback addresses, 64 answering, the rest bound but silent.

PrintScout's ``sweep``, pysnmp (v1arch asyncio) and onesixtyone each run in their own child
process, interleaved run by run so that background load hits them alike. The simulator runs in
a separate process that is never waited for during a run, so its CPU is not counted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from bench.measure import BIN, Json, Simulator, addresses, run_child, run_python, summary
from bench.peers import onesixtyone_sweep

# The simulator binds the first 64 + 4,032 host addresses of this network: 127.78.0.1 to
# 127.78.16.0, which is 4,096 addresses (a /20's worth; a /20 itself has only 4,094 hosts).
NETWORK: Final = "127.78.0.0/19"
FIRST: Final = "127.78.0.1"
COUNT: Final = 4096
ANSWERING: Final = 64
PORT: Final = 16300
TIMEOUT_S: Final = 1.0
RETRIES: Final = 1


def run_sweeps(recording: Path, runs: int) -> Json:
    """Measure every scanner ``runs`` times against one simulated /20; run the CLI once."""
    hosts = addresses(FIRST, COUNT)
    samples: dict[str, list[Json]] = {"printscout": [], "pysnmp": [], "onesixtyone": []}
    with Simulator([recording], NETWORK, ANSWERING, COUNT - ANSWERING, PORT):
        for _ in range(runs):
            for stack in ("printscout", "pysnmp"):
                samples[stack].append(_python_sweep(stack))
            samples["onesixtyone"].append(_onesixtyone(hosts))
        cli = _cli_scan(hosts)
    out: Json = {
        "setup": {
            "addresses": COUNT, "first": FIRST, "last": hosts[-1], "answering": ANSWERING,
            "silent": COUNT - ANSWERING, "port": PORT, "timeout_s": TIMEOUT_S,
            "retries": RETRIES, "recording": recording.name, "runs": runs,
            "probe": "GET sysObjectID.0 + sysDescr.0 (onesixtyone: GET sysDescr.0, no retry)",
        },
    }  # fmt: skip
    for stack, runs_of in samples.items():
        out[stack] = _summarize(runs_of)
    out["printscout"]["traffic"] = samples["printscout"][-1]["traffic"]
    out["printscout_cli"] = cli
    return out


def _python_sweep(stack: str) -> Json:
    args = ["--first", FIRST, "--count", str(COUNT), "--port", str(PORT)]
    args += ["--timeout", str(TIMEOUT_S), "--retries", str(RETRIES)]
    run, report = run_python("bench.sweepers", stack, *args)
    report["process_wall_s"], report["process_cpu_s"] = run.wall_s, run.cpu_s
    return report


def _onesixtyone(hosts: list[str]) -> Json:
    run, found = onesixtyone_sweep(hosts, PORT)
    return {
        "found": found, "wall_s": run.wall_s, "cpu_s": run.cpu_s,
        "process_wall_s": run.wall_s, "process_cpu_s": run.cpu_s,
    }  # fmt: skip


def _cli_scan(hosts: list[str]) -> Json:
    """``printscout scan FIRST-LAST --json``: the sweep plus a full read of each responder."""
    argv = [str(BIN / "printscout"), "scan", f"{hosts[0]}-{hosts[-1]}", "--port", str(PORT)]
    argv += ["--timeout", str(TIMEOUT_S), "--retries", str(RETRIES), "--json"]
    run = run_child(argv)
    readings = sum(1 for line in run.stdout.splitlines() if line.startswith("{"))
    return {
        "command": " ".join(["printscout", *argv[1:]]),
        "readings": readings,
        "process_wall_s": summary([run.wall_s], "s"),
        "process_cpu_s": summary([run.cpu_s], "s"),
    }


def _summarize(samples: list[Json]) -> Json:
    """Fold one stack's runs into figures with units."""
    return {
        "found": [s["found"] for s in samples],
        "wall_s": summary([s["wall_s"] for s in samples], "s"),
        "cpu_s": summary([s["cpu_s"] for s in samples], "s"),
        "process_wall_s": summary([s["process_wall_s"] for s in samples], "s"),
        "process_cpu_s": summary([s["process_cpu_s"] for s in samples], "s"),
    }
