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
from printscout.protocols.snmp.walk import Span, Walker, WalkResult

# Scalars and first rows, read with one GETNEXT from each object's base.
FIRST_ROWS: Final[tuple[Oid, ...]] = (
    mibs.HR_PRINTER_STATUS,
    mibs.HR_PRINTER_ERROR_STATE,
    mibs.PRT_GENERAL_CURRENT_LOCALIZATION,
    mibs.PRT_CONSOLE_LOCALIZATION,
    mibs.PRT_GENERAL_SERIAL_NUMBER,
)


@dataclass(frozen=True, slots=True)
class TableGroup:
    """Spans of one table walked together, and the rows to expect when nothing is known."""

    name: str
    spans: tuple[Span, ...]
    expected_rows: int

    @property
    def width(self) -> int:
        """Entries one row costs in a GETBULK answer (spans walk their columns in turn)."""
        return max(span.width for span in self.spans)


def _span(entry: Oid, first: int, last: int) -> Span:
    return Span(entry, first, last)


_HR_DEVICE: Final = mibs.HR_DEVICE_TYPE[:-1]
_IF_ENTRY: Final = mibs.IF_TYPE[:-1]
_PRT_INPUT: Final = mibs.PRT_INPUT_NAME[:-1]
_PRT_MARKER: Final = mibs.PRT_MARKER_LIFE_COUNT[:-1]
_PRT_SUPPLIES: Final = mibs.PRT_SUPPLIES_LEVEL[:-1]
_PRT_ALERT: Final = mibs.PRT_ALERT_CODE[:-1]

# Adjacent columns are walked as one span even where a column between is not needed
# (hrDeviceID, prtInputStatus): one extra small value per row costs less than a varbind more
# in every request and an overshoot per column.
_SYSTEM: Final = mibs.SYS_DESCR[:-2]
TABLES: Final = (
    # the system group's scalars sysDescr.0 .. sysLocation.0, walked like a one-row table
    TableGroup("system", (_span(_SYSTEM, 1, 6),), 1),
    TableGroup("devices", (_span(_HR_DEVICE, 2, 3), Span.column(mibs.HR_DEVICE_STATUS)), 1),
    TableGroup("interfaces", (Span.column(mibs.IF_TYPE), Span.column(mibs.IF_PHYS_ADDRESS)), 1),
    TableGroup("localization", (Span.column(mibs.PRT_LOCALIZATION_CHARSET),), 1),
    TableGroup("markers", (_span(_PRT_MARKER, 3, 4),), 1),
    TableGroup("supplies", (_span(_PRT_SUPPLIES, 3, 9),), 6),
    TableGroup("colorants", (Span.column(mibs.PRT_COLORANT_VALUE),), 4),
    TableGroup("inputs", (_span(_PRT_INPUT, 9, 13),), 3),
    TableGroup("console", (Span.column(mibs.PRT_CONSOLE_DISPLAY_TEXT),), 1),
    TableGroup("alerts", (_span(_PRT_ALERT, 2, 8),), 0),
)
MAX_REPETITIONS: Final = 128
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
        sparse = [g for g in TABLES if self._rows(target.host, g) == 0]
        buckets = self._buckets(target.host, [g for g in TABLES if g not in sparse])
        walks = [
            asyncio.ensure_future(
                self._walk(target, bucket, first if n == 0 else (), sparse if n == 0 else [])
            )
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
            for column, cells in result.columns.items():
                if column[:-1] == _SYSTEM:
                    scalars.update({(*column, *suffix): v for suffix, v in cells.items()})
                else:
                    tables[column] = cells
        return RawReading(target.host, scalars, tables)

    def _buckets(self, host: str, groups: list[TableGroup]) -> list[list[tuple[TableGroup, int]]]:
        """Group tables so that one GETBULK wastes few bytes on overshoot.

        GETBULK returns max-repetitions entries for every column, so a column with fewer rows
        than the largest in its request returns useless entries. Tables are sorted by their
        expected rows and merged only while that waste costs less than another exchange.
        """
        sized = sorted(
            ((g, g.width * self._rows(host, g)) for g in groups),
            key=lambda item: item[1],
        )
        buckets: list[list[tuple[TableGroup, int]]] = []
        for group, rows in sized:
            if buckets:
                bucket = buckets[-1]
                waste = sum(len(g.spans) * (rows - r) for g, r in bucket)
                if waste * _VARBIND_BYTES < _EXCHANGE_BYTES:
                    bucket.append((group, rows))
                    continue
            buckets.append([(group, rows)])
        return buckets

    def _rows(self, host: str, group: TableGroup) -> int:
        """Rows the group had last time, or the usual number for a first read."""
        return self.row_hints.get((host, group.name), group.expected_rows)

    async def _walk(
        self,
        target: Target,
        bucket: list[tuple[TableGroup, int]],
        first: tuple[Oid, ...],
        sparse: list[TableGroup],
    ) -> WalkResult:
        spans = [span for group, _ in bucket for span in group.spans]
        sparse_spans = [span for group in sparse for span in group.spans]
        reps = min(MAX_REPETITIONS, max(entries for _, entries in bucket) + 1)
        result = await self.walker.walk(target, spans, reps, first_rows=first, sparse=sparse_spans)
        columns = result.columns
        for group, _ in [*bucket, *((g, 0) for g in sparse)]:
            rows = 0
            for span in group.spans:
                for c in range(span.first, span.last + 1):
                    rows = max(rows, len(columns.get((*span.entry, c), ())))
            self.row_hints[(target.host, group.name)] = rows
        return result
