"""The reports page: a form whose buttons GET the report downloads of the reports service."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request, Response

from printscout.storage import dashboard
from printscout.web.pages import render
from printscout.web.sessions import Shared, SignedIn

router = APIRouter(include_in_schema=False)
KINDS: Final = ("billing", "supplies", "not-reporting")
FORMATS: Final = ("csv", "xlsx", "pdf")


def report_url(kind: str, fmt: str) -> str:
    """The download address of one report (the form adds the filters as its query)."""
    return f"/reports/{kind}.{fmt}"


@router.get("/reports")
def reports_page(request: Request, login: SignedIn, shared: Shared) -> Response:
    """Choose customer, site and period, then one report in one format."""
    with shared.db.reader() as session:
        choices = dashboard.choices(session, login.scope)
    links = [(kind, [(fmt, report_url(kind, fmt)) for fmt in FORMATS]) for kind in KINDS]
    return render(request, login, "reports/reports.html", choices=choices, links=links)
