"""The agent harness itself, checked with the Net-SNMP command-line tools only."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from tests.support.agents import (
    DEFAULT_PRINTER,
    USM_USERS,
    AgentError,
    MibObject,
    NetSnmpAgent,
    SnmpsimFactory,
    UsmUser,
)

FIXTURES = Path("/work/shared/fixtures/librenms")
SUPPLIES = "1.3.6.1.2.1.43.11.1.1"
SYS_DESCR_0 = "1.3.6.1.2.1.1.1.0"
LIFE_COUNT = "1.3.6.1.2.1.43.10.2.1.4.1.1"

# Net-SNMP's printed type → our MibObject kind.
KINDS = {
    "INTEGER": "integer",
    "Gauge32": "uinteger",
    "Counter32": "counter",
    "OID": "object_id",
    "Hex-STRING": "octet_str",
    "STRING": "octet_str",
    "": "timeticks",  # -Ot prints TimeTicks as a bare number
}


def run_tool(tool: str, args: list[str], env: dict[str, str]) -> str:
    """Run a Net-SNMP tool with numeric OIDs and hex strings; return its stdout."""
    argv = [tool, "-On", "-Ox", "-Ot", "-t", "2", "-r", "1", *args]
    done = subprocess.run(argv, check=False, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def parse(output: str) -> list[MibObject]:
    """Turn `-On -Ox -Ot` output into MibObjects, joining wrapped hex lines."""
    records: list[str] = []
    for line in output.splitlines():
        if line.startswith("."):
            records.append(line)
        elif records:
            records[-1] += " " + line
    objects = []
    for record in records:
        oid, _, shown = record[1:].partition(" = ")
        if shown == '""':
            objects.append(MibObject(oid, "octet_str", b""))
            continue
        kind, sep, text = shown.partition(": ")
        if not sep:
            kind, text = "", shown
        value: int | bytes | str
        if kind == "Hex-STRING":
            value = bytes.fromhex(text)
        elif kind == "STRING":
            value = text.strip('"').encode()
        elif kind == "OID":
            value = text.lstrip(".")
        else:
            value = int(text)
        objects.append(MibObject(oid, KINDS[kind], value))  # type: ignore[arg-type]
    return objects


def recorded_value(recording: Path, oid: str) -> bytes:
    """Return an OCTET STRING value from a .snmprec file (type 4 text or 4x hex)."""
    for line in recording.read_text(errors="replace").splitlines():
        rec_oid, rec_type, value = line.split("|", 2)
        if rec_oid == oid:
            return bytes.fromhex(value) if rec_type == "4x" else value.encode()
    raise AssertionError(f"{oid} not in {recording}")


def test_it_serves_the_supplies_table(netsnmp_agent: NetSnmpAgent) -> None:
    walked = parse(
        run_tool(
            "snmpbulkwalk", ["-v2c", "-c", "public", netsnmp_agent.target, SUPPLIES],
            netsnmp_agent.cli_env,
        )
    )  # fmt: skip

    assert walked == list(DEFAULT_PRINTER.objects(SUPPLIES))
    values = {obj.oid: obj.value for obj in walked}
    for supply in DEFAULT_PRINTER.supplies:
        row = f"1.{supply.index}"
        assert values[f"{SUPPLIES}.6.{row}"] == supply.description.encode()
        assert values[f"{SUPPLIES}.8.{row}"] == supply.max_capacity
        assert values[f"{SUPPLIES}.9.{row}"] == supply.level
        assert values[f"{SUPPLIES}.3.{row}"] == supply.colorant_index
    assert len(walked) == 8 * 8


def test_it_serves_every_object_in_oid_order(netsnmp_agent: NetSnmpAgent) -> None:
    walked = parse(
        run_tool(
            "snmpbulkwalk", ["-v2c", "-Cc", "-c", "public", netsnmp_agent.target, "1.3.6.1.2.1"],
            netsnmp_agent.cli_env,
        )
    )  # fmt: skip

    keys = [obj.key for obj in walked]
    assert keys == sorted(set(keys))
    served = {obj.oid: obj for obj in walked}
    for expected in DEFAULT_PRINTER.objects():
        assert served[expected.oid] == expected
    # Host Resources modules are off: index 1 is the only device, so the printer stays coherent.
    assert [oid for oid in served if oid.startswith("1.3.6.1.2.1.25.")] == [
        obj.oid for obj in DEFAULT_PRINTER.objects("1.3.6.1.2.1.25")
    ]


@pytest.mark.parametrize("root", ["1.3.6.1.2.1.25", "1.3.6.1.2.1.43"])
def test_it_walks_the_printer_with_getnext(netsnmp_agent: NetSnmpAgent, root: str) -> None:
    walked = parse(
        run_tool(
            "snmpwalk", ["-v2c", "-c", "public", netsnmp_agent.target, root],
            netsnmp_agent.cli_env,
        )
    )  # fmt: skip

    assert walked == list(DEFAULT_PRINTER.objects(root))


def test_it_answers_snmpv1(netsnmp_agent: NetSnmpAgent) -> None:
    got = parse(
        run_tool(
            "snmpget", ["-v1", "-c", "public", netsnmp_agent.target, LIFE_COUNT],
            netsnmp_agent.cli_env,
        )
    )  # fmt: skip

    assert got == [MibObject(LIFE_COUNT, "counter", DEFAULT_PRINTER.life_count)]


@pytest.mark.parametrize("user", USM_USERS, ids=lambda user: user.name)
def test_it_answers_each_v3_user_at_auth_priv(netsnmp_agent: NetSnmpAgent, user: UsmUser) -> None:
    got = parse(
        run_tool(
            "snmpget", [*user.cli_args(), netsnmp_agent.target, SYS_DESCR_0, LIFE_COUNT],
            netsnmp_agent.cli_env,
        )
    )  # fmt: skip

    assert got == list(DEFAULT_PRINTER.objects(SYS_DESCR_0) + DEFAULT_PRINTER.objects(LIFE_COUNT))


def test_it_rejects_a_wrong_v3_key(netsnmp_agent: NetSnmpAgent) -> None:
    args = USM_USERS[0].cli_args()
    args[args.index("-A") + 1] = "wrong-key-1234"
    argv = ["snmpget", "-t", "0.5", "-r", "0", *args, netsnmp_agent.target, SYS_DESCR_0]

    done = subprocess.run(
        argv, check=False, env=netsnmp_agent.cli_env, capture_output=True, text=True
    )

    assert done.returncode != 0
    assert "Authentication failure" in done.stderr


def test_it_refuses_non_loopback_addresses() -> None:
    with pytest.raises(ValueError, match="127"):
        NetSnmpAgent(host="192.0.2.1")


def test_it_reports_an_agent_that_cannot_start() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        agent = NetSnmpAgent(port=taken.getsockname()[1])

        with pytest.raises(AgentError, match="snmpd exited"):
            agent.start()


def test_it_serves_a_shared_recording_with_snmpsim(snmpsim_factory: SnmpsimFactory) -> None:
    recording = FIXTURES / "xerox.snmprec"

    agent = snmpsim_factory([recording, FIXTURES / "brother.snmprec"])
    got = parse(
        run_tool("snmpget", ["-v2c", "-c", "xerox", agent.target, SYS_DESCR_0], agent.cli_env)
    )

    assert got == [MibObject(SYS_DESCR_0, "octet_str", recorded_value(recording, SYS_DESCR_0))]
    assert agent.data_dir != FIXTURES and (agent.data_dir / recording.name).exists()


def test_it_serves_a_recording_over_v3_with_snmpsim(snmpsim_factory: SnmpsimFactory) -> None:
    recording = FIXTURES / "brother.snmprec"
    user = USM_USERS[0]

    agent = snmpsim_factory([recording], v3_user=user)
    args = [*user.cli_args(), "-n", "brother", agent.target, SYS_DESCR_0]
    got = parse(run_tool("snmpget", args, agent.cli_env))

    assert got == [MibObject(SYS_DESCR_0, "octet_str", recorded_value(recording, SYS_DESCR_0))]
