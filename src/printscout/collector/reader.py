"""The poll plan: which SNMP requests make up a full read of one printer.

One GETNEXT fetches every scalar and the first row of single-row tables; the multi-row tables
are walked concurrently, each with as many GETBULK repetitions as the device had rows last
time (remembered per device), so that a routine poll wastes few bytes on overshoot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Final

from printscout.collector.normalize import RawReading, normalize
from printscout.domain.reading import Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value, VarBindException
from printscout.protocols.snmp.client import Target
from printscout.protocols.snmp.walk import Walker, WalkResult

# Scalars and first rows, read with one GETNEXT from each object's base.
FIRST_ROWS: Final[tuple[Oid, ...]] = (
    mibs.SYS_DESCR,
    mibs.SYS_OBJECT_ID,
    mibs.SYS_UPTIME,
    mibs.SYS_CONTACT,
    mibs.SYS_NAME,
    mibs.SYS_LOCATION,
    mibs.HR_PRINTER_STATUS,
    mibs.HR_PRINTER_ERROR_STATE,
    mibs.PRT_GENERAL_CURRENT_LOCALIZATION,
    mibs.PRT_CONSOLE_LOCALIZATION,
    mibs.PRT_GENERAL_SERIAL_NUMBER,
)


@dataclass(frozen=True, slots=True)
class TableGroup:
    """Columns walked together, and the row count to expect when nothing is remembered."""

    name: str
    columns: tuple[Oid, ...]
    expected_rows: int


TABLES: Final = (
    TableGroup("devices", (mibs.HR_DEVICE_TYPE, mibs.HR_DEVICE_DESCR, mibs.HR_DEVICE_STATUS), 2),
    TableGroup("interfaces", (mibs.IF_TYPE, mibs.IF_PHYS_ADDRESS), 2),
    TableGroup("localization", (mibs.PRT_LOCALIZATION_CHARSET,), 1),
    TableGroup("markers", (mibs.PRT_MARKER_COUNTER_UNIT, mibs.PRT_MARKER_LIFE_COUNT), 1),
    TableGroup(
        "supplies",
        (
            mibs.PRT_SUPPLIES_COLORANT_INDEX,
            mibs.PRT_SUPPLIES_CLASS,
            mibs.PRT_SUPPLIES_TYPE,
            mibs.PRT_SUPPLIES_DESCRIPTION,
            mibs.PRT_SUPPLIES_UNIT,
            mibs.PRT_SUPPLIES_MAX_CAPACITY,
            mibs.PRT_SUPPLIES_LEVEL,
        ),
        4,
    ),
    TableGroup("colorants", (mibs.PRT_COLORANT_VALUE,), 4),
    TableGroup(
        "inputs",
        (
            mibs.PRT_INPUT_MAX_CAPACITY,
            mibs.PRT_INPUT_CURRENT_LEVEL,
            mibs.PRT_INPUT_MEDIA_NAME,
            mibs.PRT_INPUT_NAME,
        ),
        2,
    ),
    TableGroup("console", (mibs.PRT_CONSOLE_DISPLAY_TEXT,), 1),
    TableGroup(
        "alerts",
        (mibs.PRT_ALERT_SEVERITY, mibs.PRT_ALERT_CODE, mibs.PRT_ALERT_DESCRIPTION),
        1,
    ),
)
MAX_REPETITIONS: Final = 40


@dataclass(slots=True)
class Reader:
    """Reads printers through a walker, remembering each device's table sizes."""

    walker: Walker
    row_hints: dict[tuple[str, str], int] = field(default_factory=dict)

    async def read(self, target: Target, known: dict[Oid, Value] | None = None) -> Reading:
        """Poll one device fully and return its normalized reading."""
        return normalize(await self.read_raw(target, known))

    async def read_raw(self, target: Target, known: dict[Oid, Value] | None = None) -> RawReading:
        """Poll one device fully; ``known`` holds scalars already read (e.g. by the probe)."""
        have = known or {}
        wanted = tuple(oid for oid in FIRST_ROWS if oid not in have)
        first = asyncio.ensure_future(self._first_rows(target, wanted))
        walks = [asyncio.ensure_future(self._walk(target, group)) for group in TABLES]
        try:
            scalars = {**have, **await first}
            results = await asyncio.gather(*walks)
        except BaseException:
            for task in (first, *walks):
                task.cancel()
            raise
        tables = {col: cells for result in results for col, cells in result.columns.items()}
        return RawReading(target.host, scalars, tables)

    async def _first_rows(self, target: Target, oids: tuple[Oid, ...]) -> dict[Oid, Value]:
        while oids:
            # scalars (x.0) are asked for as GETNEXT of x; table columns of their first row
            request = tuple(o[:-1] if o[-1] == 0 else o for o in oids)
            response = await self.walker.engine.request(target, pdus.GET_NEXT, request)
            if response.error_status == pdus.NO_SUCH_NAME:
                # SNMPv1: one object ran off the end of the MIB; ask again without it
                gone = response.error_index - 1
                oids = tuple(o for i, o in enumerate(oids) if i != gone) if gone >= 0 else ()
                continue
            out: dict[Oid, Value] = {}
            for key, base, (oid, value) in zip(oids, request, response.varbinds, strict=False):
                if oid[: len(base)] == base and not isinstance(value, VarBindException):
                    out[key] = value
            return out
        return {}

    async def _walk(self, target: Target, group: TableGroup) -> WalkResult:
        key = (target.host, group.name)
        rows = self.row_hints.get(key, group.expected_rows)
        result = await self.walker.walk(
            target, group.columns, max_repetitions=min(MAX_REPETITIONS, rows + 1)
        )
        self.row_hints[key] = max((len(cells) for cells in result.columns.values()), default=0)
        return result
