"""A report table as a landscape PDF: title and period on every page, the header row repeated.

Printer strings come in any script, so the text is set in TrueType fonts embedded as subsets:
DejaVu Sans (Latin, Greek, Cyrillic, and more; Debian ``fonts-dejavu-core``) with Droid Sans
Fallback (Chinese, Japanese, Korean; Debian ``fonts-droid-fallback``) for what DejaVu lacks.
The paths come from the settings (``[reports]``); a missing fallback only loses those glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from fpdf import FPDF, FontFace

from printscout.server.errors import ServerError
from printscout.server.reports.export import clean
from printscout.server.reports.tables import Cell, Sheet

DEJAVU: Final = Path("/usr/share/fonts/truetype/dejavu")
DEFAULT_REGULAR: Final = DEJAVU / "DejaVuSans.ttf"
DEFAULT_BOLD: Final = DEJAVU / "DejaVuSans-Bold.ttf"
DEFAULT_FALLBACK: Final = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
# Beyond this many columns the page grows from A4 to A3 (both landscape).
A4_COLUMNS: Final = 14
# Relative column widths by kind of cell.
_WEIGHTS: Final = {"text": 1.6, "datetime": 1.5, "int": 1.0}


class FontMissing(ServerError):
    """The PDF font files are not where the settings say (permanent: install the fonts)."""


@dataclass(frozen=True, slots=True)
class PdfFonts:
    """The TrueType files the PDF is set in."""

    regular: Path = DEFAULT_REGULAR
    bold: Path = DEFAULT_BOLD
    fallback: tuple[Path, ...] = (DEFAULT_FALLBACK,)


class _Document(FPDF):
    """A page with the report's title, period and scope on top and page numbers below."""

    def __init__(self, sheet: Sheet, page: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format=page)
        self.sheet = sheet

    def header(self) -> None:
        """Title and subtitle on every page."""
        self.set_font("Report", "B", 12)
        self.cell(0, 7, clean(self.sheet.title), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Report", "", 8)
        self.cell(0, 5, clean(self.sheet.subtitle), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        """Page n of m."""
        self.set_y(-10)
        self.set_font("Report", "", 7)
        self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")


def to_pdf(sheet: Sheet, fonts: PdfFonts) -> bytes:
    """The table as PDF bytes; columns empty in every row are left out to save width."""
    keep = [i for i in range(len(sheet.columns)) if any(r.cells[i] is not None for r in sheet.rows)]
    if not keep:
        keep = list(range(len(sheet.columns)))
    doc = _Document(sheet, "A4" if len(keep) <= A4_COLUMNS else "A3")
    _load_fonts(doc, fonts)
    doc.set_auto_page_break(auto=True, margin=12)
    doc.add_page()
    doc.set_font("Report", "", 6.5 if len(keep) > A4_COLUMNS else 7.5)
    weights = [_WEIGHTS[sheet.columns[i].kind] for i in keep]
    bold = FontFace(emphasis="BOLD")
    with doc.table(
        col_widths=weights,
        width=doc.epw,
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        text_align="LEFT",
        line_height=doc.font_size * 1.35,
        padding=0.8,
    ) as table:
        heading = table.row()
        for i in keep:
            heading.cell(sheet.columns[i].title)
        for row in sheet.rows:
            line = table.row()
            style = None if row.level == "detail" else bold
            for i in keep:
                value = row.cells[i]
                align = "RIGHT" if isinstance(value, int) else "LEFT"
                line.cell(_text(value), align=align, style=style)
    return bytes(doc.output())


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return f"{value:,}"
    return clean(value)


def _load_fonts(doc: FPDF, fonts: PdfFonts) -> None:
    for path in (fonts.regular, fonts.bold):
        if not path.is_file():
            raise FontMissing(f"PDF font {path} not found (Debian: fonts-dejavu-core)")
    doc.add_font("Report", "", fonts.regular)
    doc.add_font("Report", "B", fonts.bold)
    families = []
    for n, path in enumerate(fonts.fallback):
        if path.is_file():
            family = f"Fallback{n}"
            doc.add_font(family, "", path)
            doc.add_font(family, "B", path)
            families.append(family)
    if families:
        doc.set_fallback_fonts(families, exact_match=False)
