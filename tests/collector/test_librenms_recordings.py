"""Every LibreNMS printer recording, served over real UDP and read by the Reader.

Each `.snmprec` in the shared fixtures is served by the simulator on 127.77.17.x and read with
``Reader(Walker(SnmpEngine()))`` over SNMPv2c. Where LibreNMS left a `.json` beside it, the
reading is compared with what LibreNMS derived from the same recording; where LibreNMS's rules
depart from the Printer-MIB (README of the fixtures), the test asserts what the MIB means and
says why. Files without a `.json` are detection cases: only the manufacturer is expected.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from printscout.collector.reader import Reader
from printscout.domain.reading import Reading, Supply, SupplyState
from printscout.protocols.snmp import mibs, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import oid_from_str, oid_to_str
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.vendors import profile_for
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import DEFAULT_USERS, Fleet, start_fleet
from printscout.simulator.snmprec import load_recording

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "librenms"
PORT = 17161
GUARD = 30.0  # a hang guard for one read, not a timing assertion

RECORDINGS = sorted(FIXTURES.glob("*.snmprec"))
ADDRESSES = {path.stem: f"127.77.17.{n}" for n, path in enumerate(RECORDINGS, 1)}
# `<case>@<context>` files hold a device's answers under an SNMP context; the simulator serves
# each as a recording of its own, so they are not cases of their own here.
CASES = [path.stem for path in RECORDINGS if "@" not in path.stem]
JSON_CASES = [case for case in CASES if (FIXTURES / f"{case}.json").exists()]
SUPPLY_CASES = [
    case for case in JSON_CASES
    if "printer-supplies" in json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
]  # fmt: skip
# LibreNMS read these devices' supplies in an SNMP context.
SUPPLIES_CONTEXT = {"jetdirect_supplies_context": "jetdirect_supplies_context@Jetdirect"}

BRANDS = {
    "brother": "Brother", "canonprinter": "Canon", "dell": "Dell", "developprinter": "Develop",
    "epson": "Epson", "fujifilmprinter": "Fujifilm", "jetdirect": "HP",
    "konica": "Konica Minolta", "kyocera": "Kyocera", "lexmarkprinter": "Lexmark",
    "ricoh": "Ricoh", "samsungprinter": "Samsung", "savin": "Savin", "sharp": "Sharp",
    "toshiba": "Toshiba", "tsc": "TSC", "xerox": "Xerox", "zebra": "Zebra",
}  # fmt: skip
# LibreNMS names its "jetdirect" OS after the network card. This one answers with Kyocera's
# enterprise number (1.3.6.1.4.1.1347.41) behind a JetDirect-style sysDescr: it is a Kyocera.
BRAND_EXCEPTIONS = {"jetdirect_1": "Kyocera"}

# Where our model differs from LibreNMS's `hardware`, and why.
MODELS = {
    # hrDeviceDescr is "Brother MFC-L2710DW series"; we keep the name the printer gives itself
    # (as for every Brother/Epson/Samsung "series"), LibreNMS drops the word.
    "brother": "MFC-L2710DW series",
    # LibreNMS has no model; hrDeviceDescr of the printer row names it.
    "epson": "WF-C5790BA",
    # (konica: the recording mixes two devices, sysDescr says "KONICA MINOLTA bizhub C3110";
    # hrDeviceDescr is the generic "Generic 28C-1", so Konica's private model object
    # 18334.1.1.1.1.6.2.1.0 decides, as LibreNMS's does: "Develop ineo+ 280".)
    # LibreNMS has no model; sysDescr and hrDeviceDescr say "SHARP MX-3570N".
    "sharp": "MX-3570N",
    # LibreNMS's "79071" comes from ZebraNet's private 683.1.4.0: the print server's part
    # number, not the printer's model. zbrGeneralModel (10642.1.1.0) and the ESI model
    # object name the printer "ZTC TLP 2824 Plus"; ZTC is Zebra Technologies Corporation,
    # the brand, which models do not repeat.
    "zebra": "TLP 2824 Plus",
}
# Where our serial differs from LibreNMS's, and why: the JetDirect sysDescr carries the
# printer's serial as "SN:…", which LibreNMS does not read.
SERIALS = {
    "jetdirect": "AAA0A00000",
    "jetdirect_context": "AAA0A00000",
    "jetdirect_m252dw": "VNB3J99999",
    "jetdirect_supplies_context": "TEST000000",
}
# Where the standard MIBs carry no serial, the vendor profile's serial object gives it:
# Brother brInfoSerialNumber (2435.2.3.9.4.2.1.5.5.1.0), Epson 1248.1.1.3.1.1.1.0 (scan
# servers), Ricoh 367.3.2.1.2.1.4.0 and ZebraNet 683.1.5.0 -- the objects LibreNMS reads.
VENDOR_SERIAL_CASES = {"brother", "epson-scanner_ds-860", "ricoh_mpc2503", "zebra"}


# ---------------------------------------------------------------- serving and reading


@asynccontextmanager
async def loopback_engine() -> AsyncIterator[SnmpEngine]:
    """An engine whose socket is bound to 127.0.0.1 only."""
    engine = SnmpEngine()
    await engine.open(("127.0.0.1", 0))
    try:
        yield engine
    finally:
        engine.close()


async def read_targets(targets: dict[str, Target]) -> dict[str, Reading]:
    """Read several targets through one engine and one Reader."""
    async with loopback_engine() as engine:
        reader = Reader(Walker(engine))
        return {name: await reader.read(target) for name, target in targets.items()}


@dataclass
class Served:
    """The running fleet and the v2c reading of every recording."""

    runner: asyncio.Runner
    fleet: Fleet
    readings: dict[str, Reading]

    def read(self, target: Target) -> Reading:
        """Read one more target on the fleet's event loop."""
        coro = asyncio.wait_for(read_targets({"one": target}), GUARD)
        return self.runner.run(coro)["one"]


