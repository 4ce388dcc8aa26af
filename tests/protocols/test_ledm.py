"""HP LEDM parsers: hand-written pages after the reference's element names, and hostile XML."""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.domain.errors import ParseError
from printscout.protocols.ews import ledm
from printscout.protocols.ews.ledm import LedmConsumable, LedmMarkerUsage, LedmUsage

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ews"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# ------------------------------------------------------------------ ProductUsageDyn


def test_it_reads_device_totals_from_the_printer_subunit_not_nested_decoys() -> None:
    usage = ledm.parse_usage(page("color-mfp.ProductUsageDyn.xml"))
    assert (usage.total, usage.mono, usage.color) == (182734, 120455, 62279)
    assert (usage.duplex_sheets, usage.jams) == (40750, 57)


def test_it_reads_per_function_counts() -> None:
    usage = ledm.parse_usage(page("color-mfp.ProductUsageDyn.xml"))
    assert (usage.print, usage.copy, usage.fax) == (141200, 38910, 2624)
    assert (usage.copy_mono, usage.copy_color) == (30055, 8855)
    # the scanner engine's total (copies included) wins over the scan application's
    assert usage.scan == 73310


def test_it_sums_a3_and_ledger_media_rows_as_large() -> None:
    usage = ledm.parse_usage(page("color-mfp.ProductUsageDyn.xml"))
    assert usage.large == 13020 + 614


def test_it_reads_each_installed_cartridges_usage() -> None:
    usage = ledm.parse_usage(page("color-mfp.ProductUsageDyn.xml"))
    assert usage.markers == (
        LedmMarkerUsage("black", "toner", 8412, 42),
        LedmMarkerUsage("cyan", "toner", 5120, 7),
        LedmMarkerUsage("magenta", "toner", 4988, -4),
        LedmMarkerUsage("yellow", "toner", 6033, 81),
    )


def test_it_matches_by_local_name_whatever_the_namespace() -> None:
    usage = ledm.parse_usage(page("inkjet.ProductUsageDyn.xml"))
    assert usage.total == 4211  # whitespace around the number is tolerated
    assert usage.jams == 3
    assert [(m.color, m.kind, m.pages) for m in usage.markers] == [
        ("black", "ink", 1311),
        ("tri-color", "ink", 977),
        ("cyanmagentayellowblack", "printhead", None),
    ]


def test_it_leaves_what_the_device_does_not_give_empty() -> None:
    usage = ledm.parse_usage(page("inkjet.ProductUsageDyn.xml"))
    assert usage.mono is None  # "not-a-number"
    assert usage.color is None
    # a per-media breakdown without A3/ledger rows says nothing about large paper
    assert usage.large is None
    assert (usage.print, usage.copy, usage.fax, usage.scan) == (None, None, None, None)


def test_it_accepts_a_usage_page_without_subunits() -> None:
    xml = b'<u:ProductUsageDyn xmlns:u="urn:x"/>'
    assert ledm.parse_usage(xml) == LedmUsage()


def test_scans_fall_back_to_adf_plus_flatbed() -> None:
    xml = (
        b"<ProductUsageDyn><ScanApplicationSubunit><AdfImages>10</AdfImages>"
        b"<FlatbedImages>5</FlatbedImages></ScanApplicationSubunit></ProductUsageDyn>"
    )
    assert ledm.parse_usage(xml).scan == 15


# ------------------------------------------------------------------ ConsumableConfigDyn


def test_it_reads_every_consumable_with_its_serial() -> None:
    consumables = ledm.parse_consumables(page("color-mfp.ConsumableConfigDyn.xml"))
    assert consumables[0] == LedmConsumable(
        label="K",
        color="black",
        kind="toner",
        percent=40,
        state="ok",
        serial="CNBK40218811",
        product_number="W2010X",
        order_number="659X",
        pages=None,
        installed=datetime.date(2025, 2, 11),
        station=0,
    )
    assert [c.color for c in consumables] == ["black", "cyan", "magenta", "yellow", None]
    assert [c.serial for c in consumables] == [
        "CNBK40218811",
        "CNCY11930275",
        None,  # this cartridge's firmware gives none: the previous cartridge's is not used
        "CNYE52290014",
        "CNTC00017734",
    ]


def test_it_reads_the_life_state_not_the_available_actions() -> None:
    consumables = ledm.parse_consumables(page("color-mfp.ConsumableConfigDyn.xml"))
    assert [c.state for c in consumables] == ["ok", "veryLow", "out", "ok", "ok"]
    assert consumables[4].kind == "waste_toner"


def test_it_tolerates_missing_and_impossible_values() -> None:
    head, black, tri = ledm.parse_consumables(page("inkjet.ConsumableConfigDyn.xml"))
    assert (head.kind, head.color, head.percent) == ("printhead", None, None)
    assert (black.kind, black.color, black.installed) == ("ink_cartridge", "black", None)
    assert (tri.color, tri.percent, tri.state) == ("tri-color", None, "low")  # 250 % dropped
    assert all(c.serial is None for c in (head, black, tri))


