"""Printer-supplied strings are hostile: a printer whose every text field carries markup, script
or a formula is read in through the collectors' ingest endpoint, then every console page that
shows it must show the text escaped (no element or attribute made of it), and the CSV and XLSX
reports must keep formulas as text."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Final

import pytest
from fastapi import FastAPI
from markupsafe import escape
from sqlalchemy import select

from printscout.domain.reading import Alert, Identity, Reading, Status, Tray
from printscout.domain.wire import batch_to_wire
from printscout.storage.fleet import Device
from printscout.storage.session import Database
from tests.security.clients import client, open_console
from tests.security.world import World
from tests.storage.fleet_samples import batch, observed, reading, toner

# Independent of the database: SQLite only (the PostgreSQL half would only cost time).
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("shared_db", ["sqlite"], indirect=True),
]

# One payload per printer-supplied field, each unique so a leak names its field.
MARKUP: Final = {
    "hostname": "<script>alert('host')</script>",
    "model": '"><img src=x onerror=alert("model")>',
    "location": "javascript:alert('location')//<a href=javascript:alert(1)>loc</a>",
    "manufacturer": "'><svg/onload=alert('maker')>",
    "firmware": "\u202e<iframe src=javascript:alert('fw')></iframe>",
    "contact": "<style>*{display:none}</style>contact",
    "asset_number": "{{ 7*7 }}<b onmouseover=alert('asset')>A1</b>",
    "sys_descr": "\ufe64script\ufe65alert('descr')\ufe64/script\ufe65",
    "display": "<marquee onstart=alert('display')>Ready</marquee>",
    "alert": "<img src=x onerror=alert('alert-description')>",
    "supply": "<script>alert('supply')</script>Black",
    "tray": "<body onload=alert('tray')>Tray 1",
    "tray_media": "A4\"><script>alert('media')</script>",
    "serial": "SER<script>1</script>",
}
# Cells a spreadsheet would run as a formula (OWASP CSV injection), on a device gone silent.
FORMULAS: Final = {
    "model": '=HYPERLINK("http://evil.test/","click")',
    "location": "+cmd|' /C calc'!A0",
    "asset_number": "-2+3+cmd|' /C calc'!A0",
    "manufacturer": "@SUM(1+1)*cmd|' /C calc'!A0",
    "serial": "\t=1+1",
    "hostname": "\r=1+1",
}


def hostile_reading(n: int, fields: dict[str, str], address: str) -> Reading:
    """A printer reading with ``fields`` put in every string the collector forwards."""
    base = reading(n, address=address)
    identity = Identity(
        **{f: fields.get(f, getattr(base.identity, f)) for f in Identity.__dataclass_fields__}
    )
    supplies = list(base.supplies)
    supplies[0] = replace(toner(1, "black", 2), description=fields.get("supply", "Black"))
    status = Status(
        device="warning",
        printer="idle",
        errors=("lowToner",),
        display=(fields.get("display", "Ready"),),
        alerts=(Alert("warning", "lowToner", fields.get("alert")),),
    )
    trays = (Tray(1, fields.get("tray", "Tray 1"), fields.get("tray_media", "A4"), 200, 250),)
    return replace(base, identity=identity, supplies=tuple(supplies), status=status, trays=trays)


async def ingest(app: FastAPI, world: World, at: datetime, readings: list[Reading]) -> None:
    """Upload the readings as the HQ collector does."""
    document = batch_to_wire(
        batch(str(world.a.ids["public_id"]), [observed(at, r) for r in readings])
    )
    async with client(app, token=world.collector_keys["hq"]) as http:
        answer = await http.post("/api/v1/ingest", json=document)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"], answer.text


class Elements(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def injected(html: str) -> list[str]:
    """Elements or attributes a printer string could have made: inline scripts, event handler
    attributes, javascript: URLs, frames, styles."""
    parser = Elements()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        names = dict(attrs)
        if tag == "script" and not (names.get("src") or "").startswith("/static/"):
            found.append(f"<script {attrs}>")
        if tag in ("iframe", "svg", "marquee", "style") or (
            tag == "img" and names.get("src") == "x"
        ):
            found.append(f"<{tag} {attrs}>")
        found += [f"<{tag} {n}=…>" for n, _ in attrs if n.startswith("on")]
        found += [
            f"<{tag} {n}={v}>"
            for n, v in attrs
            if n in ("href", "src", "action", "formaction")
            and (v or "").strip().lower().startswith("javascript:")
        ]
    return found


@pytest.fixture(scope="module")
async def hostile(shared_app: FastAPI, shared_db: Database, world: World) -> dict[str, int]:
    """The two hostile printers, read in now (markup) and three hours ago (formulas)."""
    now = datetime.now(UTC).replace(microsecond=0)
    await ingest(
        shared_app, world, now - timedelta(hours=3), [hostile_reading(900, FORMULAS, "10.9.0.2")]
    )
    await ingest(
        shared_app, world, now - timedelta(minutes=1), [hostile_reading(901, MARKUP, "10.9.0.1")]
    )
    with shared_db.reader() as session:
        ids = dict(session.execute(select(Device.address, Device.id)).all())
    return {"markup": ids["10.9.0.1"], "formulas": ids["10.9.0.2"]}


async def test_it_shows_printer_strings_only_escaped_on_every_page(
    shared_app: FastAPI, shared_db: Database, world: World, hostile: dict[str, int]
) -> None:
    cookie, _ = open_console(shared_db, world.emails["oscar"])
    device = hostile["markup"]
    async with client(shared_app, cookie=cookie) as http:
        alerts = (await http.get("/alerts")).text
        alert_ids = sorted(
            {
                int(a.split('"')[0])
                for a in alerts.split('href="/alerts/')[1:]
                if a.split('"')[0].isdigit()
            }
        )
        paths = [
            "/", "/?q=SER", f"/devices/{device}", "/alerts", "/alerts?state=all",
            *(f"/alerts/{a}" for a in alert_ids),
            f"/customers/{world.a.ids['customer_id']}/orders", "/collectors", "/reports",
        ]  # fmt: skip
        pages = {path: (await http.get(path)) for path in paths}
        fragment = await http.get("/", headers={"HX-Request": "true"})
    pages["/ (htmx rows)"] = fragment
    shown: set[str] = set()
    for path, answer in pages.items():
        assert answer.status_code == 200, path
        assert injected(answer.text) == [], path
        for field, payload in MARKUP.items():
            assert payload not in answer.text, (path, field)
            if str(escape(payload)) in answer.text:
                shown.add(field)
    # The escaped text is really on the pages: what a user must see is there, as text.
    visible = {"hostname", "model", "location", "manufacturer", "firmware", "display", "supply"}
    assert visible <= shown, visible - shown
    assert alert_ids, "the supply-low rule opened no alert on the hostile printer"


def csv_cells(body: bytes) -> list[str]:
    """Every cell of a CSV report."""
    return [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]


def xlsx_cells(body: bytes) -> tuple[str, str]:
    """The shared strings and the sheet XML of an XLSX report."""
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    return strings, sheet


async def test_it_keeps_formulas_as_text_in_csv_and_xlsx_reports(
    shared_app: FastAPI, shared_db: Database, world: World, hostile: dict[str, int]
) -> None:
    cookie, _ = open_console(shared_db, world.emails["oscar"])
    today = datetime.now(UTC).date()
    period = {"start": str(today.replace(day=1)), "end": str(today + timedelta(days=1))}
    queries = {
        "billing": period,
        "supplies": period,
        "not-reporting": {"silent_hours": "2"},
    }
    formula_start = ("=", "+", "-", "@", "\t", "\r")
    seen: set[str] = set()
    async with client(shared_app, cookie=cookie) as http:
        for kind, params in queries.items():
            answer = await http.get(f"/reports/{kind}.csv", params=params)
            assert answer.status_code == 200, answer.text
            cells = csv_cells(answer.content)
            assert not [c for c in cells if c.startswith(formula_start)], kind
            seen |= {
                f
                for f, p in FORMULAS.items()
                if "'" + p.lstrip("\t\r") in cells or "'" + p in cells
            }
            book = await http.get(f"/reports/{kind}.xlsx", params=params)
            assert book.status_code == 200
            _, sheet = xlsx_cells(book.content)
            assert "<f>" not in sheet, f"{kind}.xlsx holds a formula"
            # Markup in a file is harmless only as a download, never rendered by the browser.
            assert answer.headers["content-disposition"].startswith("attachment")
            assert answer.headers["x-content-type-options"] == "nosniff"
    assert {"model", "location", "asset_number", "manufacturer"} <= seen, seen
