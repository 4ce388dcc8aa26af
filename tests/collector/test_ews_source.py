"""apply_ledm: LEDM fills what SNMP left empty and never replaces what SNMP gave."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from printscout.collector.ews_source import LEVEL_SOURCE, apply_ledm, supply_state
from printscout.domain.reading import (
    Counters,
    DeviceKind,
    Identity,
    Reading,
    Supply,
    SupplyState,
)
from printscout.protocols.ews import ledm
from printscout.protocols.ews.ledm import LedmConsumable, LedmProduct, LedmUsage

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ews"
USAGE = ledm.parse_usage((FIXTURES / "color-mfp.ProductUsageDyn.xml").read_bytes())
CONSUMABLES = ledm.parse_consumables((FIXTURES / "color-mfp.ConsumableConfigDyn.xml").read_bytes())
PRODUCT = ledm.parse_product((FIXTURES / "color-mfp.ProductConfigDyn.xml").read_bytes())


def toner(index: int, color: str | None, percent: int | None, **extra: object) -> Supply:
    fields: dict[str, object] = {
        "index": index,
        "description": f"{color} cartridge",
        "kind": "toner",
        "color": color,
        "level_percent": percent,
        "state": SupplyState.OK if percent is not None else SupplyState.UNKNOWN,
        "level": percent if percent is not None else -2,
        "max_capacity": 100,
        "unit": "percent",
    }
    fields.update(extra)
    return Supply(**fields)  # type: ignore[arg-type]


def snmp_reading(**changes: object) -> Reading:
    reading = Reading(
        address="192.0.2.10",
        kind=DeviceKind.PRINTER,
        identity=Identity(manufacturer="HP", model="HP Color LaserJet E78635", serial="CNBRT4K1XY"),
        supplies=(
            toner(1, "black", 38),
            toner(2, "cyan", None),
            toner(3, "magenta", 0, state=SupplyState.EMPTY, serial="SNMP-MAGENTA"),
            toner(4, "yellow", 80),
            toner(5, None, 60, kind="waste_toner", description="Toner Collection Unit"),
        ),
        counters=Counters(total=182001, unit="impressions"),
    )
    return replace(reading, **changes)  # type: ignore[arg-type]


def test_it_leaves_the_reading_alone_when_there_is_nothing() -> None:
    reading = snmp_reading()
    assert apply_ledm(reading, None, None, None) == reading
    assert apply_ledm(reading, None, (), None) == reading


def test_it_fills_missing_counters_and_keeps_the_snmp_total() -> None:
    counters = apply_ledm(snmp_reading(), USAGE, None, None).counters
    assert counters.total == 182001  # SNMP's, though LEDM says 182734
    assert (counters.mono, counters.color) == (120455, 62279)
    assert (counters.print, counters.copy, counters.fax, counters.scan) == (
        141200,
        38910,
        2624,
        73310,
    )
    assert counters.unit == "impressions"


def test_it_never_replaces_a_counter_snmp_gave() -> None:
    given = Counters(total=10, mono=7, color=3, copy=1, unit="impressions")
    counters = apply_ledm(snmp_reading(counters=given), USAGE, None, None).counters
    assert (counters.total, counters.mono, counters.color, counters.copy) == (10, 7, 3, 1)
    assert counters.print == 141200


def test_counters_fill_an_empty_reading_and_name_the_unit() -> None:
    counters = apply_ledm(snmp_reading(counters=Counters()), USAGE, None, None).counters
    assert (counters.total, counters.unit) == (182734, "impressions")


def test_counters_in_another_unit_are_not_mixed_with_impressions() -> None:
    given = Counters(total=90000, unit="sheets")
    assert apply_ledm(snmp_reading(counters=given), USAGE, None, None).counters == given


def test_identity_gains_what_snmp_lacked_only() -> None:
    reading = snmp_reading(identity=Identity(model="SNMP model"))
    identity = apply_ledm(reading, None, None, PRODUCT).identity
    assert identity.serial == "CNBRT4K1XY"
    assert identity.model == "SNMP model"
    assert identity.manufacturer == "HP"
    assert identity.firmware == "2409081_061017"

    kept = Identity(manufacturer="HP", serial="SNMPSERIAL", firmware="snmp-fw")
    identity = apply_ledm(snmp_reading(identity=kept), None, None, PRODUCT).identity
    assert (identity.serial, identity.firmware) == ("SNMPSERIAL", "snmp-fw")


def test_a_firmware_date_stands_in_for_a_missing_revision() -> None:
    product = LedmProduct(firmware_date="2023-03-14")
    reading = snmp_reading(identity=Identity(serial=" "))
    identity = apply_ledm(reading, None, None, product).identity
    assert identity.firmware == "2023-03-14"
    assert identity.serial is None


def test_supplies_gain_cartridge_serials_matched_by_colour_and_kind() -> None:
    supplies = apply_ledm(snmp_reading(), None, CONSUMABLES, None).supplies
    assert [s.serial for s in supplies] == [
        "CNBK40218811",
        "CNCY11930275",
        "SNMP-MAGENTA",  # SNMP's own serial stays
        "CNYE52290014",
        "CNTC00017734",  # colourless: matched by kind alone
    ]


def test_a_missing_level_is_filled_with_its_state_and_a_given_one_kept() -> None:
    supplies = apply_ledm(snmp_reading(), None, CONSUMABLES, None).supplies
    black, cyan, magenta = supplies[:3]
    assert (black.level_percent, black.state) == (38, SupplyState.OK)  # LEDM says 40
    assert (cyan.level_percent, cyan.state) == (2, SupplyState.LOW)  # from LEDM
    assert (magenta.level_percent, magenta.state) == (0, SupplyState.EMPTY)
    assert cyan.level == -2  # the raw SNMP value is evidence and stays


def test_ambiguous_matches_are_left_alone() -> None:
    two_blacks = (toner(1, "black", None), toner(2, "black", None))
    supplies = apply_ledm(snmp_reading(supplies=two_blacks), None, CONSUMABLES, None).supplies
    assert supplies == two_blacks

    twice = (CONSUMABLES[0], replace(CONSUMABLES[0], serial="OTHER"))
    supplies = apply_ledm(snmp_reading(), None, twice, None).supplies
    assert supplies[0].serial is None


def test_kinds_must_agree() -> None:
    drum = LedmConsumable("K", "black", "opc", 70, "ok", serial="DRUM-1")
    supplies = apply_ledm(snmp_reading(), None, (drum,), None).supplies
    assert all(s.serial != "DRUM-1" for s in supplies)
    cartridge = replace(CONSUMABLES[0], kind="toner_cartridge")
    supplies = apply_ledm(snmp_reading(), None, (cartridge,), None).supplies
    assert supplies[0].serial == "CNBK40218811"  # toner and toner cartridge are one kind


def test_consumables_become_supplies_when_snmp_gave_none() -> None:
    supplies = apply_ledm(snmp_reading(supplies=()), None, CONSUMABLES, None).supplies
    assert [s.index for s in supplies] == [1, 2, 3, 4, 5]
    black = supplies[0]
    assert (black.kind, black.color, black.level_percent, black.serial) == (
        "toner",
        "black",
        40,
        "CNBK40218811",
    )
    assert black.description == "black toner W2010X"
    assert supplies[4].kind == "waste_toner"


def test_supply_states_follow_hp_words_then_the_level() -> None:
    def state(word: str | None, percent: int | None) -> SupplyState:
        return supply_state(LedmConsumable(None, None, "toner", percent, word))

    assert state("veryLow", 50) is SupplyState.LOW
    assert state("out", None) is SupplyState.EMPTY
    assert state("ok", 5) is SupplyState.LOW
    assert state("used", 0) is SupplyState.EMPTY
    assert state("ok", None) is SupplyState.OK
    assert state(None, None) is SupplyState.UNKNOWN
    assert state("used", 70) is SupplyState.OK


def test_usage_only_fills_counters() -> None:
    reading = snmp_reading()
    applied = apply_ledm(reading, LedmUsage(total=5, mono=5), None, None)
    assert applied.supplies == reading.supplies
    assert applied.identity == reading.identity


def test_an_empty_usage_page_changes_no_counter() -> None:
    given = Counters(total=3)
    assert apply_ledm(snmp_reading(counters=given), LedmUsage(), None, None).counters == given


def test_large_paper_counts_fill_where_the_reading_has_room_for_them() -> None:
    counters = apply_ledm(snmp_reading(), USAGE, None, None).counters
    # getattr: Counters.large arrives with the vendor-profile work
    assert getattr(counters, "large", 13020 + 614) == 13020 + 614


def test_levels_filled_from_ledm_say_so() -> None:
    supplies = apply_ledm(snmp_reading(), None, CONSUMABLES, None).supplies
    black, cyan = supplies[:2]
    # getattr: Supply.level_source arrives with the vendor-profile work
    assert getattr(cyan, "level_source", LEVEL_SOURCE) == LEVEL_SOURCE
    assert getattr(black, "level_source", "printer_mib") == "printer_mib"
    created = apply_ledm(snmp_reading(supplies=()), None, CONSUMABLES, None).supplies
    assert all(getattr(s, "level_source", LEVEL_SOURCE) == LEVEL_SOURCE for s in created)
