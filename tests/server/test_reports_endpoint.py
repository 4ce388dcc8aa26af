"""``GET /reports/{kind}.{fmt}``: every format over HTTP, scoping, parameters refused with 422."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import openpyxl  # type: ignore[import-untyped]
import pytest
from fastapi import HTTPException, Request
from pypdf import PdfReader

from printscout.server.app import create_app
from printscout.server.reports.routes import period_of
from printscout.server.settings import ReportSettings, ServerSettings
from printscout.storage.accounts import Scope
from printscout.storage.session import Database
from tests.server.report_fleet import LOCATION_1, LOCATION_5, Fleet, build

pytestmark = pytest.mark.anyio
NOVEMBER = {"start": "2026-11-01", "end": "2026-12-01"}


class _Resolver:
    """'X-Test-User: all' sees every customer of the dealer, 'globex' only Globex."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    def resolve(self, request: Request) -> Scope | None:
        user = request.headers.get("x-test-user")
        if user is None:
            return None
        return self.fleet.scope(self.fleet.globex_id) if user == "globex" else self.fleet.scope()


@pytest.fixture
def fleet(db: Database) -> Fleet:
    """The sample fleet."""
    return build(db)


def _client(settings: ServerSettings, db: Database, fleet: Fleet) -> httpx.AsyncClient:
    """A client of the app over ``db``, signed in as the user who sees every customer."""
    app = create_app(settings, database=db)
    app.state.scope_resolvers = [_Resolver(fleet)]
    transport = httpx.ASGITransport(app=app)
    headers = {"X-Test-User": "all"}
    return httpx.AsyncClient(
        transport=transport, base_url="http://printscout.test", headers=headers
    )