def v2c(case: str) -> Target:
    """The v2c target that serves a recording."""
    return Target(ADDRESSES[case], PORT, version=pdus.V2C, timeout=2.0)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """Serve every recording (context files included) and read each one once over v2c."""
    with asyncio.Runner() as runner:
        # Serve the recordings as recorded (no per-copy serials, MACs or names); with speed 0
        # no pages are printed and no toner is used while the tests run.
        fleet = runner.run(
            start_fleet(
                RECORDINGS, list(ADDRESSES.values()), port=PORT, speed=0.0, personalize=False
            )
        )
        try:
            targets = {case: v2c(case) for case in ADDRESSES}
            readings = runner.run(asyncio.wait_for(read_targets(targets), GUARD))
            yield Served(runner, fleet, readings)
        finally:
            fleet.close()


@cache
def librenms(case: str) -> dict[str, Any]:
    """LibreNMS's test data for a case."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
    return data


def device(case: str) -> dict[str, Any]:
    """LibreNMS's discovered device row."""
    row: dict[str, Any] = librenms(case)["os"]["discovery"]["devices"][0]
    return row


def librenms_supplies(case: str, kind: str) -> list[dict[str, Any]]:
    """LibreNMS's printer-supplies rows: "input" rows are trays, all others marker supplies."""
    rows: list[dict[str, Any]] = librenms(case)["printer-supplies"]["discovery"]["printer_supplies"]
    return [r for r in rows if (r["supply_type"] == "input") == (kind == "input")]


def librenms_sensor(case: str, oid: str) -> dict[str, Any] | None:
    """LibreNMS's sensor on one OID, if it made one."""
    sensors = librenms(case).get("sensors", {}).get("discovery", {}).get("sensors", [])
    return next((s for s in sensors if s["sensor_oid"] == "." + oid), None)


