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
from printscout.protocols.snmp.ber import Oid, Value
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
_VARBIND_BYTES: Final = 22  # a typical Printer-MIB varbind in a response
_EXCHANGE_BYTES: Final = 70  # headers of one request and its response


@dataclass(slots=True)
class Reader:
    """Reads printers through a walker, remembering each device's table sizes."""

    walker: Walker
    row_hints: dict[tuple[str, str], int] = field(default_factory=dict)

    async def read(self, target: Target, known: dict[Oid, Value] | None = None) -> Reading:
        """Poll one device fully and return its normalized reading."""
        return normalize(await self.read_raw(target, known))

    async def read_raw(self, target: Target, known: dict[Oid, Value] | None = None) -> RawReading:
        """Poll one device fully; ``known`` holds scalars already read (e.g. by the probe).

        Tables of similar size share a GETBULK (each column ends on its own); the scalars ride
        along as non-repeaters of the first one. So a routine poll is three or four exchanges.
        """
        have = known or {}
        first = tuple(oid for oid in FIRST_ROWS if oid not in have)
        buckets = self._buckets(target.host)
        walks = [
            asyncio.ensure_future(self._walk(target, bucket, first if n == 0 else ()))
            for n, bucket in enumerate(buckets)
        ]
        try:
            results = await asyncio.gather(*walks)
        except BaseException:
            for task in walks:
                task.cancel()
            raise
        scalars = dict(have)
        tables: dict[Oid, dict[Oid, Value]] = {}
        for result in results:
            scalars.update(result.first)
            tables.update(result.columns)
        return RawReading(target.host, scalars, tables)

    def _buckets(self, host: str) -> list[list[tuple[TableGroup, int]]]:
        """Group tables so that one GETBULK wastes few bytes on overshoot.

        GETBULK returns max-repetitions entries for every column, so a column with fewer rows
        than the largest in its request returns useless entries. Tables are sorted by their
        expected rows and merged only while that waste costs less than another exchange.
        """
        sized = sorted(
            ((g, self.row_hints.get((host, g.name), g.expected_rows)) for g in TABLES),
            key=lambda item: item[1],
        )
        buckets: list[list[tuple[TableGroup, int]]] = []
        for group, rows in sized:
            if buckets:
                bucket = buckets[-1]
                waste = sum(len(g.columns) * (rows - r) for g, r in bucket)
                if waste * _VARBIND_BYTES < _EXCHANGE_BYTES:
                    bucket.append((group, rows))
                    continue
            buckets.append([(group, rows)])
        return buckets

    async def _walk(
        self, target: Target, bucket: list[tuple[TableGroup, int]], first: tuple[Oid, ...]
    ) -> WalkResult:
        columns = [c for group, _ in bucket for c in group.columns]
        reps = min(MAX_REPETITIONS, max(rows for _, rows in bucket) + 1)
        result = await self.walker.walk(target, columns, reps, first_rows=first)
        for group, _ in bucket:
            rows = max((len(result.columns[c]) for c in group.columns), default=0)
            self.row_hints[(target.host, group.name)] = rows
        return result
