"""IPP attributes → Reading (collector/ipp_source.py): the mapping, a recorded real printer, and
the simulator read over SNMP and over IPP agreeing with itself."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from printscout.collector.ipp_source import ipp_reading, read_ipp, split_reason
from printscout.collector.reader import Reader
from printscout.collector.rows import supply_level
from printscout.domain.reading import Reading, SupplyState
from printscout.protocols.ipp import codec
from printscout.protocols.ipp.client import IppClient
from printscout.protocols.ipp.tags import GroupTag
from printscout.protocols.ipp.values import (
    Attribute,
    AttributeGroup,
    Collection,
    Enum,
    Integer,
    Keyword,
    Name,
    OctetString,
    Text,
    Uri,
    Value,
)
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.device import Fault
from printscout.simulator.fleet import start_fleet
from printscout.simulator.ipp import REASONS, start_ipp
from printscout.simulator.snmprec import builtin_recordings

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ipp" / "ippeveprinter-all.bin"


def group(**attributes: Value | Sequence[Value]) -> AttributeGroup:
    """Printer attributes from keyword arguments (underscores become hyphens)."""
    return AttributeGroup(
        GroupTag.PRINTER,
        tuple(
            Attribute(name.replace("_", "-"), tuple(v) if isinstance(v, Sequence) else (v,))
            for name, v in attributes.items()
        ),
    )


def reading(**attributes: Value | Sequence[Value]) -> Reading:
    return ipp_reading("192.0.2.7", group(**attributes))


# ---------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("state", "reasons", "device", "printer", "errors"),
    [
        (3, ["none"], "running", "idle", ()),
        (4, ["toner-low-warning"], "warning", "printing", ("low_toner",)),
        (5, ["media-jam-error", "door-open"], "down", "other", ("jammed", "door_open")),
        (3, ["spool-area-full-report"], "running", "idle", ("spool-area-full",)),
        (3, ["toner-low-warning", "marker-supply-low-report"], "warning", "idle", ("low_toner",)),
    ],
)
def test_state_and_reasons_map_to_the_snmp_vocabulary(
    state: int, reasons: list[str], device: str, printer: str, errors: tuple[str, ...]
) -> None:
    status = reading(
        printer_state=Enum(state), printer_state_reasons=[Keyword(r) for r in reasons]
    ).status
    assert (status.device, status.printer, status.errors) == (device, printer, errors)


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("media-jam", "jammed"),
        ("door-open", "door_open"),
        ("toner-low", "low_toner"),
        ("toner-empty", "no_toner"),
        ("media-empty", "no_paper"),
        ("media-low", "low_paper"),
        ("marker-supply-missing", "marker_supply_missing"),
        ("input-tray-missing", "input_tray_missing"),
        ("output-area-full", "output_full"),
        ("offline", "offline"),
        ("cover-open", "cover-open"),  # no hrPrinterDetectedErrorState twin: kept as is
    ],
)
def test_each_reason_with_any_severity_becomes_one_error(reason: str, error: str) -> None:
    for suffix in ("", "-error", "-warning", "-report"):
        status = reading(printer_state_reasons=Keyword(reason + suffix)).status
        assert status.errors == (error,)


def test_reasons_split_into_condition_and_severity() -> None:
    assert split_reason("media-jam-error") == ("media-jam", "error")
    assert split_reason("toner-low-report") == ("toner-low", "report")
    assert split_reason("paused") == ("paused", "error")
    assert split_reason("-error") == ("-error", "error")


def test_an_unanswered_state_stays_unknown_and_the_message_is_the_display() -> None:
    status = reading(printer_state_message=Text("Load paper in tray 2\x00")).status
    assert (status.device, status.printer) == (None, None)
    assert status.display == ("Load paper in tray 2",)


def test_printer_alerts_become_alerts() -> None:
    status = reading(
        printer_alert=[
            OctetString(b"code=jam;index=3;severity=critical;training=trained;group=mediaPath;"),
            OctetString(b"code=subunitAlmostEmpty;severity=warningBinaryChangeEvent;"),
        ],
        printer_alert_description=[Text("Paper jam in tray 2"), Text("")],
    ).status
    assert [(a.severity, a.code, a.description) for a in status.alerts] == [
        ("critical", "jam", "Paper jam in tray 2"),
        ("warning_binary_change", "subunitAlmostEmpty", None),
    ]


# ---------------------------------------------------------------- identity and counters


def test_identity_comes_from_the_device_id_and_never_from_the_uuid() -> None:
    ident = reading(
        printer_device_id=Text("MFG:Hewlett-Packard;MDL:HP Color LaserJet M555;SN:JPBCS12345;"),
        printer_make_and_model=Text("HP Color LaserJet M555dn"),
        printer_uuid=Uri("urn:uuid:4509a320-00a0-008f-00b6-002507510eca"),
        printer_name=Name("NPI2A5C3E"),
        printer_dns_sd_name=Name("HP Color LaserJet M555 [2A5C3E]"),
        printer_location=Text("Copy room"),
        printer_up_time=Integer(86_400),
        printer_firmware_string_version=Text("2506116_037014"),
    ).identity
    assert (ident.manufacturer, ident.model, ident.serial) == (
        "HP",
        "Color LaserJet M555",
        "JPBCS12345",
    )
    assert ident.firmware == "2506116_037014"
    assert ident.hostname == "HP Color LaserJet M555 [2A5C3E]"
    assert (ident.location, ident.uptime_s) == ("Copy room", 86_400)
    assert (ident.mac, ident.sys_object_id, ident.contact) == (None, None, None)

    no_serial = reading(printer_uuid=Uri("urn:uuid:4509a320-00a0-008f-00b6-002507510eca"))
    assert no_serial.identity.serial is None
    fallback = reading(
        printer_serial_number=Text("X3B1234"), printer_make_and_model=Text("Kyocera ECOSYS P3145dn")
    )
    assert (fallback.identity.serial, fallback.identity.manufacturer) == ("X3B1234", "Kyocera")
    assert fallback.identity.model == "ECOSYS P3145dn"


def test_an_epoch_up_time_is_not_an_uptime() -> None:
    assert reading(printer_up_time=Integer(1_795_000_000)).identity.uptime_s is None
    assert reading(printer_up_time=Integer(-5)).identity.uptime_s is None


def test_firmware_components_are_named_and_binary_versions_ignored() -> None:
    several = reading(
        printer_firmware_name=[Name("engine"), Name("network")],
        printer_firmware_string_version=[Text("1.0.4"), Text("7.2")],
    )
    assert several.identity.firmware == "engine: 1.0.4; network: 7.2"
    assert reading(printer_firmware_version=OctetString(b"V4.10")).identity.firmware == "V4.10"
    assert reading(printer_firmware_version=OctetString(b"\x01\x04\x0a")).identity.firmware is None


def test_impressions_give_the_total_and_the_collection_gives_mono_and_colour() -> None:
    split = Collection(
        (
            Attribute("monochrome", (Integer(9000),)),
            Attribute("full-color", (Integer(3000),)),
            Attribute("blank", (Integer(12),)),
        )
    )
    counters = reading(
        printer_impressions_completed=Integer(12_012), printer_impressions_completed_col=split
    ).counters
    assert (counters.total, counters.mono, counters.color, counters.unit) == (
        12_012,
        9000,
        3000,
        "impressions",
    )
    assert reading().counters.unit is None
    assert reading(impressions_completed=Integer(77)).counters.total == 77


# ---------------------------------------------------------------- supplies


@pytest.mark.parametrize("level", [-3, -2, 0, 1, 5, 10, 11, 50, 100])
def test_marker_levels_have_the_same_states_as_snmp_levels(level: int) -> None:
    (supply,) = reading(
        marker_names=Name("Black"), marker_levels=Integer(level), marker_types=Keyword("toner")
    ).supplies
    assert (supply.level_percent, supply.state) == supply_level(level, 100, mibs.UNIT_PERCENT, None)
    assert (supply.level, supply.max_capacity, supply.unit) == (level, 100, "percent")
    assert supply.level_source == "ipp_marker"


def test_marker_level_minus_one_means_unavailable_not_unrestricted() -> None:
    (supply,) = reading(marker_names=Name("Black"), marker_levels=Integer(-1)).supplies
    assert (supply.level_percent, supply.state, supply.level) == (None, SupplyState.UNKNOWN, -1)


@pytest.mark.parametrize(
    ("filled", "free", "state"),
    [
        (80, 20, SupplyState.OK),
        (95, 5, SupplyState.LOW),
        (100, 0, SupplyState.EMPTY),
        (-3, None, SupplyState.SOME_REMAINING),
    ],
)
def test_waste_markers_count_what_is_filled_and_readings_what_is_free(
    filled: int, free: int | None, state: SupplyState
) -> None:
    (supply,) = reading(
        marker_names=Name("Waste toner"),
        marker_levels=Integer(filled),
        marker_types=Keyword("waste-toner"),
    ).supplies
    assert (supply.kind, supply.supply_class) == ("waste_toner", "receptacle")
    assert (supply.level_percent, supply.state) == (free, state)


def test_marker_colours_become_colorant_names() -> None:
    colours = ["#000000", "#00ffff", "none", "#00FFFF#FF00FF#FFFF00", "#123456"]
    supplies = reading(
        marker_names=[Name(f"m{n}") for n in range(5)],
        marker_colors=[Name(c) for c in colours],
        marker_levels=[Integer(50)] * 5,
        marker_types=[Keyword("toner-cartridge")] * 4 + [Keyword("ink")],
    ).supplies
    assert [s.color for s in supplies] == ["black", "cyan", None, None, "#123456"]
    assert [s.kind for s in supplies] == ["toner_cartridge"] * 4 + ["ink"]
    assert [s.index for s in supplies] == [1, 2, 3, 4, 5]


def test_printer_supply_is_preferred_and_read_as_the_mib_reads_it() -> None:
    supplies = reading(
        printer_supply=[
            OctetString(b"index=3;class=supplyThatIsConsumed;type=tonerCartridge;unit=percent;"
                        b"maxcapacity=100;level=54;colorantname=black;"),
            OctetString(b"index=4;class=supplyThatIsConsumed;type=opc;unit=impressions;"
                        b"maxcapacity=30000;level=-3;colorantname=unknown;"),
            OctetString(b"index=5;class=receptacleThatIsFilled;type=wasteToner;unit=tenthsOfGrams;"
                        b"maxcapacity=-2;level=-2;"),
        ],
        printer_supply_description=[Text("Black Cartridge"), Text("Imaging Drum")],
        marker_names=Name("ignored when printer-supply is there"),
        marker_levels=Integer(1),
    ).supplies  # fmt: skip
    assert [(s.index, s.kind, s.color, s.description) for s in supplies] == [
        (3, "toner_cartridge", "black", "Black Cartridge"),
        (4, "opc", None, "Imaging Drum"),
        (5, "waste_toner", None, None),
    ]
    assert [(s.level_percent, s.state) for s in supplies] == [
        (54, SupplyState.OK), (None, SupplyState.SOME_REMAINING), (None, SupplyState.UNKNOWN)
    ]  # fmt: skip
    assert [(s.unit, s.supply_class) for s in supplies] == [
        ("percent", "consumed"), ("impressions", "consumed"), ("tenths_of_grams", "receptacle")
    ]  # fmt: skip
    assert {s.level_source for s in supplies} == {"ipp_printer_supply"}


def test_hostile_values_are_cleaned_and_capped() -> None:
    huge = "Black\x07 Toner " + "X" * 100_000
    result = reading(
        marker_names=Name(huge),
        marker_levels=Integer(2**31 - 1),
        printer_supply_description=Text("x"),
        printer_location=Text("\udcff\udcfe lobby"),
    )
    (supply,) = result.supplies
    assert supply.description is not None and len(supply.description) == 1024
    assert (supply.level_percent, supply.state) == (100, SupplyState.OK)
    assert result.identity.location is not None and result.identity.location.endswith("lobby")


# ---------------------------------------------------------------- a recorded real printer


def test_a_recorded_ippeveprinter_answer_becomes_a_reading() -> None:
    attributes = codec.decode(FIXTURE.read_bytes()).merged(GroupTag.PRINTER)
    result = ipp_reading("127.0.0.1", attributes)
    assert (result.identity.manufacturer, result.identity.model) == ("HP", "LaserJet Interop 1")
    assert (result.status.printer, result.status.device, result.status.display) == (
        "idle",
        "running",
        ("Idle.",),
    )
    assert [(s.kind, s.color, s.level_percent) for s in result.supplies] == [
        ("waste_toner", None, 25), ("toner", "black", 75)
    ]  # fmt: skip
    assert [t.name for t in result.trays] == ["auto", "main", "manual", "by-pass-tray"]


# ---------------------------------------------------------------- the simulator, both ways

SNMP_PORT = 17871
IPP_PORT = 17872


def read_both(stem: str, address: str, faults: set[Fault] | None = None) -> tuple[Reading, Reading]:
    """One simulated printer (frozen in time) read over SNMP and over IPP."""
    recording = next(p for p in builtin_recordings() if p.stem.startswith(stem))

    async def run() -> tuple[Reading, Reading]:
        fleet = await start_fleet(
            [recording], [address], port=SNMP_PORT, speed=0.0, faults={address: faults or set()}
        )
        try:
            async with (
                await start_ipp(fleet, IPP_PORT),
                IppClient() as client,
                SnmpEngine() as engine,
            ):
                snmp = await Reader(Walker(engine)).read(Target(address, SNMP_PORT))
                return snmp, await read_ipp(client, address, IPP_PORT)
        finally:
            fleet.close()

    return asyncio.run(run())


@pytest.mark.parametrize(("stem", "address"), [("hp-", "127.88.0.1"), ("kyocera-", "127.88.0.2")])
def test_the_simulator_says_the_same_over_snmp_and_ipp(stem: str, address: str) -> None:
    snmp, ipp = read_both(stem, address)
    fields = ("manufacturer", "model", "serial", "location")
    assert [getattr(ipp.identity, f) for f in fields] == [getattr(snmp.identity, f) for f in fields]
    assert ipp.counters.total == snmp.counters.total
    assert ipp.status.printer == snmp.status.printer
    # every error bit with a printer-state-reasons twin (Kyocera's also has input_tray_empty)
    assert set(ipp.status.errors) == set(snmp.status.errors) & set(REASONS)
    assert [(s.kind, s.color) for s in ipp.supplies] == [(s.kind, s.color) for s in snmp.supplies]
    for over_ipp, over_snmp in zip(ipp.supplies, snmp.supplies, strict=True):
        assert (over_ipp.level_percent, over_ipp.state) == (
            over_snmp.level_percent,
            over_snmp.state,
        )


def test_simulated_faults_stop_the_printer_with_reasons() -> None:
    snmp, ipp = read_both("hp-", "127.88.0.3", {Fault.PAPER_JAM, Fault.TONER_EMPTY})
    assert (ipp.status.device, ipp.status.printer) == ("down", "other")
    assert {"jammed", "no_toner"} <= set(ipp.status.errors)
    assert set(ipp.status.errors) == set(snmp.status.errors) & set(REASONS)
    assert any(s.kind == "toner" and s.state is SupplyState.EMPTY for s in ipp.supplies)


@pytest.mark.parametrize(
    ("fault", "address"), [(Fault.HUGE_STRINGS, "127.88.0.4"), (Fault.WRONG_TYPES, "127.88.0.5")]
)
def test_hostile_simulated_printers_still_give_a_reading(fault: Fault, address: str) -> None:
    _, ipp = read_both("hp-", address, {fault})
    assert ipp.supplies  # every row is still there
    for text in (ipp.identity.model, ipp.identity.location, *(s.description for s in ipp.supplies)):
        assert text is None or len(text) <= 1024
    if fault is Fault.WRONG_TYPES:  # numbers sent as strings: no level is invented
        assert {s.state for s in ipp.supplies} == {SupplyState.UNKNOWN}
