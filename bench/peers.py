"""The peers PrintScout is measured against that are not Python: onesixtyone and Net-SNMP's CLI.

pysnmp runs through :mod:`bench.sweepers` and :mod:`bench.pollers` like PrintScout does.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from bench.measure import ChildRun, Json, children_cpu, run_child
from bench.pollers import BULK_REPETITIONS, POLL_SCALARS, SUPPLIES_TABLE

ONESIXTYONE: Final = "/usr/bin/onesixtyone"
SNMPGET: Final = "/usr/bin/snmpget"
SNMPBULKWALK: Final = "/usr/bin/snmpbulkwalk"


def onesixtyone_sweep(hosts: list[str], port: int) -> tuple[ChildRun, int]:
    """Sweep ``hosts`` with onesixtyone (no wait between packets, one community, no retries).

    Returns the run and the number of responders it printed.
    """
    with tempfile.TemporaryDirectory(prefix="printscout-bench-") as tmp:
        host_file, community_file = Path(tmp, "hosts"), Path(tmp, "communities")
        host_file.write_text("\n".join(hosts) + "\n")
        community_file.write_text("public\n")
        run = run_child(
            [ONESIXTYONE, "-w", "0", "-p", str(port), "-c", str(community_file),
             "-i", str(host_file)]
        )  # fmt: skip
    found = sum(1 for line in run.stdout.splitlines() if "[public]" in line)
    return run, found


def net_snmp_poll(target: str, env: dict[str, str], concurrency: int, seconds: float) -> Json:
    """Poll with Net-SNMP processes: ``snmpget`` of 12 scalars + ``snmpbulkwalk -Cr25``.

    ``concurrency`` threads each run one poll (two processes) after another until ``seconds``
    have passed. CPU is the processes' own, from RUSAGE_CHILDREN.
    """
    common = ["-v2c", "-c", "public", "-t", "1", "-r", "1", "-On"]
    get = [SNMPGET, *common, target, *POLL_SCALARS]
    walk = [SNMPBULKWALK, *common, f"-Cr{BULK_REPETITIONS}", target, SUPPLIES_TABLE]
    deadline = time.perf_counter() + seconds
    counted = [0]
    lock = threading.Lock()

    def worker() -> None:
        while time.perf_counter() < deadline:
            for argv in (get, walk):
                subprocess.run(argv, env=env, capture_output=True, check=True)
            with lock:
                counted[0] += 1

    cpu0, wall0 = children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    wall, cpu = time.perf_counter() - wall0, children_cpu() - cpu0
    return {"polls": counted[0], "wall_s": wall, "cpu_s": cpu}


def _debian_version(package: str) -> str:
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() or "not installed"


def machine_facts() -> Json:
    """What the figures depend on: cores, CPU, kernel and the versions of every stack."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            "printscout": importlib.metadata.version("printscout"),
            "pysnmp": importlib.metadata.version("pysnmp"),
            "net-snmp (Debian snmp)": _debian_version("snmp"),
            "net-snmp (Debian snmpd)": _debian_version("snmpd"),
            "onesixtyone (Debian)": _debian_version("onesixtyone"),
        },
    }