def supplies_of(served: Served, case: str) -> dict[int, Supply]:
    """Our supplies by prtMarkerSuppliesIndex, from the context LibreNMS read them in."""
    reading = served.readings[SUPPLIES_CONTEXT.get(case, case)]
    return {supply.index: supply for supply in reading.supplies}


def snake(name: str) -> str:
    """LibreNMS's camelCase supply type as our snake_case kind."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def expected_brand(case: str) -> str:
    """The manufacturer named by the file's prefix."""
    return BRAND_EXCEPTIONS.get(case) or BRANDS[re.split(r"[_-]", case)[0]]


# ---------------------------------------------------------------- every recording


@pytest.mark.parametrize("case", CASES)
def test_it_names_the_manufacturer_of_the_file_prefix(served: Served, case: str) -> None:
    assert served.readings[case].identity.manufacturer == expected_brand(case)


@pytest.mark.parametrize("case", CASES)
def test_it_reports_the_recorded_sys_object_id_and_descr(served: Served, case: str) -> None:
    recording = load_recording(FIXTURES / f"{case}.snmprec")
    object_id = recording.get(mibs.SYS_OBJECT_ID)
    identity = served.readings[case].identity
    assert identity.sys_object_id == (
        oid_to_str(object_id) if isinstance(object_id, tuple) else None
    )
    assert (identity.sys_descr is None) == (recording.get(mibs.SYS_DESCR) is None)


# ---------------------------------------------------------------- identity vs LibreNMS


@pytest.mark.parametrize("case", JSON_CASES)
def test_it_has_librenms_sys_object_id(served: Served, case: str) -> None:
    assert served.readings[case].identity.sys_object_id == device(case)["sysObjectID"][1:]


@pytest.mark.parametrize("case", JSON_CASES)
def test_it_has_librenms_model_unless_noted(served: Served, case: str) -> None:
    expected = MODELS[case] if case in MODELS else device(case)["hardware"]
    assert served.readings[case].identity.model == expected


@pytest.mark.parametrize("case", JSON_CASES)
def test_it_has_librenms_serial_unless_noted(served: Served, case: str) -> None:
    expected = SERIALS[case] if case in SERIALS else device(case)["serial"]
    assert served.readings[case].identity.serial == expected


@pytest.mark.parametrize("case", sorted(VENDOR_SERIAL_CASES))
def test_vendor_serials_fill_in_where_the_standard_mibs_have_none(
    served: Served, case: str
) -> None:
    recording = load_recording(FIXTURES / f"{case}.snmprec")
    assert recording.get((*mibs.PRT_GENERAL_SERIAL_NUMBER, 1)) is None
    assert served.readings[case].identity.serial == device(case)["serial"]


# Where our firmware differs from LibreNMS's `version`, and why.
FIRMWARE = {
    # LibreNMS's "Q" is brpsFirmwareDescription, the network board's firmware; the engine's
    # brInfoDeviceRomVersion is not in the recording, so the printer's firmware is unknown.
    "brother": None,
    # LibreNMS reads 1248.1.1.3.1.21.1.1.2.1 ("02.03"), which the reference does not document.
    "epson-scanner_ds-860": None,
}


@pytest.mark.parametrize(
    "case", [c for c in JSON_CASES if device(c)["version"] is not None or c in FIRMWARE]
)
def test_it_has_librenms_firmware_unless_noted(served: Served, case: str) -> None:
    # Canon 1602.1.1.1.4.0, Konica Minolta 18334.1.1.1.1.6.1.0, Ricoh 367.3.2.1.1.1.2.0,
    # Sharp 2385.2.1.1.2.1.2.1 and Zebra zbrGeneralFirmwareVersion 10642.1.2.0
    expected = FIRMWARE[case] if case in FIRMWARE else device(case)["version"]
    assert served.readings[case].identity.firmware == expected