def test_page_counts_come_from_usage_when_the_consumable_page_lacks_them() -> None:
    consumables = ledm.parse_consumables(page("color-mfp.ConsumableConfigDyn.xml"))
    usage = ledm.parse_usage(page("color-mfp.ProductUsageDyn.xml"))
    merged = ledm.with_usage_pages(consumables, usage)
    assert [c.pages for c in merged] == [8412, 5120, 4988, 6033, None]
    assert ledm.with_usage_pages(consumables, None) == consumables


# ------------------------------------------------------------------ ProductConfigDyn


def test_it_reads_identity_and_firmware_from_product_information() -> None:
    product = ledm.parse_product(page("color-mfp.ProductConfigDyn.xml"))
    assert product.serial == "CNBRT4K1XY"
    assert product.model == "HP Color LaserJet Managed MFP E78635"
    assert product.product_number == "5RC87A"
    assert product.uuid == "6c1f7e0a-3b4d-4e5f-9a8b-7c6d5e4f3a2b"
    # the root's dd:Version is the schema's (SVN-IPG-LEDM.1042), not the firmware
    assert (product.firmware, product.firmware_date) == ("2409081_061017", "2024-09-08")


def test_a_blank_serial_is_no_serial() -> None:
    product = ledm.parse_product(page("inkjet.ProductConfigDyn.xml"))
    assert product.serial is None
    assert (product.model, product.firmware, product.firmware_date) == (
        "HP DeskJet 2720e All-in-One",
        None,
        "2023-03-14",
    )


# ------------------------------------------------------------------ refusals


def test_a_page_of_another_kind_is_refused() -> None:
    with pytest.raises(ParseError, match="expected an LEDM ProductUsageDyn"):
        ledm.parse_usage(page("color-mfp.ProductConfigDyn.xml"))


@pytest.mark.parametrize(
    ("name", "parse"),
    [
        ("hostile-billion-laughs.xml", ledm.parse_usage),
        ("hostile-external-entity.xml", ledm.parse_product),
        ("hostile-external-dtd.xml", ledm.parse_consumables),
    ],
)
def test_documents_with_a_dtd_are_refused(name: str, parse: Callable[[bytes], object]) -> None:
    started = time.monotonic()
    with pytest.raises(ParseError, match="DTDForbidden"):
        parse(page(name))
    assert time.monotonic() - started < 1.0


def test_a_huge_document_is_refused_before_parsing() -> None:
    filler = b"<JamEvents>1</JamEvents>" * (ledm.MAX_DOCUMENT_BYTES // 24 + 1)
    with pytest.raises(ParseError, match="exceeds"):
        ledm.parse_usage(b"<ProductUsageDyn>" + filler + b"</ProductUsageDyn>")


def test_a_deep_document_is_refused() -> None:
    depth = 100_000
    xml = b"<ProductUsageDyn>" + b"<a>" * depth + b"</a>" * depth + b"</ProductUsageDyn>"
    with pytest.raises(ParseError, match="nested deeper"):
        ledm.parse_usage(xml)


def test_a_document_with_too_many_elements_is_refused() -> None:
    xml = b"<ProductUsageDyn>" + b"<a/>" * (ledm.MAX_ELEMENTS + 1) + b"</ProductUsageDyn>"
    with pytest.raises(ParseError, match="more than"):
        ledm.parse_usage(xml)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><body>Login required</body></html>",
        b"<ProductUsageDyn><PrinterSubunit>",
        b"\xff\xfe\x00<",
        b'<?xml version="1.0" encoding="x-unknown"?><ProductUsageDyn/>',
        b"<pudyn:ProductUsageDyn/>",  # unbound prefix
    ],
)
def test_malformed_pages_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        ledm.parse_usage(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_ever_raise_parse_error(data: bytes) -> None:
    for parse in (ledm.parse_usage, ledm.parse_consumables, ledm.parse_product):
        with contextlib.suppress(ParseError):
            parse(data)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="<>/=\"' abcdPrinterSubunitTotalImpressions0123&;!-", max_size=200))
def test_xml_like_noise_only_ever_raises_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        ledm.parse_usage(("<ProductUsageDyn>" + text + "</ProductUsageDyn>").encode())


def test_a_product_page_without_product_information_is_empty() -> None:
    assert ledm.parse_product(b"<ProductConfigDyn><Other/></ProductConfigDyn>") == (
        ledm.LedmProduct()
    )


def test_a_consumable_without_type_or_label_falls_back_to_its_marker_colour() -> None:
    xml = (
        b"<ConsumableConfigDyn><ConsumableInfo><MarkerColor>Photo Black</MarkerColor>"
        b"</ConsumableInfo></ConsumableConfigDyn>"
    )
    (only,) = ledm.parse_consumables(xml)
    assert (only.color, only.kind, only.label) == ("photo black", None, None)
