"""Section (b): full printer polls per second and client CPU per poll against Net-SNMP snmpd.

snmpd (``tests.support.agents.NetSnmpAgent``, a colour printer with an 8-row supplies table)
runs in its own process; its CPU per poll is read from /proc and reported apart, since on two
cores the agent's own CPU caps the rate before a fast client does.
"""

from __future__ import annotations

from typing import Final

from bench.measure import Json, process_cpu, run_python, summary
from bench.peers import net_snmp_poll

CONCURRENCY: Final = (1, 16, 64)
STACKS: Final = ("printscout", "printscout-full", "printscout-cold", "pysnmp", "net-snmp-cli")
WORKLOADS: Final = {
    "printscout": "Reader.read as a collector polls: every 12th poll a full poll of every column"
    " (sizes known), routine polls in between read what changes (levels, counters, status,"
    " console, alerts) and reuse the full poll's static columns; each gives a complete Reading",
    "printscout-full": "Reader.read with a full poll every time: the scalars plus every column"
    " of the 10 table groups (system, devices, interfaces, localization, markers, supplies,"
    " colorants, inputs, console, alerts), normalized to a Reading",
    "printscout-cold": "as printscout-full, with every memo table emptied before each poll: the"
    " worst case of a device whose every answer changed since its last poll",
    "pysnmp": "v1arch get_cmd of 12 scalars + bulk_walk_cmd (max-repetitions 25) of"
    " prtMarkerSuppliesTable",
    "net-snmp-cli": "snmpget of 12 scalars + snmpbulkwalk -Cr25 1.3.6.1.2.1.43.11"
    " (2 processes per poll)",
}


def run_polls(runs: int, seconds: float) -> Json:
    """Measure each stack at each concurrency ``runs`` times, ``seconds`` each."""
    from tests.support.agents import NetSnmpAgent

    samples: dict[tuple[str, int], list[Json]] = {}
    with NetSnmpAgent() as agent:
        setup = {"agent": "Net-SNMP snmpd", "host": agent.host, "seconds_per_run": seconds}
        for concurrency in CONCURRENCY:
            for _ in range(runs):
                for stack in STACKS:
                    agent_cpu0 = process_cpu(agent.pid)
                    report = _poll(
                        stack, agent.host, agent.port, agent.cli_env, concurrency, seconds
                    )
                    report["agent_cpu_s"] = process_cpu(agent.pid) - agent_cpu0
                    samples.setdefault((stack, concurrency), []).append(report)
    out: Json = {"setup": {**setup, "runs": runs, "workloads": WORKLOADS}}
    for stack in STACKS:
        out[stack] = {str(c): _summarize(samples[stack, c]) for c in CONCURRENCY}
    return out


def _poll(
    stack: str, host: str, port: int, env: dict[str, str], concurrency: int, seconds: float
) -> Json:
    if stack == "net-snmp-cli":
        return net_snmp_poll(f"{host}:{port}", env, concurrency, seconds)
    args = ["--host", host, "--port", str(port), "--concurrency", str(concurrency)]
    _run, report = run_python("bench.pollers", stack, *args, "--seconds", str(seconds))
    return report


def _summarize(samples: list[Json]) -> Json:
    """Fold runs at one concurrency into figures with units."""
    out: Json = {
        "polls": [s["polls"] for s in samples],
        "polls_per_s": summary([s["polls"] / s["wall_s"] for s in samples], "polls/s", 1),
        "client_cpu_ms_per_poll": summary(
            [1000 * s["cpu_s"] / s["polls"] for s in samples], "ms", 3
        ),
        "agent_cpu_ms_per_poll": summary(
            [1000 * s["agent_cpu_s"] / s["polls"] for s in samples], "ms", 3
        ),
    }
    if "traffic" in samples[-1]:
        traffic, polls = samples[-1]["traffic"], samples[-1]["polls"]
        out["bytes_per_poll"] = {
            "unit": "B (UDP payload)",
            "sent": round(traffic["sent_bytes"] / polls, 1),
            "received": round(traffic["received_bytes"] / polls, 1),
            "packets": round((traffic["sent_packets"] + traffic["received_packets"]) / polls, 2),
        }
    return out
