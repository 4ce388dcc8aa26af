"""A report table as CSV or XLSX bytes (PDF: ``pdf.py``).

Printer-supplied strings (location, model, asset number...) are hostile input: control
characters are removed everywhere, CSV cells that a spreadsheet would read as a formula get a
leading apostrophe, and XLSX cells are written with their type stated, never guessed.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Final

import xlsxwriter  # type: ignore[import-untyped]

from printscout.server.reports.tables import Cell, Sheet

# Excel opens a UTF-8 CSV as UTF-8 only when it starts with a byte order mark.
BOM: Final = "\ufeff"
# What makes a spreadsheet treat a cell as a formula (OWASP "CSV injection").
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DATETIME: Final = "%Y-%m-%d %H:%M:%S"


def clean(text: str) -> str:
    """The text without control characters (they break XML and confuse terminals)."""
    return _CONTROL.sub("", text)


def csv_text(value: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    text = clean(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_cell(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(_DATETIME)
    if isinstance(value, int):
        return value
    return csv_text(value)


def to_csv(sheet: Sheet) -> bytes:
    """The table as UTF-8 CSV with a byte order mark; subtotal rows are marked in column 1."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Row", *(c.title for c in sheet.columns)])
    for row in sheet.rows:
        writer.writerow([row.level, *(_csv_cell(v) for v in row.cells)])
    return out.getvalue().encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    """The table as an XLSX workbook: title lines, a bold header, numbers as numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    page = book.add_worksheet(sheet.name[:31])
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    total = book.add_format({"bold": True, "top": 1})
    total_when = book.add_format({"bold": True, "top": 1, "num_format": "yyyy-mm-dd hh:mm"})
    page.write_string(0, 0, clean(sheet.title), bold)
    page.write_string(1, 0, clean(sheet.subtitle))
    for col, column in enumerate(sheet.columns):
        page.write_string(3, col, column.title, header)
        page.set_column(col, col, 22 if column.kind == "text" else 14)
    page.freeze_panes(4, 0)
    for n, row in enumerate(sheet.rows, start=4):
        plain = row.level == "detail"
        for col, value in enumerate(row.cells):
            if value is None:
                if not plain:
                    page.write_blank(n, col, None, total)
            elif isinstance(value, datetime):
                naive = value.replace(tzinfo=None)
                page.write_datetime(n, col, naive, when if plain else total_when)
            elif isinstance(value, int):
                page.write_number(n, col, value, None if plain else total)
            else:
                page.write_string(n, col, clean(value), None if plain else total)
    if sheet.rows:
        page.autofilter(3, 0, 3 + len(sheet.rows), len(sheet.columns) - 1)
    book.close()
    return out.getvalue()
