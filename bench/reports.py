"""Report timings for a 10,000-device fleet on SQLite and PostgreSQL.

``python -m bench.reports --out bench/reports.json`` (a few minutes). The fleet (50 customers,
4 sites each, 50 printers a site) is written straight into the tables: daily roll-ups from 27
October to 28 November 2026, then raw readings every two hours on 29 and 30 November (as if
the roll-up had last run on the 29th), five supply slots per printer, one counter reset in every
hundred printers. Timed: the billing and supplies reports for November (the query and the
rules), and the billing report written as CSV and XLSX (all of it) and PDF (its first 2,000
rows, the most a PDF download allows by default).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, Final, TypeVar

from sqlalchemy import insert, select

from bench.ingest import database
from bench.measure import Json
from printscout.server.reports.export import to_csv, to_xlsx
from printscout.server.reports.pdf import PdfFonts, to_pdf
from printscout.server.reports.service import billing, supplies
from printscout.server.reports.tables import billing_sheet
from printscout.storage.accounts import Dealer, Role, Scope, create_collector, ensure_site
from printscout.storage.fleet import Device, DeviceSupply
from printscout.storage.readings import ReadingDay, ReadingRecord
from printscout.storage.session import Database, DatabaseConfig

CUSTOMERS: Final = 50
SITES: Final = 4
PER_SITE: Final = 50
FIRST_DAY: Final = date(2026, 10, 27)
ROLLED_UP_TO: Final = date(2026, 11, 29)  # days before this are rolled up
END: Final = date(2026, 12, 1)
PDF_ROWS: Final = 2000
T = TypeVar("T")


def _supplies(day: int) -> list[dict[str, Any]]:
    return [
        {"index": i, "level_percent": max(0, 90 - day - i), "state": "ok", "level": None}
        for i in range(1, 6)
    ]


def _counters(n: int, hours: float) -> dict[str, int]:
    total = 10_000 + n * 7 + int(hours * 9)
    if n % 100 == 0 and hours > 400:
        total -= 9_000  # a board swap in mid-November
    mono = total * 2 // 3
    return {"counter_total": total, "counter_mono": mono, "counter_color": total - mono}


def populate(db: Database) -> Scope:
    """The fleet described in the module docstring; returns the dealer-wide scope."""
    start = datetime.combine(FIRST_DAY, clock(), UTC)
    with db.writer() as session:
        sites = [
            ensure_site(session, "Bench Dealer", f"Customer {c:02d}", f"Site {s}")
            for c in range(CUSTOMERS)
            for s in range(SITES)
        ]
        collectors = [create_collector(session, site.id, f"col-{site.id}")[0] for site in sites]
        dealer_id = session.scalar(select(Dealer.id).where(Dealer.name == "Bench Dealer"))
        devices = [
            {
                "dealer_id": dealer_id,
                "site_id": site.id,
                "collector_id": col.id,
                "serial": f"BENCH{n:06d}",
                "address": f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}",
                "kind": "printer",
                "manufacturer": "HP",
                "model": "Color LaserJet M555",
                "first_seen_at": start,
                "last_seen_at": datetime.combine(END, clock(), UTC),
            }
            for n, (site, col) in enumerate(
                (s, c) for s, c in zip(sites, collectors, strict=True) for _ in range(PER_SITE)
            )
        ]
        returning = insert(Device).returning(Device.id, sort_by_parameter_order=True)
        ids = list(session.scalars(returning, devices))
        session.execute(insert(DeviceSupply), list(_slots(ids, start)))
    for rows in _chunked(_days(ids)):
        with db.writer() as session:
            session.execute(insert(ReadingDay), rows)
    for rows in _chunked(_raw(ids, collectors[0].id)):
        with db.writer() as session:
            session.execute(insert(ReadingRecord), rows)
    assert dealer_id is not None
    return Scope(0, dealer_id, Role.ADMIN, None)


def _slots(ids: list[int], at: datetime) -> Iterator[dict[str, Any]]:
    for device_id in ids:
        for s in _supplies(35):
            yield {
                "device_id": device_id,
                "supply_index": s["index"],
                "kind": "toner",
                "level_percent": s["level_percent"],
                "state": "ok",
                "first_seen_at": at,
                "changed_at": at,
            }


def _days(ids: list[int]) -> Iterator[dict[str, Any]]:
    for d in range((ROLLED_UP_TO - FIRST_DAY).days):
        day = FIRST_DAY + timedelta(days=d)
        last = datetime.combine(day, clock(22), UTC)
        for n, device_id in enumerate(ids):
            yield {
                "device_id": device_id,
                "day": day,
                "readings": 12,
                "first_observed_at": last - timedelta(hours=22),
                "last_observed_at": last,
                **_counters(n, d * 24 + 22),
                "pages": 200,
                "errors": [],
                "supplies": _supplies(d),
            }


def _raw(ids: list[int], collector_id: int) -> Iterator[dict[str, Any]]:
    base = (ROLLED_UP_TO - FIRST_DAY).days
    for h in range(0, 48, 2):
        at = datetime.combine(ROLLED_UP_TO, clock(), UTC) + timedelta(hours=h)
        for n, device_id in enumerate(ids):
            yield {
                "device_id": device_id,
                "collector_id": collector_id,
                "observed_at": at,
                **_counters(n, base * 24 + h),
                "errors": [],
                "display": [],
                "alerts": [],
                "supplies": _supplies(base + h // 24),
                "trays": [],
            }


def _chunked(rows: Iterator[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """The result of ``work`` and its wall seconds."""
    began = time.perf_counter()
    result = work()
    return result, round(time.perf_counter() - began, 3)


def run_case(backend: str, folder: Path) -> Json:
    """Populate one database and time the reports on it."""
    with database(backend, folder) as url:
        db = Database(DatabaseConfig(url))
        try:
            scope, fill_s = timed(lambda: populate(db))
            with db.reader() as session:
                report, billing_s = timed(lambda: billing(session, scope, date(2026, 11, 1), END))
                sup, supplies_s = timed(lambda: supplies(session, scope, date(2026, 11, 1), END))
        finally:
            db.dispose()
    sheet = billing_sheet(report, "all customers")
    csv, csv_s = timed(lambda: to_csv(sheet))
    xlsx, xlsx_s = timed(lambda: to_xlsx(sheet))
    # A PDF is refused beyond reports.pdf_max_rows (2,000): time one of that size.
    part = replace(sheet, rows=sheet.rows[:PDF_ROWS])
    pdf, pdf_s = timed(lambda: to_pdf(part, PdfFonts()))
    resets = sum(1 for r in report.rows if "total_reset" in r.flags)
    return {
        "database": backend,
        "devices": len(report.rows),
        "supply_rows": len(sup.rows),
        "devices_with_reset": resets,
        "populate_s": fill_s,
        "billing_s": billing_s,
        "supplies_s": supplies_s,
        "export_s": {"csv": csv_s, "xlsx": xlsx_s, f"pdf_{PDF_ROWS}_rows": pdf_s},
        "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()],
        "export_bytes": {"csv": len(csv), "xlsx": len(xlsx), f"pdf_{PDF_ROWS}_rows": len(pdf)},
    }


def main() -> None:
    """Run both databases and write the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/reports.json"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    cases = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as folder:
            cases.append(run_case(backend, Path(folder)))
            print(json.dumps(cases[-1]), flush=True)
    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "cases": cases}
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
