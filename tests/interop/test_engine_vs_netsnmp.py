"""PrintScout's engine and reader against Net-SNMP's snmpd: v1, v2c and v3 authPriv."""

from __future__ import annotations

import asyncio

import pytest

from printscout.collector.reader import Reader
from printscout.domain.errors import SnmpAuthError, SnmpTimeout
from printscout.domain.reading import Reading, SupplyState
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.usm_crypto import parse_auth_protocol, parse_priv_protocol
from printscout.protocols.snmp.walk import Walker
from tests.support.agents import DEFAULT_PRINTER, USM_USERS, NetSnmpAgent, UsmUser

pytestmark = pytest.mark.interop


def _user(user: UsmUser) -> v3.UsmUser:
    return v3.UsmUser(
        user.name,
        parse_auth_protocol(user.auth_protocol),
        user.auth_key,
        parse_priv_protocol(user.priv_protocol),
        user.priv_key,
    )


async def _read(target: Target) -> Reading:
    async with SnmpEngine() as engine:
        return await Reader(Walker(engine)).read(target)


def _assert_default_printer(reading: Reading) -> None:
    spec = DEFAULT_PRINTER
    ident = reading.identity
    assert ident.sys_descr == spec.sys_descr
    assert ident.sys_object_id == spec.sys_object_id
    assert ident.hostname == spec.sys_name
    assert ident.location == spec.sys_location
    assert ident.serial == spec.serial_number
    assert ident.model == spec.device_descr or ident.model is not None
    assert reading.kind.value == "printer"
    assert reading.status.device == "warning"
    assert reading.status.printer == "idle"
    assert reading.status.errors == ("low_toner",)
    assert reading.status.display == spec.console_lines
    assert reading.counters.total == spec.life_count
    assert [s.index for s in reading.supplies] == [s.index for s in spec.supplies]
    by_index = {s.index: s for s in reading.supplies}
    for served in spec.supplies:
        got = by_index[served.index]
        assert got.description == served.description
        assert got.level == served.level
        assert got.max_capacity == served.max_capacity
    assert by_index[1].color == "black" and by_index[1].level_percent == 80
    assert by_index[4].color == "yellow" and by_index[4].state is SupplyState.LOW
    assert by_index[5].level_percent == round(100 * 41000 / 60000)
    assert by_index[6].state is SupplyState.SOME_REMAINING and by_index[6].level_percent is None
    assert by_index[8].state is SupplyState.UNKNOWN and by_index[8].level_percent is None
    assert [(t.name, t.level, t.max_capacity) for t in reading.trays] == [
        (t.name, t.current_level, t.max_capacity) for t in spec.trays
    ]


@pytest.mark.parametrize("version", [pdus.V1, pdus.V2C])
def test_it_reads_the_printer_over_community_versions(
    netsnmp_agent: NetSnmpAgent, version: int
) -> None:
    target = Target(netsnmp_agent.host, netsnmp_agent.port, version=version)
    _assert_default_printer(asyncio.run(_read(target)))


@pytest.mark.parametrize("user", USM_USERS, ids=[u.name for u in USM_USERS])
def test_it_reads_the_printer_over_v3_auth_priv(netsnmp_agent: NetSnmpAgent, user: UsmUser) -> None:
    target = Target(netsnmp_agent.host, netsnmp_agent.port, version=pdus.V3, user=_user(user))
    _assert_default_printer(asyncio.run(_read(target)))


def test_it_refuses_a_wrong_auth_key(netsnmp_agent: NetSnmpAgent) -> None:
    good = _user(USM_USERS[0])
    bad = v3.UsmUser(good.name, good.auth_protocol, "wrong-key-000", good.priv_protocol, "x" * 8)
    target = Target(netsnmp_agent.host, netsnmp_agent.port, version=pdus.V3, user=bad, timeout=0.3)

    async def run() -> None:
        async with SnmpEngine() as engine:
            await engine.get(target, [(1, 3, 6, 1, 2, 1, 1, 1, 0)])

    # Net-SNMP answers a wrong digest with a usmStatsWrongDigests report (or stays silent)
    with pytest.raises((SnmpAuthError, SnmpTimeout)):
        asyncio.run(run())


def test_it_walks_with_getnext_when_told_bulk_is_broken(netsnmp_agent: NetSnmpAgent) -> None:
    target = Target(netsnmp_agent.host, netsnmp_agent.port)

    async def run() -> Reading:
        async with SnmpEngine() as engine:
            walker = Walker(engine, no_bulk={target.address})
            return await Reader(walker).read(target)

    _assert_default_printer(asyncio.run(run()))