# The profile each brand's devices are read with (rebadges use their engine maker's); TSC has
# none. jetdirect_1 is a Kyocera behind a JetDirect-style sysDescr: Kyocera's enterprise wins.
PROFILE_OF_BRAND = {"Develop": "Konica Minolta", "Savin": "Ricoh", "TSC": None}


@pytest.mark.parametrize("case", CASES)
def test_each_recording_gets_the_profile_of_its_enterprise_or_brand(
    served: Served, case: str
) -> None:
    identity = served.readings[case].identity
    object_id = oid_from_str(identity.sys_object_id) if identity.sys_object_id else None
    profile = profile_for(object_id, identity.manufacturer)
    brand = expected_brand(case)
    assert (profile.name if profile else None) == PROFILE_OF_BRAND.get(brand, brand)


@pytest.mark.parametrize("case", [c for c in JSON_CASES if c != "jetdirect_supplies_context"])
def test_it_calls_printers_printers_and_the_scanner_a_scanner(served: Served, case: str) -> None:
    # LibreNMS files the DS-860 scan server under its "printer" device type; it has no marker,
    # and its only hrDevice row is not a printer, so we call it a scanner.
    expected = "scanner" if case == "epson-scanner_ds-860" else "printer"
    assert served.readings[case].kind.value == expected


def test_zebra_hex_encoded_system_strings_are_decoded(served: Served) -> None:
    identity = served.readings["zebra"].identity
    assert identity.sys_descr == device("zebra")["sysDescr"] == "ZebraNet Wired PS"
    assert identity.location == device("zebra")["location"] == "Booth 7"
    # LibreNMS lower-cases sysName; we keep it as the device spells it
    assert identity.hostname == "6NM1PAS_AB07"
    assert identity.hostname.lower() == device("zebra")["sysName"]


# ---------------------------------------------------------------- status vs LibreNMS

HR_DEVICE_STATUS_1 = "1.3.6.1.2.1.25.3.2.1.5.1"


@pytest.mark.parametrize("case", [c for c in JSON_CASES if librenms_sensor(c, HR_DEVICE_STATUS_1)])
def test_device_status_matches_librenms(served: Served, case: str) -> None:
    sensor = librenms_sensor(case, HR_DEVICE_STATUS_1)
    assert sensor is not None
    expected = mibs.HR_DEVICE_STATUS_NAMES[sensor["sensor_current"]]
    assert served.readings[case].status.device == expected


@pytest.mark.parametrize(
    ("case", "errors"),
    [
        ("brother", ()),
        ("jetdirect_m252dw", ()),
        ("ricoh_mpc2503", ()),
        ("epson", ()),  # an empty OCTET STRING: no bits set
        ("zebra", ()),
        # 4x|2000: bit 2 of the first octet. As text it would be " "; it means lowToner.
        # (LibreNMS's state sensor says 3 at discovery and 0 when polled.)
        ("sharp", ("low_toner",)),
    ],
)
def test_detected_error_state_bits(served: Served, case: str, errors: tuple[str, ...]) -> None:
    assert served.readings[case].status.errors == errors


# ---------------------------------------------------------------- supplies vs LibreNMS


@pytest.mark.parametrize("case", SUPPLY_CASES)
def test_supply_rows_are_librenms_rows_plus_the_unknown_ones_it_drops(
    served: Served, case: str
) -> None:
    ours = supplies_of(served, case)
    # LibreNMS drops a row whose level is -2 ("unknown"); the row exists, so we keep it and
    # say "unknown" (Sharp's fusing unit).
    dropped = {index for index, supply in ours.items() if supply.level == -2}
    theirs = {row["supply_index"] for row in librenms_supplies(case, "marker")}
    assert theirs == set(ours) - dropped
    assert len(ours) == len(theirs) + len(dropped)


@pytest.mark.parametrize("case", SUPPLY_CASES)
def test_supply_descriptions_match_librenms(served: Served, case: str) -> None:
    ours = supplies_of(served, case)
    for row in librenms_supplies(case, "marker"):
        assert ours[row["supply_index"]].description == row["supply_descr"]


