"""merge_readings (collector/merge.py): the primary keeps what it says; gaps come from the
secondary, field by field, supply by matched supply."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from printscout.collector.ipp_source import ipp_reading
from printscout.collector.merge import merge_readings, merge_supplies
from printscout.domain.reading import (
    Alert,
    Counters,
    DeviceKind,
    Identity,
    Reading,
    Status,
    Supply,
    SupplyState,
    Tray,
)
from printscout.protocols.ipp import codec
from printscout.protocols.ipp.tags import GroupTag

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ipp" / "ippeveprinter-all.bin"


def supply(
    index: int,
    kind: str,
    color: str | None,
    percent: int | None,
    state: SupplyState = SupplyState.OK,
    description: str | None = None,
    **extra: Any,
) -> Supply:
    return replace(
        Supply(
            index=index,
            description=description,
            kind=kind,
            color=color,
            level_percent=percent,
            state=state,
            level=percent if percent is not None else -3,
            max_capacity=100,
            unit="percent",
        ),
        **extra,
    )


def snmp(**changes: Any) -> Reading:
    base = Reading(
        address="10.0.0.5",
        kind=DeviceKind.PRINTER,
        identity=Identity(manufacturer="Brother", model="HL-L5100DN", mac="00:80:77:01:02:03"),
        status=Status(device="running", printer="idle"),
    )
    return replace(base, **changes)


def ipp(**changes: Any) -> Reading:
    base = Reading(
        address="10.0.0.5",
        kind=DeviceKind.PRINTER,
        identity=Identity(
            manufacturer="Brother", model="HL-L5100DN series", serial="E78123", firmware="1.2"
        ),
        status=Status(
            device="warning", printer="idle", errors=("low_toner",), display=("Toner Low",)
        ),
        counters=Counters(total=4321, unit="impressions"),
    )
    return replace(base, **changes)


def test_identity_is_filled_field_by_field() -> None:
    merged = merge_readings(snmp(), ipp())
    ident = merged.identity
    assert (ident.manufacturer, ident.model, ident.mac) == (
        "Brother",
        "HL-L5100DN",
        "00:80:77:01:02:03",
    )
    assert (ident.serial, ident.firmware) == ("E78123", "1.2")
    assert merged.address == "10.0.0.5"


def test_status_keeps_the_primary_and_fills_what_it_lacks() -> None:
    merged = merge_readings(snmp(), ipp())
    assert (merged.status.device, merged.status.printer) == ("running", "idle")
    assert merged.status.errors == ("low_toner",)  # SNMP reported none: lists are taken whole
    assert merged.status.display == ("Toner Low",)
    alert = Alert("warning", "subunitAlmostEmpty")
    jammed = snmp(status=Status(errors=("jammed",), alerts=(alert,)))
    merged = merge_readings(jammed, ipp())
    assert merged.status.errors == ("jammed",)
    assert (merged.status.device, merged.status.alerts) == ("warning", (alert,))


def test_counters_fill_only_in_the_same_unit() -> None:
    assert merge_readings(snmp(), ipp()).counters == Counters(total=4321, unit="impressions")
    in_sheets = snmp(counters=Counters(total=4000, unit="sheets"))
    assert merge_readings(
        in_sheets, ipp(counters=Counters(total=1, mono=9, unit="impressions"))
    ).counters == Counters(total=4000, unit="sheets")
    same = snmp(counters=Counters(total=4300, unit="impressions"))
    split = ipp(counters=Counters(total=1, mono=3000, color=1300, unit="impressions"))
    assert merge_readings(same, split).counters == Counters(
        total=4300, mono=3000, color=1300, unit="impressions"
    )
    # a label printer counting length has no total; IPP impressions bring their own unit
    zebra = snmp(counters=Counters(unit="meters"))
    assert merge_readings(zebra, ipp()).counters == Counters(total=4321, unit="impressions")


def test_all_supplies_come_from_the_secondary_when_the_primary_has_none() -> None:
    toners = (supply(1, "toner", "black", 40),)
    assert merge_readings(snmp(), ipp(supplies=toners)).supplies == toners


def test_levels_are_added_only_where_the_primary_has_none() -> None:
    primary = (
        supply(1, "toner", "black", None, SupplyState.SOME_REMAINING, "Black Toner Cartridge"),
        supply(2, "opc", None, 82, description="Drum Unit"),
    )
    secondary = (
        supply(1, "toner_cartridge", "black", 40, serial="C1234", level_source="ipp_marker"),
        supply(2, "opc", None, 50, description="Drum"),
        supply(3, "fuser", None, 90),
    )
    toner, drum = merge_supplies(primary, secondary)
    assert (toner.level_percent, toner.state, toner.level) == (40, SupplyState.OK, 40)
    assert (toner.description, toner.serial, toner.index) == ("Black Toner Cartridge", "C1234", 1)
    assert (toner.kind, toner.level_source) == ("toner", "ipp_marker")
    assert (drum.level_percent, drum.description) == (82, "Drum Unit")  # had a level: kept


def test_supplies_with_twins_are_matched_by_description() -> None:
    primary = (
        supply(1, "toner", "black", None, SupplyState.UNKNOWN, "Black Toner (tray 1)"),
        supply(2, "toner", "black", None, SupplyState.UNKNOWN, "Black  toner (TRAY 2)"),
    )
    secondary = (
        supply(7, "toner", "black", 12, description="Black Toner (tray 2)"),
        supply(8, "toner", "black", 80, description="Black Toner (tray 1)"),
    )
    first, second = merge_supplies(primary, secondary)
    assert (first.level_percent, second.level_percent) == (80, 12)
    assert (first.index, second.index) == (1, 2)
    unmatched = (supply(9, "toner", "black", 50, description="Other"),) * 2
    assert merge_supplies(primary, unmatched) == primary


def test_a_known_state_without_a_number_replaces_only_unknown() -> None:
    unknown = (supply(1, "ink", "cyan", None, SupplyState.UNKNOWN),)
    some = (supply(1, "ink", "cyan", None, SupplyState.SOME_REMAINING),)
    low_without_number = (supply(1, "ink_cartridge", "cyan", None, SupplyState.LOW),)
    assert merge_supplies(unknown, low_without_number)[0].state is SupplyState.LOW
    assert merge_supplies(some, low_without_number)[0].state is SupplyState.SOME_REMAINING


def test_trays_and_kind_are_filled_when_missing() -> None:
    tray = Tray(1, "Tray 1", None, 250, 250)
    merged = merge_readings(snmp(kind=DeviceKind.OTHER), ipp(trays=(tray,)))
    assert (merged.kind, merged.trays) == (DeviceKind.PRINTER, (tray,))
    assert (
        merge_readings(snmp(trays=(replace(tray, level=10),)), ipp(trays=(tray,))).trays[0].level
        == 10
    )


def test_a_thin_snmp_reading_is_completed_by_a_real_ipp_answer() -> None:
    """What the collector does when SNMP answers with little more than the system group."""
    attributes = codec.decode(FIXTURE.read_bytes()).merged(GroupTag.PRINTER)
    from_ipp = ipp_reading("127.0.0.1", attributes)
    thin = Reading(
        address="127.0.0.1",
        kind=DeviceKind.OTHER,
        identity=Identity(sys_descr="Linux printer 5.10", hostname="prn-17", uptime_s=99),
    )
    merged = merge_readings(thin, from_ipp)
    assert merged.kind is DeviceKind.PRINTER
    assert (merged.identity.hostname, merged.identity.uptime_s) == ("prn-17", 99)
    assert (merged.identity.manufacturer, merged.identity.model) == ("HP", "LaserJet Interop 1")
    assert merged.supplies == from_ipp.supplies and merged.trays == from_ipp.trays
    assert merged.status == from_ipp.status
    assert merge_readings(from_ipp, thin) == replace(
        from_ipp, identity=replace(from_ipp.identity, sys_descr="Linux printer 5.10")
    )
