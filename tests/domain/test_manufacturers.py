"""Tests for vendor identification: real LibreNMS recordings, 1284 parsing and rebadge rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from printscout.domain.manufacturer_tables import ENTERPRISE_BRANDS, NAME_KEYWORDS, REBADGES
from printscout.domain.manufacturers import (
    brand_in_text,
    enterprise_number,
    identify_manufacturer,
    model_from,
    parse_device_id,
)

LIBRENMS = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "librenms"

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
HR_DEVICE_TYPE = "1.3.6.1.2.1.25.3.2.1.2."
HR_DEVICE_DESCR = "1.3.6.1.2.1.25.3.2.1.3."
HR_DEVICE_PRINTER = "1.3.6.1.2.1.25.3.1.5"
DEVICE_ID_OIDS = (
    "1.3.6.1.4.1.2699.1.2.1.2.1.1.3.1",  # PWG Port Monitor MIB ppmPrinterIEEE1284DeviceId
    "1.3.6.1.4.1.11.2.3.9.1.1.7.0",  # HP JetDirect gdStatusId (ZebraNet answers it too)
    "1.3.6.1.4.1.2435.2.3.9.1.1.7.0",  # Brother brieee1284id
    "1.3.6.1.4.1.253.8.51.1.2.1.20.1",  # Xerox xcmGenBaseSystem1284DeviceId
)

# File-name prefix (before "_" or "@") -> the brand the device is sold under.
EXPECTED_BY_PREFIX = {
    "brother": "Brother",
    "canonprinter": "Canon",
    "dell-laser": "Dell",
    "developprinter": "Develop",
    "epson": "Epson",
    "epson-scanner": "Epson",
    "fujifilmprinter": "Fujifilm",
    "jetdirect": "HP",
    "konica": "Konica Minolta",
    "kyocera": "Kyocera",
    "lexmarkprinter": "Lexmark",
    "ricoh": "Ricoh",
    "samsungprinter": "Samsung",
    "savin": "Savin",
    "sharp": "Sharp",
    "toshiba-tec": "Toshiba",
    "tsc": "TSC",
    "xerox": "Xerox",
    "zebra": "Zebra",
}

# Whole file names whose answer differs from their prefix, with the reason.
EXPECTED_BY_NAME = {
    # An HP JetDirect EX print server ("HP ETHERNET MULTI-ENVIRONMENT ... JETDIRECT EX") that
    # reports Kyocera's sysObjectID .1347.41. The sysDescr names the network box; the
    # sysObjectID was set for the printer behind it, so the printer is a Kyocera.
    "jetdirect_1": "Kyocera",
}


def read_snmprec(path: Path) -> dict[str, str]:
    """Read an snmprec file into {oid: text}; hex (4x) values are decoded as UTF-8."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        oid, kind, value = line.split("|", 2)
        if kind == "4x":
            value = bytes.fromhex(value).decode("utf-8", "replace")
        values[oid.lstrip(".")] = value
    return values


def read_device(path: Path) -> dict[str, str]:
    """Read a recording; a ``case@context`` file is merged over its base ``case`` file."""
    values: dict[str, str] = {}
    base, at, _context = path.stem.partition("@")
    if at and (path.parent / f"{base}.snmprec").exists():
        values.update(read_snmprec(path.parent / f"{base}.snmprec"))
    values.update(read_snmprec(path))
    return values


def printer_descr(values: dict[str, str]) -> str | None:
    """Return hrDeviceDescr of the printer row, else of the first row (the CUPS fallback)."""
    rows = sorted(
        (int(oid[len(HR_DEVICE_DESCR) :]), text)
        for oid, text in values.items()
        if oid.startswith(HR_DEVICE_DESCR)
    )
    for index, text in rows:
        if values.get(f"{HR_DEVICE_TYPE}{index}") == HR_DEVICE_PRINTER:
            return text
    return rows[0][1] if rows else None


def signals(values: dict[str, str]) -> tuple[str | None, str | None, str | None, str | None]:
    """Return (sysObjectID, sysDescr, hrDeviceDescr, 1284 Device ID) from a recording."""
    device_id = next((values[oid] for oid in DEVICE_ID_OIDS if oid in values), None)
    return (
        values.get(SYS_OBJECT_ID),
        values.get(SYS_DESCR),
        printer_descr(values),
        device_id,
    )


