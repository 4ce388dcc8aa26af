"""The project's own snmprec recordings parse, sort, and identify as the brand they claim.

Each recording in ``src/printscout/simulator/recordings/`` has a hand-derived expectation in
``tests/fixtures/recordings/<name>.json``, in the shape of the scan-json contract. Those
expectations follow the Printer-MIB, and the vendor profile where one applies
(docs/devices.md):

- identity: manufacturer and model as ``printscout.domain.manufacturers`` decides them; serial is
  prtGeneralSerialNumber.1; mac is the first 6-octet non-zero ifPhysAddress; hostname and
  location are sysName and sysLocation.
- supplies: ``level`` and ``max_capacity`` are the raw prtMarkerSuppliesLevel / MaxCapacity;
  ``level_percent = round(100 * level / max)`` only when level >= 0 and max > 0 (no recording
  hits a .5 tie); state is ``empty`` when level == 0, ``low`` when the percentage is <= 10,
  otherwise ``ok``; level -1 gives ``ok``, -2 ``unknown``, -3 ``some_remaining``, and any other
  negative level (Ricoh's -100, outside the MIB's range) ``unknown``, all with a null
  percentage. For a receptacle (class 4, e.g. waste toner) the level is the free space, so the
  percentage is the share still free. ``kind`` and ``unit`` are the IANA names in snake_case;
  ``color`` joins prtMarkerSuppliesColorantIndex to prtMarkerColorantValue (null for index 0).
- counters.total is prtMarkerLifeCount.1.1 in the recorded prtMarkerCounterUnit (sheets on
  Ricoh and Savin, impressions elsewhere); where the vendor's own total is preferred, the
  recording holds the same number there (the recordings are consistent: mono + colour =
  total, print + copy (+ fax) = the vendor's total). mono, colour, print, copy, fax, scan and
  large come from the vendor objects, summed by the profile's rules.
- vendor rules on supplies: Canon's three-step levels (100/10/1) give a state and no
  percentage; Ricoh's private TONERCurLevel replaces -3 / -100; Brother's maintenance records
  fill a toner the Printer-MIB shows as "some remaining" and add parts it does not list
  (index 1000 + record code); Lexmark cartridge serials join by description.
- trays carry the raw prtInputName, prtInputMediaName, prtInputCurrentLevel and
  prtInputMaxCapacity (so -3 and -2 appear as recorded).

This file checks the raw half of those expectations against the recordings; the simulator test
checks the derived half against what the collector reads.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest

import printscout.simulator
from printscout.domain.manufacturers import (
    brand_for_enterprise,
    engine_makers,
    enterprise_number,
    identify_manufacturer,
    model_from,
)

RECORDINGS = Path(printscout.simulator.__file__).resolve().parent / "recordings"
EXPECTED = Path(__file__).resolve().parent / "fixtures" / "recordings"

BRANDS = {
    "brother-hl-l5100dn": "Brother",
    "canon-ir-adv-c5535": "Canon",
    "dell-b2360dn": "Dell",
    "develop-ineo-plus-450i": "Develop",
    "epson-wf-c5710": "Epson",
    "fujifilm-apeos-c3570": "Fujifilm",
    "hp-color-laserjet-m555": "HP",
    "konica-minolta-bizhub-c360i": "Konica Minolta",
    "kyocera-ecosys-p3145dn": "Kyocera",
    "lexmark-ms621": "Lexmark",
    "oki-c650": "OKI",
    "ricoh-mp-c3004": "Ricoh",
    "samsung-clx-6260": "Samsung",
    "savin-mp-c4504": "Savin",
    "sharp-mx-3071": "Sharp",
    "toshiba-e-studio-3515ac": "Toshiba",
    "utax-p-4532dn": "UTAX",
    "xerox-altalink-c8155": "Xerox",
    "zebra-zt411": "Zebra",
}

LINE = re.compile(r"(?P<oid>[0-9]+(?:\.[0-9]+)+)\|(?P<type>2|4|4x|6|64|65|66|67|70)\|(?P<value>.*)")
UNSIGNED_MAX = {"65": 2**32 - 1, "66": 2**32 - 1, "67": 2**32 - 1, "70": 2**64 - 1}
DEVICE_ID_OIDS = (
    "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1",  # PWG Port Monitor MIB
    "1.3.6.1.4.1.2435.2.3.9.1.1.7.0",  # Brother brieee1284id
    "1.3.6.1.4.1.253.8.51.1.2.1.20.1",  # Xerox xcmGenBaseSystem1284DeviceId
    "1.3.6.1.4.1.641.2.1.2.1.3.1",  # Lexmark prtgenPeripheralID
)
HR_PRINTER = "1.3.6.1.2.1.25.3.1.5"
SUPPLIES = "1.3.6.1.2.1.43.11.1.1"
INPUTS = "1.3.6.1.2.1.43.8.2.1"

Value = int | str | bytes


def oid_key(oid: str) -> tuple[int, ...]:
    """Return the numeric sort key of a dotted OID."""
    return tuple(int(arc) for arc in oid.split("."))


def check_value(kind: str, value: str) -> Value:
    """Validate one snmprec value against its type code and return it decoded."""
    if kind == "2":
        number = int(value)
        assert -(2**31) <= number < 2**31
        return number
    if kind in UNSIGNED_MAX:
        number = int(value)
        assert 0 <= number <= UNSIGNED_MAX[kind]
        return number
    if kind == "4x":
        assert re.fullmatch(r"(?:[0-9a-fA-F]{2})*", value), value
        return bytes.fromhex(value)
    if kind == "6":
        assert re.fullmatch(r"[0-9]+(?:\.[0-9]+)+", value), value
        return value
    if kind == "64":
        return str(ipaddress.IPv4Address(value))
    return value


def load(path: Path) -> dict[str, tuple[str, Value]]:
    """Parse a recording strictly: well-formed lines, valid values, OIDs strictly increasing."""
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    values: dict[str, tuple[str, Value]] = {}
    previous: tuple[int, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        match = LINE.fullmatch(line)
        assert match, f"{path.name}:{number}: {line!r}"
        oid, kind = match["oid"], match["type"]
        assert oid_key(oid) > previous, f"{path.name}:{number}: {oid} out of order"
        previous = oid_key(oid)
        values[oid] = (kind, check_value(kind, match["value"]))
    return values


def text_of(values: dict[str, tuple[str, Value]], oid: str) -> str | None:
    """Return an OCTET STRING as text, whether it was recorded plain or as hex."""
    if oid not in values:
        return None
    value = values[oid][1]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def column(values: dict[str, tuple[str, Value]], base: str) -> dict[int, Value]:
    """Return {last index arc: value} for a column of the printer's table (hrDeviceIndex 1)."""
    prefix = f"{base}.1."
    return {int(oid[len(prefix) :]): v for oid, (_, v) in values.items() if oid.startswith(prefix)}


