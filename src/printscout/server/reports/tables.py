"""Reports laid out as one table each (columns, typed cells, detail and total rows) for export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from printscout.server.reports.points import DeviceInfo, Period
from printscout.server.reports.service import (
    COUNTERS,
    BillingReport,
    NotReportingReport,
    Subtotal,
    SuppliesReport,
)

Cell = str | int | datetime | None
Kind = Literal["text", "int", "datetime"]
RowLevel = Literal["detail", "subtotal", "total"]

_IDENTITY: Final[tuple[tuple[str, Kind], ...]] = (
    ("Customer", "text"),
    ("Site", "text"),
    ("Manufacturer", "text"),
    ("Model", "text"),
    ("Serial", "text"),
    ("Asset", "text"),
    ("Location", "text"),
    ("Address", "text"),
)


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its heading and the kind of its cells."""

    title: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Row:
    """A row of cells; subtotal and total rows are set apart in every format."""

    cells: tuple[Cell, ...]
    level: RowLevel = "detail"


@dataclass(frozen=True, slots=True)
class Sheet:
    """A report as a table: a title, a subtitle (period and scope), columns and rows."""

    name: str
    title: str
    subtitle: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def _identity(d: DeviceInfo) -> tuple[Cell, ...]:
    return (
        d.customer,
        d.site,
        d.manufacturer,
        d.model,
        d.serial,
        d.asset_number,
        d.location,
        d.address,
    )


def _period(period: Period, scope: str) -> str:
    last = date.fromordinal(period.end.toordinal() - 1)
    return f"{period.start.isoformat()} to {last.isoformat()} inclusive (UTC); {scope}"


def billing_sheet(report: BillingReport, scope: str) -> Sheet:
    """The billing report: a row per device, then a subtotal per site, per customer, a total."""
    columns = [*(Column(t, k) for t, k in _IDENTITY), Column("Unit", "text")]
    for name in COUNTERS:
        columns += [Column(f"{name} start", "int"), Column(f"{name} end", "int")]
        columns.append(Column(f"{name} pages", "int"))
    columns += [Column("First read (UTC)", "datetime"), Column("Last read (UTC)", "datetime")]
    columns += [Column("Flags", "text"), Column("Device anomalies", "text")]
    width = len(columns)
    sites = {(s.customer_id, s.site_id): s for s in report.sites}
    customers = {s.customer_id: s for s in report.customers}
    rows: list[Row] = []
    for n, r in enumerate(report.rows):
        counters = [v for c in r.counters for v in (c.start, c.end, c.delta)]
        extra = (r.start_at, r.end_at, " ".join(r.flags), " ".join(r.anomalies))
        rows.append(Row((*_identity(r.device), r.unit, *counters, *extra)))
        d, after = r.device, report.rows[n + 1].device if n + 1 < len(report.rows) else None
        # Rows come by customer, then site: a group ends where the next row leaves it.
        if after is None or (after.customer_id, after.site_id) != (d.customer_id, d.site_id):
            rows.append(_subtotal_row(sites[d.customer_id, d.site_id], width))
        if after is None or after.customer_id != d.customer_id:
            rows.append(_subtotal_row(customers[d.customer_id], width))
    rows.append(_subtotal_row(report.total, width))
    return Sheet(
        "billing",
        "Billing meter reads",
        _period(report.period, scope),
        tuple(columns),
        tuple(rows),
    )


def _subtotal_row(s: Subtotal, width: int) -> Row:
    if s.level == "total":
        label: tuple[Cell, ...] = ("Total", f"all customers: {s.devices} device(s)")
    elif s.level == "customer":
        label = (s.customer, f"all sites: {s.devices} device(s)")
    else:
        label = (s.customer, f"{s.site}: {s.devices} device(s)")
    cells: list[Cell] = [*label, *([None] * 7)]
    for delta in s.deltas:
        cells += [None, None, delta]
    cells += [None] * (width - len(cells))
    return Row(tuple(cells), "total" if s.level == "total" else "subtotal")


def supplies_sheet(report: SuppliesReport, scope: str) -> Sheet:
    """The supplies report: a row per device and supply slot."""
    columns = [Column(t, k) for t, k in _IDENTITY]
    columns += [
        Column("Supply", "text"),
        Column("Colour", "text"),
        Column("Cartridge serial", "text"),
        Column("State", "text"),
        Column("Level now %", "int"),
        Column("Level at start %", "int"),
        Column("Level at end %", "int"),
        Column("Replacements", "int"),
        Column("Used (points)", "int"),
        Column("Flags", "text"),
    ]
    rows = tuple(
        Row(
            (
                *_identity(r.device),
                r.description or r.kind,
                r.color,
                r.cartridge_serial,
                r.state,
                r.level_percent,
                r.start_percent,
                r.end_percent,
                r.replacements,
                r.used_percent,
                " ".join(r.flags),
            )
        )
        for r in report.rows
    )
    subtitle = _period(report.period, scope)
    return Sheet("supplies", "Supplies", subtitle, tuple(columns), rows)


def not_reporting_sheet(report: NotReportingReport, scope: str) -> Sheet:
    """The devices not reporting, longest silent first."""
    columns = [Column(t, k) for t, k in _IDENTITY]
    columns += [
        Column("Last reading (UTC)", "datetime"),
        Column("Silent (hours)", "int"),
        Column("Collector", "text"),
        Column("Collector last seen (UTC)", "datetime"),
    ]
    rows = tuple(
        Row(
            (
                *_identity(r.device),
                r.device.last_seen_at,
                int(r.silent_for.total_seconds() // 3600),
                r.device.collector,
                r.device.collector_last_seen_at,
            )
        )
        for r in report.rows
    )
    subtitle = f"no reading since {report.since:%Y-%m-%d %H:%M} UTC; {scope}"
    return Sheet("not-reporting", "Devices not reporting", subtitle, tuple(columns), rows)
