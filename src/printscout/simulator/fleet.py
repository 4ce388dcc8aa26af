"""Serving many simulated printers at once, one UDP socket per loopback address.

Silent hosts are bound and never read, so a sweep waits for them exactly as it would on a real
network (an unbound loopback port would answer at once with ICMP port-unreachable).
"""

from __future__ import annotations

import asyncio
import ipaddress
import resource
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from printscout.protocols.snmp import v3
from printscout.protocols.snmp.usm_crypto import AuthProtocol, PrivProtocol
from printscout.simulator.agent import Agent
from printscout.simulator.device import Fault, SimPrinter
from printscout.simulator.snmprec import Recording, load_recording

DEFAULT_USERS = (
    v3.UsmUser(
        "printscout", AuthProtocol.SHA, "auth-secret-1", PrivProtocol.AES128, "priv-secret-1"
    ),
    v3.UsmUser(
        "printscout-sha256",
        AuthProtocol.SHA256,
        "auth-secret-2",
        PrivProtocol.AES128,
        "priv-secret-2",
    ),
    v3.UsmUser("printscout-auth", AuthProtocol.SHA, "auth-secret-3"),
)


def raise_open_file_limit(wanted: int) -> int:
    """Raise RLIMIT_NOFILE towards ``wanted`` (up to the hard limit); return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = max(soft, min(wanted, hard if hard != resource.RLIM_INFINITY else wanted))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def loopback_addresses(network: str, count: int, skip: int = 1) -> list[str]:
    """``count`` host addresses of a 127.0.0.0/8 network (refuses anything else)."""
    net = ipaddress.ip_network(network, strict=False)
    if not net.subnet_of(ipaddress.ip_network("127.0.0.0/8")):  # type: ignore[arg-type]
        raise ValueError(f"the simulator only binds loopback addresses, not {network}")
    hosts = (str(a) for i, a in enumerate(net.hosts()) if i >= skip - 1)
    out = [a for _, a in zip(range(count), hosts, strict=False)]
    if len(out) < count:
        raise ValueError(f"{network} has fewer than {count} addresses")
    return out


class _PrinterProtocol(asyncio.DatagramProtocol):
    def __init__(self, fleet: Fleet, printer: SimPrinter) -> None:
        self.fleet = fleet
        self.printer = printer
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.fleet.requests += 1
        reply = self.fleet.agent.handle(self.printer, data)
        if reply is None or self.transport is None:
            return
        if reply.delay > 0:
            loop = asyncio.get_running_loop()
            loop.call_later(reply.delay, self._send, reply.datagrams(), addr)
        else:
            self._send(reply.datagrams(), addr)

    def _send(self, datagrams: list[bytes], addr: tuple[str | object, ...]) -> None:
        for data in datagrams:
            if self.transport is not None and not self.transport.is_closing():
                self.transport.sendto(data, addr)


@dataclass
class Fleet:
    """A running simulated fleet: printers by address, plus bound-but-silent hosts."""

    agent: Agent
    port: int = 161
    printers: dict[str, SimPrinter] = field(default_factory=dict)
    requests: int = 0
    _transports: list[asyncio.DatagramTransport] = field(default_factory=list)
    _silent: list[socket.socket] = field(default_factory=list)

    async def add(self, printer: SimPrinter) -> None:
        """Start answering for one printer."""
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((printer.address, self.port))
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _PrinterProtocol(self, printer), sock=sock
        )
        self._transports.append(transport)
        self.printers[printer.address] = printer

    def add_silent(self, addresses: Iterable[str]) -> None:
        """Bind sockets that never answer (hosts that drop SNMP)."""
        for address in addresses:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, self.port))
            self._silent.append(sock)

    def close(self) -> None:
        """Stop every printer and release every socket."""
        for transport in self._transports:
            transport.close()
        for sock in self._silent:
            sock.close()
        self._transports.clear()
        self._silent.clear()

    async def __aenter__(self) -> Fleet:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


async def start_fleet(
    recordings: Sequence[Recording | Path],
    addresses: Sequence[str],
    *,
    port: int = 161,
    communities: tuple[bytes, ...] = (b"public",),
    users: tuple[v3.UsmUser, ...] = DEFAULT_USERS,
    faults: dict[str, set[Fault]] | None = None,
    speed: float = 1.0,
    silent: Iterable[str] = (),
    personalize: bool = True,
) -> Fleet:
    """Serve ``addresses`` round-robin from ``recordings`` and bind the ``silent`` ones.

    With ``personalize`` each printer gets its own serial, MAC and name (so a fleet built from
    a few recordings still holds distinct devices); ``speed`` 0 freezes counters and levels.
    """
    silent = list(silent)
    raise_open_file_limit(len(addresses) + len(silent) + 256)
    loaded = [r if isinstance(r, Recording) else load_recording(r) for r in recordings]
    if not loaded:
        raise ValueError("no recordings to serve")
    fleet = Fleet(Agent(communities, users), port)
    try:
        for n, address in enumerate(addresses):
            printer = SimPrinter(
                address,
                loaded[n % len(loaded)],
                speed=speed,
                faults=set((faults or {}).get(address, set())),
                personalize=personalize,
            )
            await fleet.add(printer)
        fleet.add_silent(silent)
    except BaseException:
        fleet.close()
        raise
    return fleet
