"""Vendor profiles as data, and the rules the engine applies to them.

Registry and evidence markers; Brother's packed records and their check; counter sums, keys
and anomalies (Kyocera simplex + duplex, colour above total, counters that go backwards);
supply value maps (Brother 0-3, Canon 100/10/1, Ricoh -100 and private levels, Lexmark
serials, Brother maintenance records). Reads through the simulator use 127.88.0.0/16.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.collector.reader import Reader
from printscout.domain.reading import Counters, Reading, Supply, SupplyState
from printscout.protocols.snmp import ber, mibs
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.vendors import (
    BY_BRAND,
    PROFILES,
    brother,
    canon,
    kyocera,
    lexmark,
    profile_for,
    ricoh,
    sharp,
)
from printscout.protocols.snmp.vendors.base import (
    CounterObject,
    CounterTable,
    IdentityObject,
    Quirks,
    TableCounter,
    VendorProfile,
    is_verified,
    keys,
    oid,
)
from printscout.protocols.snmp.vendors.codecs import encode_records, parse_records
from printscout.protocols.snmp.vendors.meters import consistency, read_meters, went_backwards
from printscout.protocols.snmp.vendors.supplies import vendor_supplies
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.fleet import start_fleet
from printscout.simulator.snmprec import builtin_recordings, parse_recording

PORT = 17761
DOCS = Path(__file__).resolve().parents[2] / "docs" / "devices.md"
MARKERS = ("MIB", "Rec", "Peer", "Vendor script", "3P", "UNVERIFIED")
NO_DEADLINE = settings(deadline=None)
BROTHER_COUNTER = oid("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.10.0")
BROTHER_MAINTENANCE = oid("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.8.0")


def enterprise(pen: int, *rest: int) -> Oid:
    return (1, 3, 6, 1, 4, 1, pen, *rest)


def supply(index: int, level: int, max_capacity: int = 100, **extra: object) -> Supply:
    """A Printer-MIB toner row as normalize builds it (percentage by the MIB's rule)."""
    fields: dict[str, object] = {
        "index": index, "description": f"Toner {index}", "kind": "toner", "color": None,
        "level_percent": round(100 * level / max_capacity) if level >= 0 < max_capacity else None,
        "state": SupplyState.OK, "level": level, "max_capacity": max_capacity,
        "unit": "percent", "supply_class": "consumed",
    }  # fmt: skip
    fields.update(extra)
    return Supply(**fields)  # type: ignore[arg-type]


def apply(
    profile: VendorProfile,
    rows: list[Supply],
    objects: dict[Oid, Value] | None = None,
    tables: dict[Oid, dict[Oid, Value]] | None = None,
) -> tuple[list[Supply], list[str]]:
    def text(value: Value) -> str | None:
        return value.decode() if isinstance(value, bytes) else None

    out, anomalies = vendor_supplies(profile, tuple(rows), objects or {}, tables or {}, text, 10)
    return list(out), anomalies


# ---------------------------------------------------------------- registry and evidence


def test_every_manufacturer_has_a_profile() -> None:
    assert {p.name for p in PROFILES} == {
        "HP", "Canon", "Ricoh", "Kyocera", "Xerox", "Konica Minolta", "Sharp", "Brother",
        "Lexmark", "Epson", "OKI", "Samsung", "Toshiba", "Dell", "Fujifilm", "Zebra",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("brand", "profile"),
    [
        ("Savin", "Ricoh"), ("Lanier", "Ricoh"), ("Gestetner", "Ricoh"), ("NRG", "Ricoh"),
        ("UTAX", "Kyocera"), ("TA Triumph-Adler", "Kyocera"), ("Develop", "Konica Minolta"),
    ],
)  # fmt: skip
def test_rebadged_brands_are_read_with_their_engine_makers_profile(
    brand: str, profile: str
) -> None:
    assert BY_BRAND[brand.casefold()].name == profile


def test_the_enterprise_number_beats_the_brand() -> None:
    # an HP JetDirect sysDescr in front of a Kyocera engine (LibreNMS jetdirect_1)
    found = profile_for(enterprise(1347, 41), "HP")
    assert found is not None and found.name == "Kyocera"
    by_brand = profile_for(None, "Dell")
    assert by_brand is not None and by_brand.name == "Dell"
    assert profile_for(enterprise(32473, 1), None) is None


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_every_object_carries_an_evidence_marker(profile: VendorProfile) -> None:
    for what, _, evidence in profile.evidence():
        assert evidence.startswith(MARKERS), (what, evidence)
    assert profile.enterprises and profile.brands


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_unverified_objects_are_named_in_the_docs(profile: VendorProfile) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for what, number, evidence in profile.evidence():
        if not is_verified(evidence):
            dotted = "." + ".".join(map(str, number))
            marker = evidence.split(":")[0]
            lines = [line for line in docs.splitlines() if dotted in line]
            assert any(f"[{marker}" in line for line in lines), (profile.name, what, dotted)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_the_docs_list_every_object_a_profile_reads(profile: VendorProfile) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert f"## {profile.name}" in docs
    for what, number, _ in profile.evidence():
        assert "`." + ".".join(map(str, number)) + "`" in docs, (profile.name, what)


def test_profiles_are_frozen_data() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        kyocera.PROFILE.name = "other"  # type: ignore[misc]


# ---------------------------------------------------------------- Brother records


@NO_DEADLINE
@given(st.dictionaries(st.integers(0, 0xFE), st.integers(0, 2**32 - 1), max_size=20))
def test_brother_records_round_trip(values: dict[int, int]) -> None:
    assert parse_records(encode_records(values)).values == values


@NO_DEADLINE
@given(st.binary(max_size=200))
def test_any_bytes_decode_or_are_rejected_never_raise(blob: bytes) -> None:
    decoded = parse_records(blob)
    assert (decoded.problem is None) or decoded.values == {}


@pytest.mark.parametrize(
    ("blob", "problem"),
    [
        (bytes.fromhex("0001040000221e"), "trailer"),  # the closing 0xFF is missing
        (bytes.fromhex("0001040000221eff00"), "trailer"),  # bytes after it
        (bytes.fromhex("000102221eff"), "trailer"),  # a 5-byte record: not this layout
        (bytes.fromhex("0002040000221eff"), "framing"),  # flag byte is not 0x01
        (bytes.fromhex("0001020000221eff"), "framing"),  # length byte is not 0x04
    ],
)
def test_a_blob_that_fails_its_check_is_rejected_whole(blob: bytes, problem: str) -> None:
    assert parse_records(blob).problem == problem
    counts, anomalies = read_meters(brother.PROFILE, {BROTHER_COUNTER: blob}, {})
    assert "total" not in counts and "mono" not in counts
    assert anomalies == [f"counter_records_rejected:{problem}"]


def test_brother_counter_records_give_total_mono_and_colour() -> None:
    blob = encode_records({0x00: 1310, 0x01: 279, 0x02: 1031, 0x06: 734})
    counts, anomalies = read_meters(brother.PROFILE, {BROTHER_COUNTER: blob}, {})
    assert (counts, anomalies) == ({"total": 1310, "mono": 279, "color": 1031}, [])


# ---------------------------------------------------------------- counters


KYOCERA_TOTAL = oid("1.3.6.1.4.1.1347.43.10.1.1.12.1.1")
ONE_SIDED = oid("1.3.6.1.4.1.1347.42.2.5.1.1.1.1")
TWO_SIDED = oid("1.3.6.1.4.1.1347.42.2.5.1.1.2.1")


def test_kyocera_total_is_its_own_counter_else_simplex_plus_duplex() -> None:
    sides: dict[Oid, Value] = {ONE_SIDED: ber.Counter32(15417), TWO_SIDED: ber.Counter32(7000)}
    assert read_meters(kyocera.PROFILE, sides, {})[0]["total"] == 22417
    with_own: dict[Oid, Value] = {**sides, KYOCERA_TOTAL: ber.Counter32(22500)}
    assert read_meters(kyocera.PROFILE, with_own, {})[0]["total"] == 22500


def test_a_sum_needs_every_part() -> None:
    assert "total" not in read_meters(kyocera.PROFILE, {ONE_SIDED: 15417}, {})[0]


def test_numbers_sent_as_text_count_and_garbage_does_not() -> None:
    assert read_meters(kyocera.PROFILE, {KYOCERA_TOTAL: b" 4711\x00"}, {})[0]["total"] == 4711
    assert "total" not in read_meters(kyocera.PROFILE, {KYOCERA_TOTAL: b"n/a"}, {})[0]
    assert "total" not in read_meters(kyocera.PROFILE, {KYOCERA_TOTAL: -5}, {})[0]


RICOH = "1.3.6.1.4.1.367.3.2.1.2.19.5.1"


def test_table_rows_are_found_by_their_key_not_their_position() -> None:
    # the same counters as the project recording, rows in another order (other models)
    rows = {(7,): (10, 388512), (3,): (201, 60110), (12,): (401, 158820), (1,): (870, 100)}
    tables: dict[Oid, dict[Oid, Value]] = {
        oid(f"{RICOH}.2"): {k: v[0] for k, v in rows.items()},
        oid(f"{RICOH}.9"): {k: v[1] for k, v in rows.items()},
    }
    counts, _ = read_meters(ricoh.PROFILE, {}, tables)
    assert counts == {"total": 388512, "mono": 60110 + 158820, "scan": 100}


def test_labels_match_whatever_their_case() -> None:
    base = "1.3.6.1.4.1.2385.1.1.19.2.1"
    tables: dict[Oid, dict[Oid, Value]] = {
        oid(f"{base}.4"): {(5, 4, 61): b"BLACK & WHITE TOTAL COUNT", (1, 4, 60): b"prints"},
        oid(f"{base}.3"): {(5, 4, 61): 900, (1, 4, 60): 400},
    }
    counts, _ = read_meters(sharp.PROFILE, {}, tables)
    assert counts == {"total": 900, "mono": 900, "print": 400}


def test_canon_lbp_counters_are_read_by_label() -> None:
    base = "1.3.6.1.4.1.1602.1.11.2.1.1"
    labels: dict[Oid, Value] = {
        (1,): b"Total 1", (2,): b"Total (Black 1)", (3,): b"Copy (Total 1)", (4,): b"x",
    }  # fmt: skip
    tables: dict[Oid, dict[Oid, Value]] = {
        oid(f"{base}.2"): labels,
        oid(f"{base}.3"): {(1,): 5000, (2,): 3000, (3,): 1200, (4,): 7},
    }
    counts, _ = read_meters(canon.PROFILE, {}, tables)
    assert counts == {"total": 5000, "mono": 3000, "copy": 1200}


def test_colour_or_mono_above_total_is_flagged_not_corrected() -> None:
    counters = Counters(total=1000, mono=400, color=1200)
    assert consistency(counters) == ("color_exceeds_total",)
    assert consistency(Counters(total=1000, mono=600, color=400)) == ()
    # parts in another unit than the total (Ricoh's vendor counts, total in sheets)
    assert consistency(counters, same_unit=False) == ()


def test_counters_that_go_down_are_flagged() -> None:
    before = Counters(total=1000, mono=700, color=300, scan=50)
    after = Counters(total=990, mono=700, color=290, scan=None)
    assert went_backwards(before, after) == ("total_went_backwards", "color_went_backwards")


def test_the_reader_flags_a_count_below_the_devices_previous_reading() -> None:
    hp = next(p for p in builtin_recordings() if p.stem.startswith("hp-"))
    life_count = (*mibs.PRT_MARKER_LIFE_COUNT, 1, 1)
    address = "127.88.1.1"

    async def run() -> list[Reading]:
        fleet = await start_fleet([hp], [address], port=PORT, speed=0.0, personalize=False)
        try:
            async with SnmpEngine() as engine:
                reader, target = Reader(Walker(engine)), Target(address, PORT)
                first = await reader.read(target)
                fleet.printers[address].overrides[life_count] = ber.Counter32(100)  # board swap
                second = await reader.read(target)
                third = await reader.read(target)
                return [first, second, third]
        finally:
            fleet.close()

    first, second, third = asyncio.run(run())
    assert (first.counters.total, first.counters.anomalies) == (48213, ())
    # reported as the device says, flagged once; HP's colour count is now above the total
    assert second.counters.total == 100
    assert second.counters.anomalies == ("color_exceeds_total", "total_went_backwards")
    assert (third.counters.total, third.counters.anomalies) == (100, ("color_exceeds_total",))


# ---------------------------------------------------------------- supply value maps


@pytest.mark.parametrize(
    ("level", "state"),
    [(0, SupplyState.OK), (1, SupplyState.LOW), (2, SupplyState.EMPTY), (3, SupplyState.LOW)],
)
def test_brother_levels_without_a_capacity_are_status_codes(level: int, state: SupplyState) -> None:
    (row,), _ = apply(brother.PROFILE, [supply(1, level, max_capacity=-2)])
    assert (row.level, row.level_percent, row.state) == (level, None, state)
    assert row.level_source == "brother_status_code"


def test_brother_levels_with_a_capacity_are_amounts() -> None:
    (row,), _ = apply(brother.PROFILE, [supply(1, 2, max_capacity=100)])
    assert (row.level_percent, row.level_source) == (2, "printer_mib")


def test_canon_three_step_levels_are_states_not_percentages() -> None:
    rows = [supply(1, 100), supply(2, 10), supply(3, 1), supply(4, 100)]
    out, _ = apply(canon.PROFILE, rows)
    assert [(s.level_percent, s.state) for s in out] == [
        (None, SupplyState.OK), (None, SupplyState.LOW), (None, SupplyState.LOW),
        (None, SupplyState.OK),
    ]  # fmt: skip
    assert {s.level_source for s in out} == {"canon_three_step"}


@pytest.mark.parametrize("levels", [(100, 10, 70), (100, 100, 100)])
def test_canon_real_percentages_stay_percentages(levels: tuple[int, ...]) -> None:
    rows = [supply(i, level) for i, level in enumerate(levels, 1)]
    out, _ = apply(canon.PROFILE, rows)
    assert [s.level_percent for s in out] == list(levels)
    assert {s.level_source for s in out} == {"printer_mib"}


RICOH_LEVEL = oid("1.3.6.1.4.1.367.3.2.1.2.24.1.1.5")


def test_ricoh_private_levels_replace_some_remaining_and_near_empty() -> None:
    rows = [supply(1, -3), supply(2, -100), supply(3, -100), supply(4, 60)]
    private: dict[Oid, Value] = {(1,): 35, (2,): 4, (4,): 59}
    out, _ = apply(ricoh.PROFILE, rows, tables={RICOH_LEVEL: private})
    assert [(s.level, s.level_percent, s.state, s.level_source) for s in out] == [
        (-3, 35, SupplyState.OK, "ricoh_private"),
        (-100, 4, SupplyState.LOW, "ricoh_private"),
        (-100, None, SupplyState.LOW, "ricoh_near_empty"),  # no private row: -100's meaning
        (60, 60, SupplyState.OK, "printer_mib"),  # a standard number is kept
    ]


def test_private_levels_out_of_range_are_ignored() -> None:
    private: dict[Oid, Value] = {(1,): 150, (2,): b"35"}
    rows = [supply(1, -3), supply(2, -3)]
    out, _ = apply(ricoh.PROFILE, rows, tables={RICOH_LEVEL: private})
    assert [(s.state, s.level_source) for s in out] == [
        (SupplyState.OK, "printer_mib"),
        (SupplyState.OK, "printer_mib"),
    ]


def test_lexmark_cartridge_serials_join_by_description() -> None:
    base = "1.3.6.1.4.1.641.6.4.4.1.1"
    tables: dict[Oid, dict[Oid, Value]] = {
        oid(f"{base}.5"): {(1, 1): b"Black Cartridge", (1, 2): b"Imaging Unit"},
        oid(f"{base}.6"): {(1, 1): b"CAS123", (1, 2): b"unknown"},
    }
    rows = [supply(1, 50, description="Black Cartridge"), supply(2, 50, description="Imaging Unit")]
    out, _ = apply(lexmark.PROFILE, rows, tables=tables)
    assert [s.serial for s in out] == ["CAS123", None]


def test_brother_maintenance_fills_a_toner_and_adds_the_parts_not_listed() -> None:
    blob = encode_records({0x6F: 4500, 0x81: 45, 0x41: 8200, 0x6A: 9100})
    rows = [supply(1, -3, -2, color="black"), supply(2, 24600, 30000, kind="opc")]
    out, anomalies = apply(brother.PROFILE, rows, {BROTHER_MAINTENANCE: blob})
    assert anomalies == []
    toner, drum, fuser = out
    assert (toner.level, toner.level_percent, toner.level_source) == (-3, 45, "brother_maintenance")
    assert drum == rows[1]  # the Printer-MIB drum row has its own number
    assert (fuser.index, fuser.kind, fuser.level_percent) == (1106, "fuser", 91)


def test_a_rejected_maintenance_blob_is_an_anomaly() -> None:
    rows = [supply(1, -3, -2, color="black")]
    out, anomalies = apply(brother.PROFILE, rows, {BROTHER_MAINTENANCE: b"\x6f\x01\x04"})
    assert out == rows and anomalies == ["maintenance_records_rejected:trailer"]


def test_only_parts_the_mib_calls_other_are_named_by_description() -> None:
    kit = supply(3, 76, kind="other", description="Maintenance Kit")
    toner = supply(1, 50, description="Maintenance Kit toner")
    out, _ = apply(lexmark.PROFILE, [toner, kit])
    assert [s.kind for s in out] == ["toner", "maintenance_kit"]


# ---------------------------------------------------------------- a new vendor: data only

NEW_VENDOR = VendorProfile(
    name="Acme",
    enterprises=(99998,),
    sys_object_id_prefixes=("1.3.6.1.4.1.99998.1",),
    brands=("Acme",),
    identity=(IdentityObject("firmware", enterprise(99998, 1, 1, 0), "Rec: test"),),
    counters=(CounterObject("color", (enterprise(99998, 2, 5, 7),), "Rec: test"),),
    counter_tables=(
        CounterTable(
            "acme-counters",
            values=enterprise(99998, 3, 1, 3),
            key_columns=(enterprise(99998, 3, 1, 2),),
            counters=(TableCounter("scan", keys("Scans"), "Rec: test"),),
            evidence="Rec: test",
        ),
    ),
    quirks=Quirks(no_getbulk=True),
)
ACME = """
1.3.6.1.2.1.1.1.0|4|Acme Imaging 9000
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99998.1
1.3.6.1.2.1.43.10.2.1.3.1.1|2|7
1.3.6.1.2.1.43.10.2.1.4.1.1|65|5000
1.3.6.1.4.1.99998.1.1.0|4|7.1.2
1.3.6.1.4.1.99998.2.5.6|65|1
1.3.6.1.4.1.99998.2.5.7|65|1200
1.3.6.1.4.1.99998.2.5.8|65|2
1.3.6.1.4.1.99998.3.1.2.1|4|Copies
1.3.6.1.4.1.99998.3.1.2.2|4|Scans
1.3.6.1.4.1.99998.3.1.3.1|65|321
1.3.6.1.4.1.99998.3.1.3.2|65|654
"""


def test_a_new_vendor_is_a_profile_and_a_recording_no_engine_change() -> None:
    address = "127.88.2.1"

    async def run() -> tuple[Reading, bool]:
        recording = parse_recording(ACME, "acme")
        fleet = await start_fleet([recording], [address], port=PORT, speed=0.0)
        try:
            async with SnmpEngine() as engine:
                walker = Walker(engine)
                reader = Reader(walker, profiles=lambda _oid, _brand: NEW_VENDOR)
                reading = await reader.read(Target(address, PORT))
                return reading, (address, PORT) in walker.no_bulk
        finally:
            fleet.close()

    reading, getnext = asyncio.run(run())
    assert reading.identity.firmware == "7.1.2"
    counters = reading.counters
    assert (counters.total, counters.color, counters.scan) == (5000, 1200, 654)
    assert getnext  # the profile's "no GETBULK" quirk took effect