def test_xerox_cartridge_serials_are_split_from_the_description(served: Served) -> None:
    black = supplies_of(served, "xerox")[1]
    assert (black.description, black.serial) == ("Black Toner", "48178080E0000481")
    fuser = supplies_of(served, "xerox")[9]
    assert (fuser.description, fuser.serial) == ("Fuser", None)  # "SNunknown"


@pytest.mark.parametrize("case", SUPPLY_CASES)
def test_supply_kinds_match_librenms(served: Served, case: str) -> None:
    ours = supplies_of(served, case)
    for row in librenms_supplies(case, "marker"):
        # "markerSupply" is LibreNMS's word for a row without prtMarkerSuppliesType
        expected = "other" if row["supply_type"] == "markerSupply" else snake(row["supply_type"])
        expected = NAMED_PARTS.get((case, row["supply_index"]), expected)
        assert ours[row["supply_index"]].kind == expected


# Rows without a usable prtMarkerSuppliesType (this recording has none at all) that the
# vendor's profile names by their description, where IANA has the type; LibreNMS says
# "markerSupply" (no type).
NAMED_PARTS = {
    ("konica", 15): "transfer_unit",  # "Image Transfer Belt Unit"
    ("konica", 16): "transfer_unit",  # "Transfer Roller Unit"
}


def test_a_part_named_by_its_description_keeps_its_description(served: Served) -> None:
    belt, roller = supplies_of(served, "konica")[15], supplies_of(served, "konica")[16]
    assert (belt.description, belt.kind) == ("Image Transfer Belt Unit", "transfer_unit")
    assert (roller.description, roller.kind) == ("Transfer Roller Unit", "transfer_unit")
    rows = [r for r in librenms_supplies("konica", "marker") if r["supply_index"] in (15, 16)]
    assert {r["supply_type"] for r in rows} == {"markerSupply"}


@pytest.mark.parametrize("case", SUPPLY_CASES)
def test_supply_levels_match_librenms_where_the_mib_gives_a_number(
    served: Served, case: str
) -> None:
    ours = supplies_of(served, case)
    for row in librenms_supplies(case, "marker"):
        supply = ours[row["supply_index"]]
        assert supply.level is not None and supply.max_capacity is not None
        if supply.level >= 0 and (supply.max_capacity > 0 or supply.unit == "percent"):
            # Both read the MIB alike: level over capacity, as a rounded percentage.
            assert supply.max_capacity == row["supply_capacity"]
            assert supply.level_percent == row["supply_current"]
            assert supply.state in (SupplyState.OK, SupplyState.LOW, SupplyState.EMPTY)
        elif supply.level == -3:
            # LibreNMS shows -3 as 50 %. RFC 3805: -3 means "at least one unit remains",
            # which is no percentage at all (Ricoh's "constant 50 %", librenms #6801).
            assert row["supply_current"] == 50
            assert (supply.level_percent, supply.state) == (None, SupplyState.SOME_REMAINING)
        else:
            # LibreNMS turns a capacity of 0 or less into 100. RFC 3805: -1 and -2 mean "no
            # restriction" and "unknown", so there is no base for a percentage.
            assert supply.max_capacity <= 0
            assert row["supply_capacity"] == 100
            assert supply.level_percent is None
        # the raw numbers are always the recording's
        assert row["supply_oid"].endswith(f".{supply.index}")


@pytest.mark.parametrize(
    ("case", "index", "max_capacity"),
    [("brother", 1, -2), ("fujifilmprinter_c7580", 5, -2), ("konica", 13, -2)],
)
def test_some_remaining_is_not_fifty_percent(
    served: Served, case: str, index: int, max_capacity: int
) -> None:
    (row,) = [r for r in librenms_supplies(case, "marker") if r["supply_index"] == index]
    assert (row["supply_current"], row["supply_capacity"]) == (50, 100)  # LibreNMS's reading
    supply = supplies_of(served, case)[index]
    assert (supply.level, supply.max_capacity) == (-3, max_capacity)
    assert (supply.level_percent, supply.state) == (None, SupplyState.SOME_REMAINING)


