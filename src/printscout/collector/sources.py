"""Sources beyond SNMP: IPP for printers whose SNMP is off or thin, HP LEDM pages for HP.

SNMP stays the primary source; the others only fill what it left empty
(:func:`~printscout.collector.merge.merge_readings`, :func:`~printscout.collector.ews_source.
apply_ledm`). A source that fails is skipped with a warning: a printer that answered SNMP is
never lost because its web server is down.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from printscout.collector.ews_source import apply_ledm
from printscout.collector.ipp_source import read_ipp
from printscout.collector.merge import merge_readings
from printscout.domain.errors import PrintScoutError
from printscout.domain.reading import Reading
from printscout.protocols.ews.client import EwsSettings, LedmClient
from printscout.protocols.ipp.client import IppClient, IppSettings

log = logging.getLogger(__name__)
MAX_CONCURRENT: Final = 64


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """Which extra sources to use, and where they listen."""

    ipp: bool = False
    ipp_port: int = 631
    ipp_tls: bool = False
    ews: bool = False
    ews_port: int | None = None
    ews_tls: bool = False
    timeout: float = 3.0

    @property
    def any(self) -> bool:
        """Whether any extra source is on."""
        return self.ipp or self.ews


def is_thin(reading: Reading) -> bool:
    """An SNMP reading that lacks what IPP usually has: supplies or printer status."""
    return not reading.supplies or reading.status.printer is None


@dataclass
class Sources:
    """Clients for the extra sources, shared by every device of a scan."""

    settings: SourceSettings
    _ipp: IppClient | None = None
    _ews: LedmClient | None = None
    _slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT))

    async def __aenter__(self) -> Sources:
        s = self.settings
        if s.ipp:
            self._ipp = IppClient(IppSettings(timeout=s.timeout, deadline=4 * s.timeout))
        if s.ews:
            self._ews = LedmClient(EwsSettings(tls=s.ews_tls, port=s.ews_port, timeout=s.timeout))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in (self._ipp, self._ews):
            if client is not None:
                await client.aclose()

    async def enrich(self, reading: Reading) -> Reading:
        """Add LEDM data to an HP reading and IPP data to a thin one, as configured."""
        async with self._slots:
            if self._ews is not None and reading.identity.manufacturer == "HP":
                reading = await self._with_ledm(reading)
            if self._ipp is not None and is_thin(reading):
                extra = await self._read_ipp(reading.address)
                if extra is not None:
                    reading = merge_readings(reading, extra)
        return reading

    async def ipp_only(self, addresses: Iterable[str]) -> list[Reading]:
        """Printers that did not answer SNMP but answer IPP."""
        if self._ipp is None:
            return []

        async def one(address: str) -> Reading | None:
            async with self._slots:
                return await self._read_ipp(address)

        found = await asyncio.gather(*(one(a) for a in addresses))
        return [r for r in found if r is not None]

    async def _read_ipp(self, address: str) -> Reading | None:
        assert self._ipp is not None
        s = self.settings
        try:
            return await read_ipp(self._ipp, address, s.ipp_port, tls=s.ipp_tls)
        except PrintScoutError as exc:
            log.debug("no IPP from %s: %s", address, exc)
            return None

    async def _with_ledm(self, reading: Reading) -> Reading:
        assert self._ews is not None
        try:
            pages = await self._ews.read(reading.address)
        except PrintScoutError as exc:
            log.warning("HP LEDM pages of %s unreadable: %s", reading.address, exc)
            return reading
        if pages is None:
            return reading
        return apply_ledm(reading, pages.usage, pages.consumables, pages.product)