def expected_brand(path: Path) -> str:
    """Return the brand a LibreNMS recording's file name implies."""
    stem = path.stem
    if stem in EXPECTED_BY_NAME:
        return EXPECTED_BY_NAME[stem]
    prefix = stem.partition("@")[0].partition("_")[0]
    return EXPECTED_BY_PREFIX[prefix]


RECORDINGS = sorted(LIBRENMS.glob("*.snmprec"))


def test_it_finds_the_librenms_recordings() -> None:
    assert len(RECORDINGS) >= 30, LIBRENMS


@pytest.mark.parametrize("path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_it_identifies_every_librenms_recording(path: Path) -> None:
    assert identify_manufacturer(*signals(read_device(path))) == expected_brand(path)


@pytest.mark.parametrize(
    ("stem", "model"),
    [
        ("jetdirect_m252dw", "Color LaserJet Pro M252dw"),  # 1284 MDL, "HP " removed
        ("jetdirect_supplies_context", "Color LaserJet Test"),  # PID: in sysDescr
        ("xerox", "AltaLink C8045"),
        ("brother", "MFC-8440"),  # 1284 MDL beats hrDeviceDescr (the file merges two devices)
        ("zebra", "TLP 2824 Plus"),  # long-key 1284 id, "ZTC " removed
        ("epson", "WF-C5790BA"),
        ("sharp", "MX-3570N"),
        ("konica", "bizhub C3110"),  # hrDeviceDescr "Generic 28C-1" is skipped
        ("developprinter", "ineo 280"),
        ("savin_c4503", "MP C4503"),  # firmware version and module list cut off
        ("ricoh", "MP 3053"),
        ("canonprinter_ir-adv", "iR-ADV C5235"),
        ("lexmarkprinter", "T640"),
        ("dell-laser", "B3460dn Laser Printer"),
        ("samsungprinter_clx", "CLX-3170 Series"),
        ("toshiba-tec_estudio2505", "e-STUDIO2505AC"),
        ("tsc", "TTP244CE"),
        ("fujifilmprinter_c7580", "Apeos C7580"),
        ("xerox_phaser", "Phaser 4600"),
        ("jetdirect_1", None),  # only the print server is described
        ("kyocera", None),  # "Printing System" is not a model
        ("zebra_1", None),
    ],
)
def test_it_picks_the_model_of_librenms_recordings(stem: str, model: str | None) -> None:
    sys_object_id, sys_descr, hr_descr, device_id = signals(
        read_device(LIBRENMS / f"{stem}.snmprec")
    )
    brand = identify_manufacturer(sys_object_id, sys_descr, hr_descr, device_id)
    assert model_from(sys_descr, hr_descr, device_id, brand) == model


def test_it_parses_short_keys() -> None:
    fields = parse_device_id("MFG:Brother;CMD:HBP,PJL,PCL;MDL:MFC-8440;CLS:PRINTER;")
    assert fields == {"MFG": "Brother", "CMD": "HBP,PJL,PCL", "MDL": "MFC-8440", "CLS": "PRINTER"}


def test_it_maps_long_keys_to_short_keys() -> None:
    text = "MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;MODEL:ZTC TLP 2824 Plus;CLASS:PRINTER;"
    assert parse_device_id(text) == {
        "MFG": "Zebra Technologies",
        "CMD": "ZPL",
        "MDL": "ZTC TLP 2824 Plus",
        "CLS": "PRINTER",
    }


def test_it_strips_spaces_and_upper_cases_keys() -> None:
    fields = parse_device_id(" mfg:Xerox; CMD:PCL, PJL, PostScript; Mdl :AltaLink C8045 ;\x00")
    assert fields == {"MFG": "Xerox", "CMD": "PCL, PJL, PostScript", "MDL": "AltaLink C8045"}


def test_it_keeps_colons_and_equals_signs_inside_values() -> None:
    fields = parse_device_id("MFG:HP;MEM:MEM=105MB;LEDMDIS:USB#ff#04#01;URI:http://x:80/ipp;")
    assert fields["MEM"] == "MEM=105MB"
    assert fields["LEDMDIS"] == "USB#ff#04#01"
    assert fields["URI"] == "http://x:80/ipp"


def test_it_skips_segments_without_a_colon_and_keeps_the_first_duplicate() -> None:
    fields = parse_device_id("Unknown;MFG:EPSON;MDL:WF-C5710;MANUFACTURER:Seiko Epson;;")
    assert fields == {"MFG": "EPSON", "MDL": "WF-C5710"}


def test_it_parses_serial_number_variants() -> None:
    assert parse_device_id("MFG:X;SERN:ABC123;")["SN"] == "ABC123"
    assert parse_device_id("MFG:X;SERIAL NUMBER:DEF456;")["SN"] == "DEF456"


def test_it_returns_nothing_for_an_empty_device_id() -> None:
    assert parse_device_id("") == {}
    assert parse_device_id("no fields at all") == {}


@pytest.mark.parametrize(
    ("sys_object_id", "sys_descr", "hr_descr", "device_id", "brand"),
    [
        # A rebadge named in the text wins over the engine maker's PEN.
        ("1.3.6.1.4.1.367.1.1", "SAVIN MP C4504 1.05 / SAVIN Network Printer", None, None, "Savin"),
        ("1.3.6.1.4.1.367.1.1", "LANIER MP 305+ 1.02", None, None, "Lanier"),
        ("1.3.6.1.4.1.367.1.1", "Gestetner MP 2554 1.03", None, None, "Gestetner"),
        ("1.3.6.1.4.1.367.1.1", "NRG MP C3004 1.10", None, None, "NRG"),
        ("1.3.6.1.4.1.18334.1.2.1.2.1.1", "Develop ineo+ 450i", None, None, "Develop"),
        ("1.3.6.1.4.1.1347.41", "UTAX Printing System", "P-4532DN", None, "UTAX"),
        ("1.3.6.1.4.1.1347.41", None, "TA Triumph-Adler P-4532DN", None, "TA Triumph-Adler"),
        ("1.3.6.1.4.1.641.1.1", "Dell B2360dn Laser Printer version x", None, None, "Dell"),
        ("1.3.6.1.4.1.236.11.5.1", "Xerox Phaser 3020; V3.50", None, None, "Xerox"),
        ("1.3.6.1.4.1.236.11.5.1", None, "HP Laser MFP 135w", None, "HP"),
        # The 1284 MFG can be the engine maker while sysDescr names the rebadge.
        (None, "SAVIN MP C4504", None, "MFG:RICOH;MDL:MP C4504;", "Savin"),
        # Not a rebadge relation: the PEN beats a brand named only in sysDescr (jetdirect_1).
        (
            ".1.3.6.1.4.1.1347.41",
            "HP ETHERNET MULTI-ENVIRONMENT,ROM J.sp.00,JETDIRECT EX,JD28 EEPROM 5.58",
            None,
            None,
            "Kyocera",
        ),
        # An external JetDirect (HP PEN) in front of a Kyocera: the engine's own MFG wins.
        (
            "1.3.6.1.4.1.11.2.3.9.1",
            "HP ETHERNET MULTI-ENVIRONMENT,ROM J.sp.00,JETDIRECT EX",
            None,
            "MFG:KYOCERA;MDL:FS-1020D;",
            "Kyocera",
        ),
        # ... and so does the printer row's description when there is no Device ID.
        (
            "1.3.6.1.4.1.11.2.3.9.1",
            "HP ETHERNET MULTI-ENVIRONMENT",
            "KYOCERA FS-1020D",
            None,
            "Kyocera",
        ),
        # Plain cases.
        ("1.3.6.1.4.1.2435.2.3.9.1", None, None, None, "Brother"),
        ("1.3.6.1.4.1.40093.1", None, None, None, "Pantum"),
        (None, "Dell B3460dn Laser Printer version NH5", None, None, "Dell"),
        (None, None, "MFG:Hewlett-Packard;MDL:HP LaserJet 4250;", None, "HP"),  # 1284 id as descr
        (None, "Seiko Epson network interface", None, None, "Epson"),
        (None, "FUJI XEROX DocuPrint CP305 d", None, None, "Fujifilm"),
        (None, "KONICA MINOLTA bizhub C3110", None, None, "Konica Minolta"),
        (None, None, "LaserJet 4250", None, "HP"),  # product line only
        (None, None, "e-STUDIO3515AC", None, "Toshiba"),
        # Nothing recognisable.
        ("1.3.6.1.4.1.8072.3.2.10", "Linux printhost 6.1", "Printer Modell 5", None, None),
        (None, None, None, None, None),
    ],
)
def test_it_weighs_the_signals(
    sys_object_id: str | None,
    sys_descr: str | None,
    hr_descr: str | None,
    device_id: str | None,
    brand: str | None,
) -> None:
    assert identify_manufacturer(sys_object_id, sys_descr, hr_descr, device_id) == brand


@pytest.mark.parametrize(
    ("oid", "pen"),
    [
        ("1.3.6.1.4.1.11.2.3.9.1", 11),
        (".1.3.6.1.4.1.2435.2.3.9.1", 2435),
        ("1.3.6.1.4.1.51966", 51966),
        ("1.3.6.1.2.1.25.3.1.5", None),
        ("0.0", None),
        ("", None),
        (None, None),
        ("1.3.6.1.4.1.x.1", None),
    ],
)
def test_it_extracts_the_enterprise_number(oid: str | None, pen: int | None) -> None:
    assert enterprise_number(oid) == pen


def test_it_spells_brands_as_the_contract_does() -> None:
    contract = {
        "HP", "Canon", "Ricoh", "Kyocera", "Xerox", "Konica Minolta", "Sharp", "Brother",
        "Lexmark", "Epson", "OKI", "Samsung", "Toshiba", "Dell", "Zebra", "Fujifilm", "UTAX",
        "TA Triumph-Adler", "Develop", "Gestetner", "Lanier", "Savin", "NRG", "TSC", "Pantum",
        "Panasonic", "Olivetti", "Sindoh",
    }  # fmt: skip
    known = set(NAME_KEYWORDS.values())
    assert contract <= known
    assert set(ENTERPRISE_BRANDS.values()) <= known
    for brand, engines in REBADGES.items():
        assert brand in known
        assert engines <= known


def test_it_matches_names_as_whole_words() -> None:
    assert brand_in_text("Printer Modell 5") is None  # "dell" inside a word
    assert brand_in_text("SHPRINT") is None
    assert brand_in_text("ZebraNet Wired PS") == "Zebra"
    assert brand_in_text("Hewlett-Packard Color LaserJet") == "HP"


@pytest.mark.parametrize(
    ("sys_descr", "hr_descr", "device_id", "brand", "model"),
    [
        (None, "HP Color LaserJet Pro M252dw", None, "HP", "Color LaserJet Pro M252dw"),
        (
            None,
            None,
            "MFG:Hewlett-Packard;MDL:Hewlett-Packard HP LaserJet 400;",
            "HP",
            "LaserJet 400",
        ),
        (None, "EPSON  WF-C5710   Series", None, "Epson", "WF-C5710 Series"),
        (None, "AltaLink C8155", None, "Xerox", "AltaLink C8155"),  # no prefix to remove
        (None, "KONICA MINOLTA bizhub C360i", None, "Konica Minolta", "bizhub C360i"),
        (None, "Brother", None, "Brother", "Brother"),  # nothing but the brand: keep it
        (None, "HP Color LaserJet M555", None, None, "HP Color LaserJet M555"),
        ("KYOCERA Document Solutions Printing System", "Generic 28C-1", None, "Kyocera", None),
        ("Xerox AltaLink C8155; SS 103.001", "", None, "Xerox", "AltaLink C8155"),
        (None, None, None, "HP", None),
    ],
)
def test_it_removes_the_brand_from_the_model(
    sys_descr: str | None,
    hr_descr: str | None,
    device_id: str | None,
    brand: str | None,
    model: str | None,
) -> None:
    assert model_from(sys_descr, hr_descr, device_id, brand) == model