def test_an_unknown_level_keeps_its_row(served: Served) -> None:
    # Sharp's fusing unit: level -2, capacity -2. LibreNMS drops the row; the part exists,
    # its level is unknown.
    fuser = supplies_of(served, "sharp")[14]
    assert (fuser.description, fuser.kind) == ("Fusing Unit", "fuser")
    assert (fuser.level, fuser.max_capacity) == (-2, -2)
    assert (fuser.level_percent, fuser.state) == (None, SupplyState.UNKNOWN)
    assert 14 not in {r["supply_index"] for r in librenms_supplies("sharp", "marker")}


def test_a_level_without_a_capacity_is_not_a_percentage(served: Served) -> None:
    # Sharp's waste toner: level 100, capacity -2 (unknown). LibreNMS assumes a capacity of
    # 100 and shows 100 %; 100 units of an unknown capacity is no percentage.
    waste = supplies_of(served, "sharp")[5]
    assert (waste.kind, waste.level, waste.max_capacity) == ("waste_toner", 100, -2)
    assert (waste.level_percent, waste.state) == (None, SupplyState.UNKNOWN)
    (row,) = [r for r in librenms_supplies("sharp", "marker") if r["supply_index"] == 5]
    assert (row["supply_current"], row["supply_capacity"]) == (100, 100)


def test_percent_units_and_colorants_are_used(served: Served) -> None:
    supplies = supplies_of(served, "jetdirect_m252dw")
    assert [(s.color, s.unit, s.level_percent) for s in supplies.values()] == [
        ("black", "percent", 63), ("cyan", "percent", 63), ("magenta", "percent", 88),
        ("yellow", "percent", 36),
    ]  # fmt: skip


# ---------------------------------------------------------------- trays vs LibreNMS "input"


@pytest.mark.parametrize("case", [c for c in SUPPLY_CASES if librenms_supplies(c, "input")])
def test_trays_match_librenms_input_rows(served: Served, case: str) -> None:
    trays = {tray.index: tray for tray in served.readings[case].trays}
    dropped = {index for index, tray in trays.items() if tray.level == -2}
    rows = librenms_supplies(case, "input")
    assert {row["supply_index"] for row in rows} == set(trays) - dropped
    for row in rows:
        tray = trays[row["supply_index"]]
        assert tray.level is not None and tray.max_capacity is not None
        assert (tray.name, tray.max_capacity) == (row["supply_descr"], row["supply_capacity"])
        if tray.level == -3:
            # prtInputCurrentLevel -3: "at least one sheet"; LibreNMS again shows 50 %.
            assert row["supply_current"] == 50
        else:
            assert round(100 * tray.level / tray.max_capacity) == row["supply_current"]


# ---------------------------------------------------------------- counters


@pytest.mark.parametrize("case", CASES)
def test_life_count_is_the_recorded_prt_marker_life_count(served: Served, case: str) -> None:
    recorded = load_recording(FIXTURES / f"{case}.snmprec").get((*mibs.PRT_MARKER_LIFE_COUNT, 1, 1))
    assert served.readings[case].counters.total == recorded


def test_sharp_life_count_matches_librenms_sensor(served: Served) -> None:
    sensor = librenms_sensor("sharp", "1.3.6.1.2.1.43.10.2.1.4.1.1")
    assert sensor is not None
    counters = served.readings["sharp"].counters
    assert (counters.total, counters.unit) == (sensor["sensor_current"], "impressions")
    assert counters.total == 121104


SHARP_SENSORS = "1.3.6.1.4.1.2385.1.1.19.2.1.3."


