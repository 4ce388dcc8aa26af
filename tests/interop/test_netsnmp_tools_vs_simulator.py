"""Net-SNMP's command-line tools against PrintScout's simulator, and our engine against snmpsim."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from printscout.collector.reader import Reader
from printscout.domain.reading import Reading
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.usm_crypto import (
    AuthProtocol,
    parse_auth_protocol,
    parse_priv_protocol,
)
from printscout.protocols.snmp.v3 import UsmUser
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import DEFAULT_USERS, start_fleet
from tests.support.agents import USM_USERS, SnmpsimFactory, net_snmp_env

pytestmark = pytest.mark.interop

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "librenms"
PORT = 17261
ADDRESS = "127.79.0.1"


async def _tool(*argv: str) -> str:
    with tempfile.TemporaryDirectory() as state:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=net_snmp_env(Path(state)),
        )
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return out.decode()


def _serve_and_run(*argv: str) -> str:
    async def run() -> str:
        fleet = await start_fleet([SHARED / "sharp.snmprec"], [ADDRESS], port=PORT)
        try:
            return await _tool(*argv)
        finally:
            fleet.close()

    return asyncio.run(run())


AGENT = f"{ADDRESS}:{PORT}"
SUPPLY_DESCR = "1.3.6.1.2.1.43.11.1.1.6"


@pytest.mark.parametrize("version", ["1", "2c"])
def test_it_answers_snmpget(version: str) -> None:
    out = _serve_and_run(
        "snmpget", f"-v{version}", "-c", "public", "-On", AGENT, "1.3.6.1.2.1.1.1.0"
    )
    assert "SHARP MX-3570N" in out


def test_it_answers_snmpbulkwalk_with_the_whole_supply_table() -> None:
    out = _serve_and_run(
        "snmpbulkwalk", "-v2c", "-c", "public", "-On", "-Cr25", AGENT, SUPPLY_DESCR
    )
    lines = [line for line in out.splitlines() if line.startswith(f".{SUPPLY_DESCR}.")]
    recorded = [
        line
        for line in (SHARED / "sharp.snmprec").read_text().splitlines()
        if line.startswith(f"{SUPPLY_DESCR}.")
    ]
    assert len(lines) == len(recorded) > 5


def test_it_answers_snmpwalk_over_v1() -> None:
    out = _serve_and_run("snmpwalk", "-v1", "-c", "public", "-On", AGENT, SUPPLY_DESCR)
    assert out.count(f".{SUPPLY_DESCR}.") > 5


NET_SNMP_AUTH = {AuthProtocol.SHA: "SHA", AuthProtocol.SHA256: "SHA-256", AuthProtocol.MD5: "MD5"}


@pytest.mark.parametrize("user", DEFAULT_USERS, ids=[u.name for u in DEFAULT_USERS])
def test_it_answers_snmpget_over_v3(user: UsmUser) -> None:
    assert user.auth_protocol is not None
    args = ["-v3", "-u", user.name, "-a", NET_SNMP_AUTH[user.auth_protocol], "-A", user.auth_key]
    if user.priv_protocol is not None:
        args = [*args, "-l", "authPriv", "-x", "AES", "-X", user.priv_key]
    else:
        args = [*args, "-l", "authNoPriv"]
    out = _serve_and_run("snmpget", *args, "-On", AGENT, "1.3.6.1.2.1.1.1.0")
    assert "SHARP MX-3570N" in out


def test_our_engine_reads_snmpsim(snmpsim_factory: SnmpsimFactory) -> None:
    agent = snmpsim_factory([SHARED / "sharp.snmprec"])

    async def run() -> None:
        async with SnmpEngine() as engine:
            target = Target(agent.host, agent.port, version=pdus.V2C, community=b"sharp")
            reading = await Reader(Walker(engine)).read(target)
        assert reading.identity.manufacturer == "Sharp"
        assert reading.identity.serial == "6509415X00"
        assert len(reading.supplies) == 14
        assert reading.counters.total == 121104

    asyncio.run(run())


def test_our_engine_reads_snmpsim_over_v3_with_a_context(snmpsim_factory: SnmpsimFactory) -> None:
    """snmpsim selects the recording by SNMPv3 context name: the context must reach it."""
    user = USM_USERS[0]  # SHA / AES
    agent = snmpsim_factory([SHARED / "sharp.snmprec", SHARED / "brother.snmprec"], v3_user=user)

    async def read(context: str) -> Reading:
        ours = UsmUser(
            user.name, parse_auth_protocol(user.auth_protocol), user.auth_key,
            parse_priv_protocol(user.priv_protocol), user.priv_key, context=context,
        )  # fmt: skip
        async with SnmpEngine() as engine:
            target = Target(agent.host, agent.port, version=pdus.V3, user=ours)
            return await Reader(Walker(engine)).read(target)

    sharp = asyncio.run(read("sharp"))
    brother = asyncio.run(read("brother"))
    assert sharp.identity.manufacturer == "Sharp" and sharp.counters.total == 121104
    assert brother.identity.manufacturer == "Brother"