def printer_row(values: dict[str, tuple[str, Value]]) -> str | None:
    """Return hrDeviceDescr of the row whose hrDeviceType is hrDevicePrinter."""
    for oid, (_, kind) in values.items():
        if oid.startswith("1.3.6.1.2.1.25.3.2.1.2.") and kind == HR_PRINTER:
            return text_of(values, "1.3.6.1.2.1.25.3.2.1.3." + oid.rsplit(".", 1)[1])
    return None


def first_mac(values: dict[str, tuple[str, Value]]) -> str | None:
    """Return the first 6-octet, non-zero ifPhysAddress as aa:bb:cc:dd:ee:ff."""
    for oid, (_, value) in values.items():
        if not oid.startswith("1.3.6.1.2.1.2.2.1.6.") or not isinstance(value, bytes):
            continue
        if len(value) == 6 and any(value):
            return ":".join(f"{octet:02x}" for octet in value)
    return None


NAMES = sorted(BRANDS)


def test_it_has_one_recording_and_one_expectation_per_brand() -> None:
    assert sorted(p.stem for p in RECORDINGS.glob("*.snmprec")) == NAMES
    assert sorted(p.stem for p in EXPECTED.glob("*.json")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_it_parses_and_identifies_each_recording(name: str) -> None:
    values = load(RECORDINGS / f"{name}.snmprec")
    brand = BRANDS[name]
    sys_object_id = text_of(values, "1.3.6.1.2.1.1.2.0")
    sys_descr = text_of(values, "1.3.6.1.2.1.1.1.0")
    pen_brand = brand_for_enterprise(enterprise_number(sys_object_id))
    assert pen_brand == brand or (pen_brand in engine_makers(brand)), pen_brand
    device_id = next((text_of(values, oid) for oid in DEVICE_ID_OIDS if oid in values), None)
    hr_descr = printer_row(values)
    assert identify_manufacturer(sys_object_id, sys_descr, hr_descr, device_id) == brand
    identity = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))["identity"]
    assert identity["manufacturer"] == brand
    assert identity["model"] == model_from(sys_descr, hr_descr, device_id, brand)


