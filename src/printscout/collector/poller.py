"""Discover and poll the ranges the server assigned: sweep, full first read, routine polls of the
devices found, with the credentials that answered remembered per address."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from printscout.collector.discovery import lean_sweep
from printscout.collector.reader import Reader
from printscout.collector.targets import expand, parse_targets
from printscout.domain.control import RangeConfig
from printscout.domain.errors import PrintScoutError
from printscout.domain.wire import ObservedReading, reading_to_wire
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.usm_crypto import parse_auth_protocol, parse_priv_protocol
from printscout.protocols.snmp.walk import Walker

log = logging.getLogger("printscout.collector")
MAX_PARALLEL_READS = 64


@dataclass(frozen=True, slots=True)
class CycleStats:
    """One discovery or poll cycle: devices tried, readings made, time and SNMP bytes."""

    kind: str  # "discovery" or "poll"
    devices: int
    read: int
    seconds: float
    sent_bytes: int
    received_bytes: int

    @property
    def failed(self) -> int:
        """Devices that gave no reading this cycle."""
        return self.devices - self.read

    def describe(self) -> str:
        """One log line, stable enough for bench/load.py to parse."""
        return (
            f"{self.kind} cycle: {self.devices} devices, {self.read} read, {self.failed} failed, "
            f"{self.seconds:.3f} s, SNMP {self.sent_bytes} B sent, {self.received_bytes} B received"
        )


def credentials_of(config: RangeConfig, timeout: float, retries: int) -> list[Target]:
    """Credential templates for a range: SNMPv3 users first, then the communities."""
    base: dict[str, Any] = {"port": config.port, "timeout": timeout, "retries": retries}
    found = []
    for user in config.credentials.v3:
        auth = parse_auth_protocol(user.auth_protocol or "SHA") if user.auth_key else None
        priv = parse_priv_protocol(user.priv_protocol or "AES") if user.priv_key and auth else None
        usm = v3.UsmUser(
            user.user, auth, user.auth_key or "", priv, user.priv_key or "", context=user.context
        )
        found.append(Target("", version=pdus.V3, user=usm, **base))
    communities = config.credentials.communities or ([] if found else ["public"])
    found += [Target("", community=c.encode(), **base) for c in communities]
    return found


class Poller:
    """Finds devices in the ranges and reads them; remembers each device's working target."""

    def __init__(self, engine: SnmpEngine, timeout: float = 1.0, retries: int = 1) -> None:
        self._engine = engine
        self._reader = Reader(Walker(engine))
        self._timeout, self._retries = timeout, retries
        self.targets: dict[str, Target] = {}
        self._limit = asyncio.Semaphore(MAX_PARALLEL_READS)
        self.last_cycle: CycleStats | None = None

    async def discover(self, ranges: Sequence[RangeConfig]) -> list[ObservedReading]:
        """Sweep every range; read each responder fully (each stamped when its read ended)."""
        started = self._started()
        readings: list[ObservedReading] = []
        devices = 0
        for config in ranges:
            try:
                addresses = list(expand(parse_targets(config.targets)))
            except PrintScoutError as exc:
                log.warning("range skipped", extra={"targets": config.targets, "error": str(exc)})
                continue
            credentials = credentials_of(config, self._timeout, self._retries)
            reads = []
            # Lean: the traffic budget of docs/security.md assumes one knock per empty address.
            async for found in lean_sweep(self._engine, addresses, credentials):
                self.targets[found.target.host] = found.target
                reads.append(asyncio.ensure_future(self._read(found.target, found.scalars)))
            readings += [r for r in await asyncio.gather(*reads) if r is not None]
            devices += len(reads)
        self._finished("discovery", started, devices, len(readings))
        return readings

    async def poll(self) -> list[ObservedReading]:
        """Read every known device (the reader decides what is static and what changes); each
        reading is stamped when its own read ended, not when the whole cycle did."""
        started = self._started()
        reads = [self._read(t) for t in list(self.targets.values())]
        readings = [r for r in await asyncio.gather(*reads) if r is not None]
        self._finished("poll", started, len(reads), len(readings))
        return readings

    def _started(self) -> tuple[float, int, int]:
        traffic = self._engine.traffic
        return time.monotonic(), traffic.sent_bytes, traffic.received_bytes

    def _finished(
        self, kind: str, started: tuple[float, int, int], devices: int, read: int
    ) -> None:
        at, sent, received = started
        traffic = self._engine.traffic
        self.last_cycle = CycleStats(
            kind, devices, read, time.monotonic() - at,
            traffic.sent_bytes - sent, traffic.received_bytes - received,
        )  # fmt: skip

    async def _read(self, target: Target, known: Any = None) -> ObservedReading | None:
        async with self._limit:
            try:
                reading = await self._reader.read(target, known)
            except PrintScoutError as exc:
                log.info("read failed", extra={"address": target.host, "error": str(exc)})
                return None
            return ObservedReading(datetime.now(UTC), reading)


def encode_readings(
    readings: Sequence[ObservedReading], mask_salt: bytes | None = None
) -> list[bytes]:
    """Readings as ``printscout.batch/1`` reading objects; with ``mask_salt`` the addresses are
    replaced by stable pseudonyms before they are stored (so they never leave the site)."""
    out = []
    for observed in readings:
        wire = reading_to_wire(observed)
        if mask_salt is not None:
            wire["address"] = mask_address(wire["address"], mask_salt)
            wire["addresses"] = [mask_address(a, mask_salt) for a in wire["addresses"]]
        out.append(orjson.dumps(wire))
    return out


def mask_address(address: str, salt: bytes) -> str:
    """A stable pseudonym of an address (keyed hash: the same device keeps the same name)."""
    return "masked-" + hashlib.blake2s(address.encode(), key=salt[:32], digest_size=6).hexdigest()
