"""Shared fixtures: real third-party SNMP agents on loopback (see tests/support/agents.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.agents import NetSnmpAgent, SnmpsimAgent, SnmpsimFactory, UsmUser


@pytest.fixture(scope="session")
def netsnmp_agent() -> Iterator[NetSnmpAgent]:
    """One Net-SNMP snmpd serving DEFAULT_PRINTER (v1, v2c `public`, v3 USM_USERS)."""
    with NetSnmpAgent() as agent:
        yield agent


@pytest.fixture
def snmpsim_factory() -> Iterator[SnmpsimFactory]:
    """Start snmpsim agents serving copies of .snmprec files; each is stopped after the test."""
    with ExitStack() as stack:

        def start(recordings: Sequence[Path], *, v3_user: UsmUser | None = None) -> SnmpsimAgent:
            return stack.enter_context(SnmpsimAgent(recordings, v3_user=v3_user))

        yield start
