"""``GET /reports/{kind}.{fmt}``: billing, supplies and not-reporting as CSV, XLSX, PDF or JSON.

Any caller with a scope (a console session, an API token) may read them; they see only their
scope. Periods are whole UTC days: ``start`` inclusive, ``end`` exclusive (``start=2026-11-01&
end=2026-12-01`` is November); without them the report covers the previous calendar month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Final

import anyio
import orjson
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BeforeValidator, Field
from sqlalchemy.orm import Session

from printscout.server.api.common import MAX_ID
from printscout.server.reports import service
from printscout.server.reports.export import to_csv, to_xlsx
from printscout.server.reports.pdf import FontMissing, PdfFonts, to_pdf
from printscout.server.reports.points import Period, scope_label
from printscout.server.reports.tables import (
    Sheet,
    billing_sheet,
    not_reporting_sheet,
    supplies_sheet,
)
from printscout.server.scope import CurrentScope
from printscout.server.settings import ReportSettings
from printscout.storage.accounts import Scope
from printscout.storage.base import utcnow
from printscout.storage.session import Database

router = APIRouter(tags=["reports"])

KINDS: Final = ("billing", "supplies", "not-reporting")
MEDIA: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}

# An HTML form sends an empty field as "": the same as leaving the parameter out.
_BLANK: Final = BeforeValidator(lambda value: None if value == "" else value)
# An id a database column can hold (a larger one overflowed the driver: a 500, not a 422).
_Id = Annotated[int, Field(ge=1, le=MAX_ID)]


@router.get(
    "/reports/{kind}.{fmt}",
    response_class=Response,
    responses={
        200: {"description": "the report as a file (csv, xlsx, pdf) or as JSON"},
        401: {"description": "no console session or API token"},
        404: {"description": "unknown report or format, or a customer/site outside the scope"},
        422: {"description": "bad parameters: dates, period backwards or too long"},
    },
)
async def report(
    request: Request,
    kind: str,
    fmt: str,
    scope: CurrentScope,
    start: Annotated[date | None, _BLANK] = None,
    end: Annotated[date | None, _BLANK] = None,
    customer_id: Annotated[_Id | None, _BLANK] = None,
    site_id: Annotated[_Id | None, _BLANK] = None,
    silent_hours: Annotated[int, Query(ge=1, le=24 * 400)] = 24,
) -> Response:
    """One report for the caller's scope, optionally of one customer or site."""
    if kind not in KINDS or fmt not in MEDIA:
        raise HTTPException(404, f"no report {kind}.{fmt}: kinds {KINDS}, formats {tuple(MEDIA)}")
    settings: ReportSettings = request.app.state.settings.reports
    period = period_of(start, end, settings.max_days, utcnow().date())
    db: Database = request.app.state.db
    job = _Job(kind, scope, period, customer_id, site_id, timedelta(hours=silent_hours))

    def work() -> tuple[Any, str | None]:
        with db.reader() as session:
            label = scope_label(session, scope, customer_id, site_id)
            return (None if label is None else job.run(session)), label

    found, label = await anyio.to_thread.run_sync(work)
    if label is None:
        raise HTTPException(404, "no such customer or site in your scope")
    if fmt == "json":
        return Response(orjson.dumps(found, default=_json_default), media_type=MEDIA["json"])
    body = await _file(_SHEETS[kind](found, label), fmt, settings)
    name = _filename(kind, period, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=MEDIA[fmt], headers=headers)


async def _file(sheet: Sheet, fmt: str, settings: ReportSettings) -> bytes:
    """The sheet as a file, written in a worker thread; refuses a PDF too long to be useful."""
    if fmt == "pdf" and len(sheet.rows) > settings.pdf_max_rows:
        raise HTTPException(
            422,
            f"{len(sheet.rows)} rows is more than a PDF holds here ({settings.pdf_max_rows}): "
            "choose a customer_id or site_id, or download csv or xlsx",
        )
    fallback = tuple(settings.pdf_fallback_fonts)
    fonts = PdfFonts(settings.pdf_font, settings.pdf_bold_font, fallback)
    try:
        return await anyio.to_thread.run_sync(lambda: render(sheet, fmt, fonts))
    except FontMissing as exc:
        raise HTTPException(503, str(exc)) from exc


def period_of(start: date | None, end: date | None, max_days: int, today: date) -> Period:
    """The period asked for, defaults filled in; HTTP 422 when it is backwards or too long."""
    if end is None:
        end = today.replace(day=1) if start is None else today + timedelta(days=1)
    if start is None:
        month_before = (end - timedelta(days=1)).replace(day=1)
        start = month_before if end.day == 1 else end - timedelta(days=30)
    if end <= start:
        raise HTTPException(422, f"end ({end}) must be after start ({start}); end is exclusive")
    if (end - start).days > max_days:
        days = (end - start).days
        raise HTTPException(422, f"the period is {days} days; at most {max_days} are allowed")
    return Period(start, end)


@dataclass(frozen=True, slots=True)
class _Job:
    """The report to compute, with its parameters."""

    kind: str
    scope: Scope
    period: Period
    customer_id: int | None
    site_id: int | None
    silent_for: timedelta

    def run(self, session: Session) -> Any:
        """The report's dataclass."""
        p, c, s = self.period, self.customer_id, self.site_id
        if self.kind == "billing":
            return service.billing(session, self.scope, p.start, p.end, c, s)
        if self.kind == "supplies":
            return service.supplies(session, self.scope, p.start, p.end, c, s)
        return service.not_reporting(session, self.scope, self.silent_for, c, s)


_SHEETS: Final[dict[str, Callable[[Any, str], Sheet]]] = {
    "billing": billing_sheet,
    "supplies": supplies_sheet,
    "not-reporting": not_reporting_sheet,
}


def render(sheet: Sheet, fmt: str, fonts: PdfFonts) -> bytes:
    """The sheet in one of the file formats."""
    if fmt == "csv":
        return to_csv(sheet)
    if fmt == "xlsx":
        return to_xlsx(sheet)
    return to_pdf(sheet, fonts)


def _filename(kind: str, period: Period, fmt: str) -> str:
    if kind == "not-reporting":
        return f"printscout-not-reporting-{utcnow():%Y-%m-%d-%H%M}.{fmt}"
    last = period.end - timedelta(days=1)
    return f"printscout-{kind}-{period.start.isoformat()}-to-{last.isoformat()}.{fmt}"


def _json_default(value: object) -> object:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    raise TypeError(f"cannot serialise {type(value).__name__}")