@pytest.fixture
async def http(
    settings: ServerSettings, db: Database, fleet: Fleet
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app with the default settings."""
    async with _client(settings, db, fleet) as client:
        yield client


async def test_it_answers_billing_as_json(http: httpx.AsyncClient) -> None:
    response = await http.get("/reports/billing.json", params=NOVEMBER)
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-11-01", "end": "2026-12-01"}
    assert body["total"]["deltas"][0] == 3480
    serials = [r["device"]["serial"] for r in body["rows"]]
    assert serials == [f"PSHP00000{n}" for n in (3, 4, 1, 2, 5)]
    assert "content-disposition" not in response.headers


async def test_it_downloads_billing_as_csv(http: httpx.AsyncClient) -> None:
    response = await http.get("/reports/billing.csv", params=NOVEMBER)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="printscout-billing-2026-11-01-to-2026-11-30.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_serial = {r["Serial"]: r for r in rows if r["Row"] == "detail"}
    assert by_serial["PSHP000001"]["Location"] == "'" + LOCATION_1
    assert by_serial["PSHP000001"]["Asset"] == "'@SUM(A1)"
    assert (by_serial["PSHP000001"]["Unit"], by_serial["PSHP000002"]["Unit"]) == ("impressions", "")
    assert by_serial["PSHP000002"]["total pages"] == "1180"
    assert by_serial["PSHP000005"]["Location"] == LOCATION_5
    total = [r for r in rows if r["Row"] == "total"]
    assert [(t["Customer"], t["total pages"]) for t in total] == [("Total", "3480")]


async def test_it_downloads_billing_as_xlsx(http: httpx.AsyncClient) -> None:
    response = await http.get("/reports/billing.xlsx", params=NOVEMBER)
    assert response.headers["content-disposition"].endswith('.xlsx"')
    page = openpyxl.load_workbook(io.BytesIO(response.content))["billing"]
    header = [c.value for c in page[4]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in page.iter_rows(5)]
    device = next(r for r in rows if r["Serial"] == "PSHP000004")
    assert (device["total start"], device["total end"], device["total pages"]) == (300, 800, 500)
    assert rows[-1]["Customer"] == "Total" and rows[-1]["total pages"] == 3480
    assert next(r for r in rows if r["Serial"] == "PSHP000001")["Location"] == LOCATION_1


async def test_it_downloads_billing_as_pdf(http: httpx.AsyncClient) -> None:
    response = await http.get("/reports/billing.pdf", params=NOVEMBER)
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "2026-11-01 to 2026-11-30" in text and "all customers" in text
    assert "PSHP000005" in text and "3,480" in text
    assert "Пресс" in text and "東京" in text


async def test_it_downloads_supplies_and_devices_not_reporting(http: httpx.AsyncClient) -> None:
    supplies = await http.get("/reports/supplies.csv", params=NOVEMBER)
    rows = list(csv.DictReader(io.StringIO(supplies.content.decode("utf-8-sig"))))
    black = next(r for r in rows if r["Serial"] == "PSHP000001" and r["Colour"] == "black")
    assert (black["Replacements"], black["Used (points)"], black["Level now %"]) == (
        "1",
        "25",
        "88",
    )
    silent = await http.get("/reports/not-reporting.json", params={"silent_hours": 24})
    serials = {r["device"]["serial"] for r in silent.json()["rows"]}
    assert serials == {f"PSHP00000{n}" for n in range(1, 6)}  # the data ends on 1 December
    pdf = await http.get("/reports/not-reporting.pdf")
    assert "br-01" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)


async def test_it_shows_a_scoped_user_only_their_customers(
    http: httpx.AsyncClient, fleet: Fleet
) -> None:
    globex = {"X-Test-User": "globex"}
    response = await http.get("/reports/billing.json", params=NOVEMBER, headers=globex)
    assert [r["device"]["serial"] for r in response.json()["rows"]] == ["PSHP000005"]
    for kind in ("supplies", "not-reporting"):
        found = await http.get(f"/reports/{kind}.csv", params=NOVEMBER, headers=globex)
        assert "PSHP000001" not in found.text and "PSHP000005" in found.text
    outside = {**NOVEMBER, "customer_id": str(fleet.acme_id)}
    refused = await http.get("/reports/billing.csv", params=outside, headers=globex)
    assert refused.status_code == 404
    other_dealer = {**NOVEMBER, "customer_id": str(fleet.other_customer_id)}
    assert (await http.get("/reports/billing.csv", params=other_dealer)).status_code == 404
    site = {**NOVEMBER, "site_id": str(fleet.branch_site_id)}
    branch = await http.get("/reports/billing.json", params=site)
    assert [r["device"]["site"] for r in branch.json()["rows"]] == ["Branch", "Branch"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-12-01", "end": "2026-11-01"}, "must be after start"),
        ({"start": "2026-11-01", "end": "2026-11-01"}, "must be after start"),
        ({"start": "2025-01-01", "end": "2026-12-01"}, "at most 400"),
        ({"start": "2026-13-01", "end": "2026-12-01"}, "date"),
        ({"customer_id": "acme"}, "integer"),
        ({"silent_hours": "0"}, "greater than or equal to 1"),
    ],
)
async def test_it_refuses_bad_parameters(
    http: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await http.get("/reports/billing.csv", params=params)
    assert response.status_code == 422
    assert message in response.text


async def test_it_takes_empty_form_fields_as_absent(http: httpx.AsyncClient) -> None:
    form = {**NOVEMBER, "customer_id": "", "site_id": ""}
    response = await http.get("/reports/billing.json", params=form)
    assert response.status_code == 200 and len(response.json()["rows"]) == 5


async def test_it_answers_404_for_an_unknown_report_or_format(http: httpx.AsyncClient) -> None:
    assert (await http.get("/reports/invoices.csv")).status_code == 404
    assert (await http.get("/reports/billing.docx")).status_code == 404


async def test_it_refuses_a_caller_without_credentials(http: httpx.AsyncClient) -> None:
    http.headers.pop("X-Test-User")
    assert (await http.get("/reports/billing.csv")).status_code == 401


async def test_it_refuses_a_pdf_longer_than_the_limit_but_not_a_csv(
    settings: ServerSettings, db: Database, fleet: Fleet
) -> None:
    small = settings.model_copy(update={"reports": ReportSettings(pdf_max_rows=3)})
    async with _client(small, db, fleet) as http:
        pdf = await http.get("/reports/billing.pdf", params=NOVEMBER)
        csv_file = await http.get("/reports/billing.csv", params=NOVEMBER)
    assert pdf.status_code == 422 and "choose a customer_id" in pdf.text
    assert csv_file.status_code == 200


async def test_it_answers_503_when_the_pdf_font_is_missing(
    settings: ServerSettings, db: Database, fleet: Fleet, tmp_path: Path
) -> None:
    fonts = ReportSettings(pdf_font=tmp_path / "missing.ttf")
    async with _client(settings.model_copy(update={"reports": fonts}), db, fleet) as http:
        response = await http.get("/reports/billing.pdf", params=NOVEMBER)
    assert response.status_code == 503 and "missing.ttf" in response.text


def test_it_defaults_to_the_previous_calendar_month() -> None:
    today = date(2026, 3, 15)
    assert period_of(None, None, 400, today).start == date(2026, 2, 1)
    assert period_of(None, None, 400, today).end == date(2026, 3, 1)
    assert period_of(date(2026, 3, 1), None, 400, today).end == date(2026, 3, 16)
    assert period_of(None, date(2026, 3, 10), 400, today).start == date(2026, 2, 8)
    with pytest.raises(HTTPException):
        period_of(date(2026, 1, 1), date(2026, 3, 1), 30, today)
