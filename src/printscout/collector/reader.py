"""Reading one printer: the polls of a device over time, on the plans of ``collector/plan.py``.

A device's first read walks every table to learn its sizes; an hourly full poll reads every
column with the sizes known; routine polls in between read only what changes and reuse the
full poll's static columns.

One GETBULK carries every scalar and the first row of single-row tables as non-repeaters; the
multi-row tables are walked concurrently, each with as many repetitions as the device had rows
last time (remembered per device), so that a routine poll wastes few bytes on overshoot.

A device's vendor profile (``protocols/snmp/vendors``) adds its private objects to the same
requests: single objects ride as non-repeaters, private tables as more table groups. The
profile is learned from the probe's sysObjectID, else from the first poll (which then asks
the vendor's objects in one more exchange), and kept per device. Objects that do not change
(identity, key columns of counter tables) are read on full polls only and reused in between;
objects a device did not answer on its last full poll are not asked again until the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final

from printscout.collector.normalize import manufacturer_of
from printscout.collector.plan import (
    BASE,
    MAX_REPETITIONS,
    RECOUNT_EVERY,
    REVALIDATE_EVERY,
    SYSTEM,
    TABLES,
    Layout,
    Step,
    TableGroup,
    VendorPlan,
    compiled,
    plan,
    rows_of,
)
from printscout.collector.raw import RawReading
from printscout.collector.reading_memo import normalized
from printscout.domain.reading import Counters, Reading
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.vendors import profile_for
from printscout.protocols.snmp.vendors.base import COUNTER_KINDS, VendorProfile
from printscout.protocols.snmp.vendors.meters import went_backwards
from printscout.protocols.snmp.walk import Walker
from printscout.protocols.snmp.walk_state import Column, Span, WalkPlan, WalkResult

__all__ = ["FIRST_ROWS", "MAX_REPETITIONS", "TABLES", "Reader", "TableGroup", "plan"]

# Scalars and first rows, read with one GETNEXT from each object's base.
FIRST_ROWS: Final[tuple[Oid, ...]] = (
    mibs.HR_PRINTER_STATUS,
    mibs.HR_PRINTER_ERROR_STATE,
    mibs.PRT_GENERAL_CURRENT_LOCALIZATION,
    mibs.PRT_CONSOLE_LOCALIZATION,
    mibs.PRT_GENERAL_SERIAL_NUMBER,
)
# What routine polls read again of those (the rest comes from the last full poll)
ROUTINE_FIRST_ROWS: Final = FIRST_ROWS[:2]
# Scalars that do not change between full polls
STATIC_SCALARS: Final = frozenset(
    {mibs.SYS_DESCR, mibs.SYS_OBJECT_ID, mibs.SYS_CONTACT, mibs.SYS_NAME, mibs.SYS_LOCATION,
     *FIRST_ROWS[2:]}
)  # fmt: skip


@dataclass(slots=True)
class _Host:
    """What the Reader remembers about one device between polls."""

    rows: tuple[int, ...] | None = None
    polls: int = 0
    decided: bool = False  # whether the vendor profile has been looked for
    vendor: VendorPlan | None = None
    identity: dict[Oid, Value] = field(default_factory=dict)  # from the last full poll
    static: dict[Oid, Column] = field(default_factory=dict)  # static columns, likewise
    absent: frozenset[Oid] = frozenset()  # vendor objects not answered at the last full poll
    previous: Counters | None = None
    previous_serial: str | None = None


# (sysObjectID, manufacturer) -> the vendor profile to read the device with
ProfileFinder = Callable[[object, str | None], VendorProfile | None]


@dataclass(slots=True)
class Reader:
    """Reads printers through a walker, remembering each device's table sizes and profile.

    ``profiles`` picks a device's vendor profile (the registry of ``protocols/snmp/vendors``
    by default); the Reader itself knows no vendor.
    """

    walker: Walker
    hosts: dict[str, _Host] = field(default_factory=dict)
    revalidate_every: int = REVALIDATE_EVERY
    profiles: ProfileFinder = profile_for

    async def read(self, target: Target, known: dict[Oid, Value] | None = None) -> Reading:
        """Poll one device fully and return its normalized reading."""
        reading = normalized(await self.read_raw(target, known))
        return self._compare(self.hosts[target.host], reading)

    async def read_raw(self, target: Target, known: dict[Oid, Value] | None = None) -> RawReading:
        """Poll one device fully; ``known`` holds scalars already read (e.g. by the probe).

        Tables of similar size share a GETBULK (each column ends on its own); the scalars ride
        along as non-repeaters of the first one. So a routine poll is three or four exchanges.
        """
        have = known or {}
        host = self.hosts.get(target.host)
        if host is None:
            host = self.hosts[target.host] = _Host()
        count, host.polls = host.polls, host.polls + 1
        full = count % self.revalidate_every == 0
        recount = count % RECOUNT_EVERY == 0
        if not host.decided and mibs.SYS_OBJECT_ID in have:
            found = self.profiles(have[mibs.SYS_OBJECT_ID], None)
            if found is not None:  # else the brand, after the poll, may still name one
                self._decide(host, target, found)
        vendor = host.vendor
        layout = vendor.layout if vendor is not None else BASE
        known_rows = host.rows if host.rows and len(host.rows) == len(layout.tables) else None
        trusted = known_rows is not None and not recount
        routine = trusted and not full
        rows = list(known_rows or layout.default_rows)
        first, once = _asks(vendor, host, routine, have)
        steps = layout.plan(tuple(rows), trusted, routine)
        results = await self._run(target, steps, first, once)
        scalars = dict(have)
        tables: dict[Oid, Column] = {}
        for step, result in zip(steps, results, strict=True):
            self._absorb(layout, vendor, step, result, rows, scalars, tables)
        if not host.decided:
            brand = manufacturer_of(RawReading(target.host, scalars, tables))
            self._decide(host, target, self.profiles(scalars.get(mibs.SYS_OBJECT_ID), brand))
            if host.vendor is not None:
                vendor = host.vendor
                rows += await self._vendor_walk(target, vendor, scalars, tables)
        self._remember(host, host.vendor, scalars, tables, routine)
        host.rows = tuple(rows)
        return RawReading(target.host, scalars, tables, vendor.profile if vendor else None)

    def _decide(self, host: _Host, target: Target, profile: VendorProfile | None) -> None:
        """Settle the device's profile (and the quirks that come with it)."""
        host.decided = True
        host.vendor = compiled(profile) if profile is not None else None
        if profile is not None and profile.quirks.no_getbulk:
            self.walker.no_bulk.add(target.address)

    async def _run(
        self,
        target: Target,
        steps: tuple[Step, ...],
        first: tuple[Oid, ...],
        cells: tuple[Span, ...],
    ) -> list[WalkResult]:
        """Run the walks of a plan, all sent at once; the first carries the first rows and
        the vendor cells."""
        plans = []
        for step in steps:
            once = tuple(span for group in step.once for span in group)
            if step.carries_first:
                once += cells
            plans.append(
                WalkPlan(
                    step.spans,
                    step.repetitions,
                    first if step.carries_first else (),
                    step.sparse,
                    once,
                )
            )
        return await self.walker.walk_all(target, plans)

    @staticmethod
    def _absorb(
        layout: Layout,
        vendor: VendorPlan | None,
        step: Step,
        result: WalkResult,
        rows: list[int],
        scalars: dict[Oid, Value],
        tables: dict[Oid, Column],
    ) -> None:
        """Take one walk's answers: first rows and cells as scalars, the rest as columns."""
        scalars.update(result.first)
        columns = result.columns
        for g in (*step.groups, *step.sparse_groups):
            rows[g] = rows_of(layout.group_columns[g], columns)
        cells = vendor.cell_oids if vendor is not None else frozenset()
        for column, found in columns.items():
            if column[:-1] == SYSTEM:
                scalars.update({(*column, *suffix): v for suffix, v in found.items()})
            elif column in cells:
                if () in found:
                    scalars[column] = found[()]
            else:
                tables[column] = found

    async def _vendor_walk(
        self,
        target: Target,
        vendor: VendorPlan,
        scalars: dict[Oid, Value],
        tables: dict[Oid, Column],
    ) -> list[int]:
        """The vendor's objects, read in one more walk once the first poll named the vendor."""
        groups = [vendor.layout.tables[g] for g in vendor.groups]
        spans = tuple(s for g in groups if g.expected_rows > 0 for s in g.spans)
        sparse = tuple(s for g in groups if g.expected_rows == 0 for s in g.spans)
        repetitions = min(MAX_REPETITIONS, max((g.expected_rows for g in groups), default=0) + 1)
        result = await self.walker.walk(
            target,
            spans,
            repetitions,
            first_rows=tuple(o for o, _ in vendor.first),
            sparse=sparse,
            once=tuple(s for s, _, _ in vendor.cells),
        )
        step = Step((), (), (), (), (), 0, True)
        self._absorb(vendor.layout, vendor, step, result, [], scalars, tables)
        return [rows_of(vendor.layout.group_columns[g], result.columns) for g in vendor.groups]

    @staticmethod
    def _remember(
        host: _Host,
        vendor: VendorPlan | None,
        scalars: dict[Oid, Value],
        tables: dict[Oid, Column],
        routine: bool,
    ) -> None:
        """Keep what does not change until the next full poll; fill a routine poll with it."""
        layout = vendor.layout if vendor is not None else BASE
        if not routine:
            if vendor is not None:
                asked = [o for o, _ in vendor.first] + [o for _, o, _ in vendor.cells]
                host.absent = frozenset(o for o in asked if o not in scalars)
            keep = STATIC_SCALARS | (vendor.identity if vendor is not None else frozenset())
            host.identity = {o: v for o, v in scalars.items() if o in keep}
            host.static = {c: tables[c] for c in layout.static_columns if c in tables}
            return
        for oid, value in host.identity.items():
            scalars.setdefault(oid, value)
        for column, cells in host.static.items():
            tables.setdefault(column, cells)

    def _compare(self, host: _Host, reading: Reading) -> Reading:
        """Flag counters that went down since this device's previous reading."""
        counters = reading.counters
        previous, serial = host.previous, reading.identity.serial
        if previous is not None and host.previous_serial == serial:
            backwards = went_backwards(previous, counters)
            if backwards:
                counters = replace(counters, anomalies=(*counters.anomalies, *backwards))
                reading = replace(reading, counters=counters)
        host.previous = _carry(previous, counters) if host.previous_serial == serial else counters
        host.previous_serial = serial
        return reading


