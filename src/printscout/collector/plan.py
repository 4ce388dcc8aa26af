"""Poll plans: the table groups of a read, how they are packed into GETBULK walks, and the
poll form of a vendor profile.

GETBULK returns max-repetitions entries for every span, so groups of similar size share a
walk and each walk asks for as many repetitions as its largest group had rows last time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid
from printscout.protocols.snmp.vendors.base import VendorProfile
from printscout.protocols.snmp.walk_state import Column, Span


@dataclass(frozen=True, slots=True)
class TableGroup:
    """Spans of one table walked together, and the rows to expect when nothing is known.

    ``static`` groups (key columns of vendor counter tables) are read on full polls only and
    reused in between; ``optional`` groups (vendor tables) are left out of routine polls when
    the device had no rows in them at its last full poll.
    """

    name: str
    spans: tuple[Span, ...]
    expected_rows: int
    structural: bool = True  # rows follow the hardware, not events (alerts do not)
    static: bool = False
    optional: bool = False
    # the spans a routine poll reads (the columns that change); None: all of ``spans``,
    # (): none (the group is read on full polls only)
    routine: tuple[Span, ...] | None = None

    def spans_for(self, routine: bool) -> tuple[Span, ...]:
        """The spans of a full or of a routine poll."""
        return self.routine if routine and self.routine is not None else self.spans

    def width(self, routine: bool = False) -> int:
        """Entries one row costs in a GETBULK answer (spans walk their columns in turn)."""
        return max((span.width for span in self.spans_for(routine)), default=0)


def _span(entry: Oid, first: int, last: int) -> Span:
    return Span(entry, first, last)


_HR_DEVICE: Final = mibs.HR_DEVICE_TYPE[:-1]
_PRT_INPUT: Final = mibs.PRT_INPUT_NAME[:-1]
_PRT_MARKER: Final = mibs.PRT_MARKER_LIFE_COUNT[:-1]
_PRT_SUPPLIES: Final = mibs.PRT_SUPPLIES_LEVEL[:-1]
_PRT_ALERT: Final = mibs.PRT_ALERT_CODE[:-1]

# Adjacent columns are walked as one span even where a column between is not needed
# (hrDeviceID, prtInputStatus): one extra small value per row costs less than a varbind more
# in every request and an overshoot per column.
SYSTEM: Final = mibs.SYS_DESCR[:-2]
# Routine polls (between full ones) read only what changes: uptime, device status, counters,
# supply and tray levels, console and alerts; descriptions, names, capacities, colorants and
# MAC addresses come from the last full poll.
TABLES: Final = (
    # the system group's scalars sysDescr.0 .. sysLocation.0, walked like a one-row table
    TableGroup("system", (_span(SYSTEM, 1, 6),), 1, routine=(_span(SYSTEM, 3, 3),)),
    TableGroup(
        "devices",
        (_span(_HR_DEVICE, 2, 3), Span.column(mibs.HR_DEVICE_STATUS)),
        1,
        routine=(Span.column(mibs.HR_DEVICE_STATUS),),
    ),
    TableGroup(
        "interfaces",
        (Span.column(mibs.IF_TYPE), Span.column(mibs.IF_PHYS_ADDRESS)),
        1,
        routine=(),
    ),
    TableGroup("localization", (Span.column(mibs.PRT_LOCALIZATION_CHARSET),), 1, routine=()),
    TableGroup("markers", (_span(_PRT_MARKER, 3, 4),), 1, routine=(_span(_PRT_MARKER, 4, 4),)),
    TableGroup("supplies", (_span(_PRT_SUPPLIES, 3, 9),), 6, routine=(_span(_PRT_SUPPLIES, 9, 9),)),
    TableGroup("colorants", (Span.column(mibs.PRT_COLORANT_VALUE),), 4, routine=()),
    TableGroup("inputs", (_span(_PRT_INPUT, 9, 13),), 3, routine=(_span(_PRT_INPUT, 10, 10),)),
    TableGroup("console", (Span.column(mibs.PRT_CONSOLE_DISPLAY_TEXT),), 1),
    TableGroup("alerts", (_span(_PRT_ALERT, 2, 8),), 0, structural=False),
)
MAX_REPETITIONS: Final = 128
REVALIDATE_EVERY: Final = 12  # a full poll (every column) every 12th poll (hourly at 5 min)
RECOUNT_EVERY: Final = 288  # a walk that re-learns every table's size daily (at 5 min)
MAX_PLANS: Final = 1024  # plans cached per layout (devices repeat the same row counts)
_VARBIND_BYTES: Final = 22  # a typical Printer-MIB varbind in a response
_EXCHANGE_BYTES: Final = 200  # headers of a request and its answer (~70 B), and ~60 µs of CPU


@dataclass(frozen=True, slots=True)
class Step:
    """One walk of a poll plan: the spans it repeats, what it carries as non-repeaters (first
    rows, one-row tables, tables expected empty), and the repetitions to ask for."""

    groups: tuple[int, ...]
    spans: tuple[Span, ...]
    sparse_groups: tuple[int, ...]
    sparse: tuple[Span, ...]
    once: tuple[tuple[Span, ...], ...]
    repetitions: int
    carries_first: bool


class Layout:
    """The table groups of one kind of device (standard, or standard plus a vendor's), with
    its poll plans cached by the row counts seen."""

    __slots__ = ("_plans", "default_rows", "group_columns", "static_columns", "tables")

    def __init__(self, tables: tuple[TableGroup, ...]) -> None:
        self.tables = tables
        self.default_rows = tuple(g.expected_rows for g in tables)
        self.group_columns = tuple(
            tuple((*s.entry, c) for s in g.spans for c in range(s.first, s.last + 1))
            for g in tables
        )
        # columns a routine poll does not read, carried over from the last full poll
        self.static_columns = tuple(
            c
            for g, cols in zip(tables, self.group_columns, strict=True)
            for c in cols
            if g.static or c not in _columns(g.spans_for(routine=True))
        )
        self._plans: dict[tuple[tuple[int, ...], bool, bool], tuple[Step, ...]] = {}

    def plan(self, rows: tuple[int, ...], trusted: bool, routine: bool) -> tuple[Step, ...]:
        """The walks of a poll, given the rows each table group had (cached: devices repeat).

        ``trusted``: the row counts come from an earlier walk of this device; ``routine``: a
        poll between full ones, which reads only the columns that change.
        """
        key = (rows, trusted, routine and trusted)
        steps = self._plans.get(key)
        if steps is None:
            if len(self._plans) >= MAX_PLANS:
                self._plans.clear()
            steps = self._plans[key] = _plan(self.tables, rows, trusted, routine and trusted)
        return steps


def _plan(
    tables: tuple[TableGroup, ...], rows: tuple[int, ...], trusted: bool, routine: bool
) -> tuple[Step, ...]:
    """GETBULK returns max-repetitions entries for every span, so a span with fewer entries
    than the largest in its request returns useless ones. Groups are sorted by their entries
    and merged only while that waste costs less than another exchange; empty tables ride along
    as non-repeaters of the first walk. When the sizes are ``trusted`` (known from an earlier
    full walk), a structural table with one row is read as one non-repeater per column,
    without the entry past its end that a walk needs to see the end, and static or empty
    optional groups are not read at all.
    """
    skip = {
        i
        for i, g in enumerate(tables)
        if (trusted and g.optional and rows[i] == 0) or (routine and (g.static or g.routine == ()))
    }
    live = [i for i in range(len(tables)) if i not in skip]
    once = tuple(i for i in live if trusted and rows[i] == 1 and tables[i].structural)
    sparse = tuple(i for i in live if rows[i] == 0)
    sized = sorted(
        ((i, tables[i].width(routine) * rows[i]) for i in live if rows[i] > 0 and i not in once),
        key=lambda x: x[1],
    )
    buckets: list[list[tuple[int, int]]] = []
    for index, entries in sized:
        if buckets:
            waste = sum(len(tables[g].spans_for(routine)) * (entries - e) for g, e in buckets[-1])
            if waste * _VARBIND_BYTES < _EXCHANGE_BYTES:
                buckets[-1].append((index, entries))
                continue
        buckets.append([(index, entries)])
    if not buckets:
        buckets.append([])
    steps = []
    for n, bucket in enumerate(buckets):
        steps.append(
            Step(
                groups=tuple(g for g, _ in bucket),
                spans=tuple(s for g, _ in bucket for s in tables[g].spans_for(routine)),
                sparse_groups=(*sparse, *once) if n == 0 else (),
                sparse=(
                    tuple(s for g in sparse for s in tables[g].spans_for(routine)) if n == 0 else ()
                ),
                once=tuple(_columns_of(tables[g], routine) for g in once) if n == 0 else (),
                repetitions=min(MAX_REPETITIONS, max((e for _, e in bucket), default=0) + 1),
                carries_first=n == 0,
            )
        )
    return tuple(steps)


def _columns_of(group: TableGroup, routine: bool) -> tuple[Span, ...]:
    return tuple(
        Span(s.entry, c, c) for s in group.spans_for(routine) for c in range(s.first, s.last + 1)
    )


def _columns(spans: tuple[Span, ...]) -> frozenset[Oid]:
    return frozenset((*s.entry, c) for s in spans for c in range(s.first, s.last + 1))


BASE: Final = Layout(TABLES)


def plan(rows: tuple[int, ...], trusted: bool, routine: bool = False) -> tuple[Step, ...]:
    """The walks of a poll of a device without a vendor profile (see :func:`_plan`)."""
    return BASE.plan(rows, trusted, routine)


@dataclass(frozen=True, slots=True)
class VendorPlan:
    """A profile compiled for polling: its single objects and its table groups."""

    profile: VendorProfile
    layout: Layout
    first: tuple[tuple[Oid, bool], ...]  # scalars x.0, asked as non-repeaters; (oid, identity)
    cells: tuple[tuple[Span, Oid, bool], ...]  # table cells, each read as a one-entry span
    cell_oids: frozenset[Oid]
    identity: frozenset[Oid]  # the objects read on full polls only
    groups: tuple[int, ...]  # the profile's table groups in the layout


_COMPILED: dict[str, VendorPlan] = {}


def compiled(profile: VendorProfile) -> VendorPlan:
    """The poll form of a profile, built once per profile."""
    found = _COMPILED.get(profile.name)
    if found is None or found.profile is not profile:
        found = _COMPILED[profile.name] = _compile(profile)
    return found


def _compile(profile: VendorProfile) -> VendorPlan:
    first: list[tuple[Oid, bool]] = []
    cells: list[tuple[Span, Oid, bool]] = []
    for oid, identity in profile.single_objects():
        if oid[-1] == 0:
            first.append((oid, identity))
        else:  # a cell: GETNEXT from the row before it lands on it
            cells.append((Span(oid[:-1], oid[-1] - 1, oid[-1]), oid, identity))
    groups = _vendor_groups(profile)
    return VendorPlan(
        profile,
        Layout((*TABLES, *groups)),
        tuple(first),
        tuple(cells),
        frozenset(oid for _, oid, _ in cells),
        frozenset(oid for oid, identity in profile.single_objects() if identity),
        tuple(range(len(TABLES), len(TABLES) + len(groups))),
    )


def _vendor_groups(profile: VendorProfile) -> tuple[TableGroup, ...]:
    groups: list[TableGroup] = []
    for table in profile.counter_tables:
        rows = table.expected_rows
        if table.key_columns:
            keys = tuple(Span.column(c) for c in table.key_columns)
            groups.append(TableGroup(f"{table.name} keys", keys, rows, static=True, optional=True))
        values = (Span.column(table.values),)
        groups.append(TableGroup(table.name, values, rows, optional=True))
    for level in profile.level_tables:
        column = (Span.column(level.column),)
        groups.append(TableGroup(level.name, column, level.expected_rows, optional=True))
    for serials in profile.serial_tables:
        a, b = serials.descriptions, serials.serials
        adjacent = a[:-1] == b[:-1] and b[-1] == a[-1] + 1
        spans: tuple[Span, ...] = (
            (Span(a[:-1], a[-1], b[-1]),) if adjacent else (Span.column(a), Span.column(b))
        )
        groups.append(TableGroup("supply serials", spans, serials.expected_rows, optional=True))
    return tuple(groups)


def rows_of(columns: tuple[Oid, ...], found: dict[Oid, Column]) -> int:
    """The rows a group had: the longest of its columns in a walk's answer."""
    most = 0
    for column in columns:
        cells = found.get(column)
        if cells is not None and len(cells) > most:
            most = len(cells)
    return most
