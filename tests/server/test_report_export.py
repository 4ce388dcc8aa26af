"""Report tables as CSV, XLSX and PDF, read back with other libraries than wrote them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from pypdf import PdfReader

from printscout.server.reports.export import BOM, csv_text, to_csv, to_xlsx
from printscout.server.reports.pdf import FontMissing, PdfFonts, to_pdf
from printscout.server.reports.tables import Column, Row, Sheet

WHEN = datetime(2026, 11, 30, 18, 5, tzinfo=UTC)
HOSTILE = ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "safe = text")
NON_LATIN_1 = "Zürich Ωmega Пресс 東京 ☃"


def _sheet(rows: int = 3) -> Sheet:
    columns = (
        Column("Serial", "text"),
        Column("Location", "text"),
        Column("Pages", "int"),
        Column("Last read", "datetime"),
    )
    body = [
        Row((f"SN{n:04d}", HOSTILE[n % len(HOSTILE)], 1000 + n, WHEN)) for n in range(rows)
    ]  # fmt: skip
    body.append(Row(("SNUNI", NON_LATIN_1 + "\x07", 7, None)))
    body.append(Row(("Total", None, sum(1000 + n for n in range(rows)) + 7, None), "total"))
    return Sheet(
        "billing", "Billing meter reads", "2026-11-01 to 2026-11-30; Ωmega", columns, tuple(body)
    )


def test_it_quotes_every_cell_a_spreadsheet_would_run_as_a_formula() -> None:
    assert [csv_text(v) for v in HOSTILE] == [
        "'=cmd|' /C calc'!A0",
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "safe = text",
    ]


def test_it_writes_csv_in_utf8_with_a_bom_numbers_plain() -> None:
    data = to_csv(_sheet())
    assert data.startswith(BOM.encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Serial", "Location", "Pages", "Last read"]
    assert rows[1] == ["detail", "SN0000", "'=cmd|' /C calc'!A0", "1000", "2026-11-30 18:05:00"]
    assert rows[4] == ["detail", "SNUNI", NON_LATIN_1, "7", ""]  # the bell character is gone
    assert rows[5] == ["total", "Total", "", str(1000 + 1001 + 1002 + 7), ""]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_it_writes_xlsx_with_typed_cells_and_a_bold_header() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(_sheet())))
    page = book["billing"]
    assert page["A1"].value == "Billing meter reads"
    assert [c.value for c in page[4]] == ["Serial", "Location", "Pages", "Last read"]
    assert page["A4"].font.b
    assert page["B5"].value == HOSTILE[0]  # a string cell, not a formula
    assert page["B5"].data_type == "s"
    assert page["C5"].value == 1000
    assert page["D5"].value == WHEN.replace(tzinfo=None)
    assert page["B8"].value == NON_LATIN_1
    assert (page["A9"].value, page["C9"].value) == ("Total", 3010)
    assert page["A9"].font.b and not page["A5"].font.b


def _pdf_text(data: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


def test_it_writes_a_pdf_with_unicode_text_and_the_header_on_every_page() -> None:
    count, pages = _pdf_text(to_pdf(_sheet(rows=120), PdfFonts()))
    assert count > 1
    for text in pages:
        assert "Billing meter reads" in text
        assert "Serial" in text and "Location" in text
    text = "\n".join(pages)
    assert "SN0119" in text and "3010" not in text  # thousands are grouped
    assert f"{sum(1000 + n for n in range(120)) + 7:,}" in text
    for word in ("Zürich", "Ωmega", "Пресс", "東京"):
        assert word in text


def test_it_refuses_to_write_a_pdf_without_its_font(tmp_path: Path) -> None:
    with pytest.raises(FontMissing):
        to_pdf(_sheet(), PdfFonts(regular=tmp_path / "none.ttf"))