def sharp_count(suffix: str) -> int:
    """LibreNMS's count sensor on one row of Sharp's counter table."""
    sensor = librenms_sensor("sharp", SHARP_SENSORS + suffix)
    assert sensor is not None
    value: int = sensor["sensor_current"]
    return value


def test_sharp_counters_match_librenms_count_sensors(served: Served) -> None:
    counters = served.readings["sharp"].counters
    # B&W and colour totals (function 5, group 4); two- and single-colour totals are 0
    assert counters.mono == sharp_count("5.4.61") == 91164
    colour = sharp_count("5.4.63") + sharp_count("5.4.64") + sharp_count("5.4.80")
    assert counters.color == colour == 29940
    assert counters.total == counters.mono + counters.color == 121104
    assert counters.print == sharp_count("1.4.60") == 82214  # "Prints"
    assert counters.copy == sharp_count("4.4.60") == 38804  # "Copies"
    assert counters.scan == sharp_count("7.4.50") == 13534  # "Scan to E-mail/FTP"
    assert (counters.fax, counters.large, counters.anomalies) == (None, None, ())


def test_zebra_length_is_not_a_page_count(served: Served) -> None:
    # LibreNMS's only count sensor on the ZebraNet recording is "Printed Length (life,
    # INCHES)" (10642.200.17.3.0): media length, not pages, so it is no counter of ours.
    sensor = librenms_sensor("zebra", "1.3.6.1.4.1.10642.200.17.3.0")
    assert sensor is not None and "INCHES" in sensor["sensor_descr"]
    counters = served.readings["zebra"].counters
    assert (counters.mono, counters.color, counters.print) == (None, None, None)


def test_ricoh_counts_sheets(served: Served) -> None:
    counters = served.readings["ricoh_mpc2503"].counters
    assert (counters.total, counters.unit) == (580249, "sheets")


# ---------------------------------------------------------------- SNMP contexts


def test_supplies_in_a_context_are_read_where_they_are_served(served: Served) -> None:
    # The default context of this hand-made device has only the system group; its supplies
    # answer in context "Jetdirect". Without context support they are not seen there.
    assert served.readings["jetdirect_supplies_context"].supplies == ()
    in_context = served.readings["jetdirect_supplies_context@Jetdirect"]
    assert [(s.description, s.level_percent) for s in in_context.supplies] == [
        (row["supply_descr"], row["supply_current"])
        for row in librenms_supplies("jetdirect_supplies_context", "marker")
    ]
    assert in_context.kind.value == "printer"


def test_an_object_moved_into_a_context_does_not_change_the_reading(served: Served) -> None:
    plain, moved = served.readings["jetdirect"], served.readings["jetdirect_context"]
    # jetdirect_context is jetdirect with HP's 1284 device id moved into context "Jetdirect";
    # the Reader does not ask for that object, so both readings agree.
    assert (moved.identity, moved.kind, moved.status, moved.supplies, moved.counters) == (
        plain.identity, plain.kind, plain.status, plain.supplies, plain.counters,
    )  # fmt: skip


# ---------------------------------------------------------------- other SNMP versions


@pytest.mark.parametrize("case", ["sharp", "jetdirect_m252dw", "ricoh_mpc2503"])
def test_snmpv1_reads_the_same_as_v2c(served: Served, case: str) -> None:
    reading = served.read(Target(ADDRESSES[case], PORT, version=pdus.V1, timeout=2.0))
    assert reading == served.readings[case]


@pytest.mark.parametrize(
    "user", [u for u in DEFAULT_USERS if u.priv_protocol is not None], ids=lambda u: u.name
)
@pytest.mark.parametrize("case", ["sharp", "konica"])
def test_snmpv3_auth_priv_reads_the_same_as_v2c(
    served: Served, case: str, user: v3.UsmUser
) -> None:
    target = Target(ADDRESSES[case], PORT, version=pdus.V3, user=user, timeout=2.0)
    assert served.read(target) == served.readings[case]