def _asks(
    vendor: VendorPlan | None, host: _Host, routine: bool, have: dict[Oid, Value]
) -> tuple[tuple[Oid, ...], tuple[Span, ...]]:
    """The first rows and vendor cells of a poll: identity objects and objects the device did
    not answer are asked on full polls only."""
    first = [oid for oid in (ROUTINE_FIRST_ROWS if routine else FIRST_ROWS) if oid not in have]
    if vendor is None:
        return tuple(first), ()
    skip = host.absent | vendor.identity if routine else _covered(vendor, host)
    first += [oid for oid, _ in vendor.first if oid not in skip]
    return tuple(first), tuple(span for span, oid, _ in vendor.cells if oid not in skip)


def _covered(vendor: VendorPlan, host: _Host) -> frozenset[Oid]:
    """Vendor identity fallbacks a full poll can skip: the device gave the standard object
    (prtGeneralSerialNumber, the printer's hrDeviceDescr) at its last full poll."""
    gave = {
        "serial": bool(host.identity.get(mibs.PRT_GENERAL_SERIAL_NUMBER)),
        "model": bool(host.static.get(mibs.HR_DEVICE_DESCR)),
    }
    return frozenset(o.oid for o in vendor.profile.identity if gave.get(o.field, False))


def _carry(previous: Counters | None, current: Counters) -> Counters:
    """The counters to compare the next reading with: the newest known value of each kind."""
    if previous is None:
        return current
    kept = {k: getattr(previous, k) for k in COUNTER_KINDS if getattr(current, k) is None}
    return replace(current, **kept) if kept else current
