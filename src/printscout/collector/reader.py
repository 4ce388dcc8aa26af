"""The poll plan: which SNMP requests make up a full read of one printer.

One GETNEXT fetches every scalar and the first row of single-row tables; the multi-row tables
are walked concurrently, each with as many GETBULK repetitions as the device had rows last
time (remembered per device), so that a routine poll wastes few bytes on overshoot.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import lru_cache
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
    structural: bool = True  # rows follow the hardware, not events (alerts do not)

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
    TableGroup("alerts", (_span(_PRT_ALERT, 2, 8),), 0, structural=False),
)
MAX_REPETITIONS: Final = 128
REVALIDATE_EVERY: Final = 12  # a full walk of every table every 12th poll (hourly at 5 min)
_VARBIND_BYTES: Final = 22  # a typical Printer-MIB varbind in a response
_EXCHANGE_BYTES: Final = 200  # headers of a request and its answer (~70 B), and ~60 µs of CPU


@dataclass(frozen=True, slots=True)
class _Step:
    """One walk of a poll plan: the spans it repeats, what it carries as non-repeaters (first
    rows, one-row tables, tables expected empty), and the repetitions to ask for."""

    groups: tuple[int, ...]
    spans: tuple[Span, ...]
    sparse_groups: tuple[int, ...]
    sparse: tuple[Span, ...]
    once: tuple[tuple[Span, ...], ...]
    repetitions: int
    carries_first: bool


@lru_cache(maxsize=1024)
def plan(rows: tuple[int, ...], trusted: bool) -> tuple[_Step, ...]:
    """The walks of a poll, given the rows each table group had (cached: devices repeat).

    GETBULK returns max-repetitions entries for every span, so a span with fewer entries than
    the largest in its request returns useless ones. Groups are sorted by their entries and
    merged only while that waste costs less than another exchange; empty tables ride along
    as non-repeaters of the first walk. When the sizes are ``trusted`` (known from an earlier
    full walk), a structural table with one row is read as one non-repeater per column,
    without the entry past its end that a walk needs to see the end.
    """
    once = tuple(i for i, r in enumerate(rows) if trusted and r == 1 and TABLES[i].structural)
    sparse = tuple(i for i, r in enumerate(rows) if r == 0)
    sized = sorted(
        ((i, TABLES[i].width * r) for i, r in enumerate(rows) if r > 0 and i not in once),
        key=lambda x: x[1],
    )
    buckets: list[list[tuple[int, int]]] = []
    for index, entries in sized:
        if buckets:
            waste = sum(len(TABLES[g].spans) * (entries - e) for g, e in buckets[-1])
            if waste * _VARBIND_BYTES < _EXCHANGE_BYTES:
                buckets[-1].append((index, entries))
                continue
        buckets.append([(index, entries)])
    if not buckets:
        buckets.append([])
    steps = []
    for n, bucket in enumerate(buckets):
        mine = (*sparse, *once) if n == 0 else ()
        steps.append(
            _Step(
                groups=tuple(g for g, _ in bucket),
                spans=tuple(s for g, _ in bucket for s in TABLES[g].spans),
                sparse_groups=mine,
                sparse=tuple(s for g in sparse for s in TABLES[g].spans) if n == 0 else (),
                once=tuple(_columns_of(g) for g in once) if n == 0 else (),
                repetitions=min(MAX_REPETITIONS, max((e for _, e in bucket), default=0) + 1),
                carries_first=n == 0,
            )
        )
    return tuple(steps)


def _columns_of(group: int) -> tuple[Span, ...]:
    return tuple(
        Span(s.entry, c, c) for s in TABLES[group].spans for c in range(s.first, s.last + 1)
    )


_DEFAULT_ROWS: Final = tuple(g.expected_rows for g in TABLES)
_GROUP_COLUMNS: Final = tuple(
    tuple((*s.entry, c) for s in g.spans for c in range(s.first, s.last + 1)) for g in TABLES
)


@dataclass(slots=True)
class Reader:
    """Reads printers through a walker, remembering each device's table sizes."""

    walker: Walker
    row_hints: dict[str, tuple[int, ...]] = field(default_factory=dict)
    polls: dict[str, int] = field(default_factory=dict)
    revalidate_every: int = REVALIDATE_EVERY

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
        known_rows = self.row_hints.get(target.host)
        rows = list(known_rows or _DEFAULT_ROWS)
        count = self.polls.get(target.host, 0)
        self.polls[target.host] = count + 1
        # table sizes learned by a full walk are trusted, and checked again now and then
        trusted = known_rows is not None and count % self.revalidate_every != 0
        steps = plan(tuple(rows), trusted)
        walks = [self._walk(target, step, first if step.carries_first else ()) for step in steps]
        # the first walk runs in this task; only the others need tasks of their own
        others = [asyncio.ensure_future(w) for w in walks[1:]]
        try:
            results = [await walks[0], *(await asyncio.gather(*others))]
        except BaseException:
            for task in others:
                task.cancel()
            raise
        scalars = dict(have)
        tables: dict[Oid, dict[Oid, Value]] = {}
        for step, result in zip(steps, results, strict=True):
            scalars.update(result.first)
            columns = result.columns
            for g in (*step.groups, *step.sparse_groups):
                most = 0
                for column in _GROUP_COLUMNS[g]:
                    cells = columns.get(column)
                    if cells is not None and len(cells) > most:
                        most = len(cells)
                rows[g] = most
            for column, cells in columns.items():
                if column[:-1] == _SYSTEM:
                    scalars.update({(*column, *suffix): v for suffix, v in cells.items()})
                else:
                    tables[column] = cells
        self.row_hints[target.host] = tuple(rows)
        return RawReading(target.host, scalars, tables)

    async def _walk(self, target: Target, step: _Step, first: tuple[Oid, ...]) -> WalkResult:
        once = tuple(span for group in step.once for span in group)
        return await self.walker.walk(
            target, step.spans, step.repetitions, first_rows=first, sparse=step.sparse, once=once
        )