@pytest.mark.parametrize("name", NAMES)
def test_it_expects_the_raw_values_the_recording_holds(name: str) -> None:
    values = load(RECORDINGS / f"{name}.snmprec")
    expected: dict[str, Any] = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    identity = expected["identity"]
    assert identity["serial"] == text_of(values, "1.3.6.1.2.1.43.5.1.1.17.1")
    assert identity["mac"] == first_mac(values)
    assert identity["hostname"] == text_of(values, "1.3.6.1.2.1.1.5.0")
    assert identity["location"] == text_of(values, "1.3.6.1.2.1.1.6.0")
    assert expected["counters"]["total"] == values["1.3.6.1.2.1.43.10.2.1.4.1.1"][1]
    supplies = {  # the Printer-MIB rows; vendor-only parts are numbered from 1000
        s["index"]: (s["max_capacity"], s["level"])
        for s in expected["supplies"]
        if s["index"] < 1000
    }
    maxima, levels = column(values, f"{SUPPLIES}.8"), column(values, f"{SUPPLIES}.9")
    assert supplies == {index: (maxima[index], levels[index]) for index in levels}
    trays = {
        t["index"]: (t["name"], t["media"], t["max_capacity"], t["level"])
        for t in expected["trays"]
    }
    names, media = column(values, f"{INPUTS}.13"), column(values, f"{INPUTS}.12")
    recorded = column(values, f"{INPUTS}.9"), column(values, f"{INPUTS}.10")
    assert trays == {
        index: (names[index], media[index], recorded[0][index], recorded[1][index])
        for index in names
    }


def test_it_covers_the_special_cases() -> None:
    """The set holds -1, -2 and -3 levels, a waste-toner box and a drum counted in impressions."""
    levels: set[Value] = set()
    kinds: set[tuple[Value, Value, Value]] = set()  # (class, type, unit)
    for name in NAMES:
        values = load(RECORDINGS / f"{name}.snmprec")
        classes, types = column(values, f"{SUPPLIES}.4"), column(values, f"{SUPPLIES}.5")
        units, current = column(values, f"{SUPPLIES}.7"), column(values, f"{SUPPLIES}.9")
        levels.update(current.values())
        kinds.update((classes[i], types[i], units[i]) for i in current)
    assert {-1, -2, -3} <= levels
    assert any(cls == 4 and kind == 4 for cls, kind, _ in kinds)  # receptacleThatIsFilled
    assert (3, 9, 7) in kinds  # opc consumed, counted in impressions


def test_it_rejects_a_recording_out_of_order(tmp_path: Path) -> None:
    path = tmp_path / "bad.snmprec"
    path.write_text(
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.11\n1.3.6.1.2.1.1.10.0|2|1\n1.3.6.1.2.1.1.9.0|2|1\n"
    )
    with pytest.raises(AssertionError, match="out of order"):
        load(path)


@pytest.mark.parametrize(
    "line", ["1.3.6.1.2.1.1.1.0|4x|abc", "1.3.6.1|5|1", "1.3.6.1.2.1.1.3.0|67|-1"]
)
def test_it_rejects_a_malformed_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "bad.snmprec"
    path.write_text(line + "\n")
    with pytest.raises(AssertionError):
        load(path)
