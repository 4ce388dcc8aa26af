"""Unit tests of the Printer-MIB value rules: supply levels, error-state bits and octet text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.collector.normalize import decode_error_state, normalize
from printscout.collector.raw import RawReading
from printscout.collector.rows import supply_level
from printscout.collector.text import MAX_TEXT, decode_text, format_mac, unhex
from printscout.domain.reading import SupplyState
from printscout.protocols.snmp import ber, mibs
from printscout.protocols.snmp.ber import Value

# Property tests have no per-example deadline: a loaded machine must not fail them.
NO_DEADLINE = settings(deadline=None)

OK, LOW, EMPTY = SupplyState.OK, SupplyState.LOW, SupplyState.EMPTY
SOME, UNKNOWN = SupplyState.SOME_REMAINING, SupplyState.UNKNOWN
PERCENT = mibs.UNIT_PERCENT
TENTHS_OF_GRAMS = 13
CONSUMED, RECEPTACLE = 3, mibs.RECEPTACLE

# ---------------------------------------------------------------- supply levels


@pytest.mark.parametrize(
    ("level", "max_capacity", "unit", "expected"),
    [
        # RFC 3805 prtMarkerSuppliesLevel: -1 other (no restriction), -2 unknown,
        # -3 "at least one unit remains"; none of them is a number of percent.
        (-1, 100, PERCENT, (None, OK)),
        (-2, 100, PERCENT, (None, UNKNOWN)),
        (-3, 100, PERCENT, (None, SOME)),
        (-3, -2, None, (None, SOME)),  # Brother toner: LibreNMS shows 50 %
        (None, 100, PERCENT, (None, UNKNOWN)),  # the agent gave no level
        (-4, 100, PERCENT, (None, UNKNOWN)),  # undefined negative values
        (-100, 100, PERCENT, (None, UNKNOWN)),  # Ricoh's "almost empty" is a vendor code
        # prtMarkerSuppliesMaxCapacity -1 (no restriction), -2 (unknown) and 0 give no base
        (55, -1, TENTHS_OF_GRAMS, (None, UNKNOWN)),
        (55, -2, TENTHS_OF_GRAMS, (None, UNKNOWN)),
        (55, 0, TENTHS_OF_GRAMS, (None, UNKNOWN)),
        (55, None, None, (None, UNKNOWN)),
        (100, -2, None, (None, UNKNOWN)),  # Sharp waste toner: LibreNMS shows 100 %
        (0, -2, None, (None, EMPTY)),  # zero is empty whatever the capacity
        # a unit of percent means the capacity is 100 even when the agent says otherwise
        (63, -2, PERCENT, (63, OK)),
        (63, 0, PERCENT, (63, OK)),
        (63, None, PERCENT, (63, OK)),
        (63, 100, PERCENT, (63, OK)),
        # plain arithmetic, rounded, clamped (agents report 150 % toner)
        (11501, 12000, 7, (96, OK)),
        (1060, 5300, TENTHS_OF_GRAMS, (20, OK)),
        (150, 100, PERCENT, (100, OK)),
        (0, 100, PERCENT, (0, EMPTY)),
        (10, 100, PERCENT, (10, LOW)),
        (11, 100, PERCENT, (11, OK)),
        (1, 100, PERCENT, (1, LOW)),
        (1, 1000, 7, (0, LOW)),  # rounds to 0 % yet is not empty: the state tells them apart
    ],
)
def test_supply_level_follows_the_printer_mib(
    level: int | None,
    max_capacity: int | None,
    unit: int | None,
    expected: tuple[int | None, SupplyState],
) -> None:
    assert supply_level(level, max_capacity, unit, CONSUMED) == expected


@pytest.mark.parametrize(
    ("level", "max_capacity", "expected"),
    [
        # A receptacle's level is the room still free (RFC 3805 prtMarkerSuppliesLevel), so
        # the percentage is the share still free: 5 % means almost full, 0 % ("empty") full.
        (100, 100, (100, OK)),
        (5, 100, (5, LOW)),
        (0, 100, (0, EMPTY)),
        (-3, -2, (None, SOME)),
        (-2, -2, (None, UNKNOWN)),
    ],
)
def test_receptacle_levels_are_the_share_still_free(
    level: int, max_capacity: int, expected: tuple[int | None, SupplyState]
) -> None:
    assert supply_level(level, max_capacity, PERCENT, RECEPTACLE) == expected
    assert supply_level(level, max_capacity, PERCENT, RECEPTACLE) == supply_level(
        level, max_capacity, PERCENT, CONSUMED
    )


@NO_DEADLINE
@given(
    st.one_of(st.none(), st.integers(-5, 2**31 - 1)),
    st.one_of(st.none(), st.integers(-5, 2**31 - 1)),
    st.sampled_from((None, PERCENT, 7, 8, TENTHS_OF_GRAMS)),
    st.sampled_from((None, CONSUMED, RECEPTACLE)),
)
def test_supply_level_is_always_a_percentage_or_none(
    level: int | None, max_capacity: int | None, unit: int | None, supply_class: int | None
) -> None:
    percent, state = supply_level(level, max_capacity, unit, supply_class)
    assert percent is None or 0 <= percent <= 100
    if percent is not None:
        assert level is not None and level >= 0  # never a number made up from a special value
    if level is not None and level > 0:
        assert state is not EMPTY
    if percent == 0 and level == 0:
        assert state is EMPTY


# ---------------------------------------------------------------- hrPrinterDetectedErrorState


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"", ()),
        (b"\x00", ()),
        (b"\x00\x00", ()),
        (b" ", ("low_toner",)),  # 0x20 is printable, but it is bit 2, not a space
        (b"\x20\x00", ("low_toner",)),  # Sharp MX-3570N
        (b"\x80", ("low_paper",)),
        (b"\x04", ("jammed",)),
        (b"\x08", ("door_open",)),
        (b"\x01", ("service_requested",)),
        (b"\x00\x80", ("input_tray_missing",)),
        (b"\x00\x02", ("overdue_prevent_maint",)),
        (b"\x00\x01", ()),  # bit 15 is not defined
        (b"\x14", ("no_toner", "jammed")),
        (b"\xff\xff", mibs.ERROR_STATE_BITS),
        (b"\x00\x00\xff", ()),  # octets past the second carry nothing
    ],
)
def test_error_state_bits_are_read_msb_first(value: bytes, expected: tuple[str, ...]) -> None:
    assert decode_error_state(value) == expected


@pytest.mark.parametrize("value", [None, 0, 32, (1, 3, 6), ber.NO_SUCH_INSTANCE])
def test_error_state_of_the_wrong_type_means_no_errors_known(value: Value) -> None:
    assert decode_error_state(value) == ()


@NO_DEADLINE
@given(st.binary(min_size=1, max_size=2))
def test_error_state_names_are_the_set_bits(value: bytes) -> None:
    padded = int.from_bytes(value.ljust(2, b"\x00"), "big")
    expected = tuple(
        name for bit, name in enumerate(mibs.ERROR_STATE_BITS) if padded & (0x8000 >> bit)
    )
    assert decode_error_state(value) == expected


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        (42, None),
        ((1, 3, 6, 1), None),
        (b"", None),
        (b"   ", None),
        (b"\x00\x00\x00", None),
        (b"HP LaserJet\x00\x00\x00", "HP LaserJet"),  # HP Jetdirect pads with NULs
        (b"Tray 1\x00garbage after the NUL", "Tray 1"),
        (b"  Ready  \r\n", "Ready"),
        (b"Toner\x1b[0m low", "Toner[0m low"),  # control characters dropped
        (b"two\nlines", "two\nlines"),
        ("\u9ed1\u8272\u78b3\u7c89".encode(), "\u9ed1\u8272\u78b3\u7c89"),  # Ricoh, UTF-8
        (b"Pr\xeat", "Pr\xeat"),  # not UTF-8: Latin-1
        ("already text", "already text"),
    ],
)
def test_decode_text_cleans_octet_strings(raw: object, expected: str | None) -> None:
    assert decode_text(raw) == expected


# IANA charset numbers as prtLocalizationCharacterSet gives them
UTF16BE, UTF16LE, UTF16, UCS2 = 1013, 1014, 1015, 1000
SHIFT_JIS, WINDOWS_31J, HP_ROMAN8, UTF8 = 17, 2024, 2004, 106


@pytest.mark.parametrize(
    ("raw", "charset", "expected"),
    [
        ("Toner \u9ed2".encode("utf-16-be"), UTF16BE, "Toner \u9ed2"),
        ("Toner \u9ed2".encode("utf-16-be") + b"\x00\x00\x00\x00", UTF16BE, "Toner \u9ed2"),
        ("Toner \u9ed2".encode("utf-16-le"), UTF16LE, "Toner \u9ed2"),
        ("Toner \u9ed2".encode("utf-16"), UTF16, "Toner \u9ed2"),  # with a BOM
        ("Ready".encode("utf-16-be"), UCS2, "Ready"),
        ("\u30d6\u30e9\u30c3\u30af".encode("shift_jis"), SHIFT_JIS, "\u30d6\u30e9\u30c3\u30af"),
        ("\u30c8\u30ca\u30fc".encode("cp932"), WINDOWS_31J, "\u30c8\u30ca\u30fc"),
        ("Pr\xeat \xe0 imprimer".encode("hp_roman8"), HP_ROMAN8, "Pr\xeat \xe0 imprimer"),
        ("\u9ed1\u8272".encode(), UTF8, "\u9ed1\u8272"),
        (b"plain", 9999, "plain"),  # an unknown charset number falls back
        (b"\xff\xfeplain", SHIFT_JIS, "\xff\xfeplain"),  # not Shift-JIS: fall back
    ],
)
def test_decode_text_uses_the_declared_charset(raw: bytes, charset: int, expected: str) -> None:
    assert decode_text(raw, charset) == expected


def test_roman8_would_be_mojibake_without_the_charset() -> None:
    raw = "Pr\xeat".encode("hp_roman8")
    assert decode_text(raw) != "Pr\xeat"
    assert decode_text(raw, HP_ROMAN8) == "Pr\xeat"


@pytest.mark.parametrize(
    ("raw", "charset"),
    [
        (b"X" * 100_000, None),
        (("Toner " * 20_000).encode("utf-16-be"), UTF16BE),
        ("\u30c8\u30ca\u30fc".encode("shift_jis") * 5_000, SHIFT_JIS),
    ],
)
def test_huge_strings_are_capped(raw: bytes, charset: int | None) -> None:
    text = decode_text(raw, charset)
    assert text is not None
    assert len(text) == MAX_TEXT


def test_a_cap_that_splits_a_multibyte_character_keeps_the_text() -> None:
    text = "\u9ed1\u8272\u78b3\u7c89" * 400  # 4,800 octets of UTF-8; 4,096 = 3 * 1,365 + 1
    assert decode_text(text.encode()) == text[:MAX_TEXT]


@pytest.mark.parametrize("charset", [SHIFT_JIS, 18, WINDOWS_31J, 2025, 2026], ids=str)
def test_a_cap_that_splits_a_double_byte_character_keeps_the_text(charset: int) -> None:
    # one ASCII letter, then two-octet characters: the 4,096th octet is half a character
    text = "A" + "\u4e2d\u6587" * 3000
    raw = text.encode(mibs.CHARSET_CODECS[charset])
    assert len(raw) > MAX_TEXT * 4
    assert decode_text(raw, charset) == text[:MAX_TEXT]


@NO_DEADLINE
@given(st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=300))
def test_decode_text_gives_clean_utf8_back(text: str) -> None:
    assert decode_text(text.encode()) == (text.strip() or None)


@NO_DEADLINE
@given(st.binary(max_size=600), st.sampled_from((None, *mibs.CHARSET_CODECS)))
def test_decode_text_never_fails_and_stays_capped(raw: bytes, charset: int | None) -> None:
    text = decode_text(raw, charset)
    assert text is None or (0 < len(text) <= MAX_TEXT and text == text.strip())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("0x48502D31", "HP-1"),
        ("48 50 2D 31", "HP-1"),
        ("0x484F5354000000", "HOST"),  # trailing NULs inside the hex
        ("ABCD1234", "ABCD1234"),  # a serial that happens to be hex stays a serial
        ("48:50:2D:31", "48:50:2D:31"),  # colon-only hex is too ambiguous (MAC-like)
        ("0x0102", "0x0102"),  # not printable once decoded
        ("0x0000", "0x0000"),  # nothing left once decoded
        ("0x485", "0x485"),  # odd digit count
        ("VNB3K12345", "VNB3K12345"),
    ],
)
def test_unhex_undoes_only_plausible_hex_text(text: str | None, expected: str | None) -> None:
    assert unhex(text) == expected


def test_unhex_accepts_an_upper_case_prefix() -> None:
    assert unhex("0X48502D31") == "HP-1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\x00\x1b\xa9\x4f\x10\xee", "00:1b:a9:4f:10:ee"),
        (b"\xa0\xb1\xc2\xd3\xe4\xf5", "a0:b1:c2:d3:e4:f5"),
        (bytes(6), None),  # all zero: no address
        (b"\xff" * 6, None),
        (b"\x00\x1b\xa9\x4f\x10", None),  # five octets
        (b"\x00\x1b\xa9\x4f\x10\xee\x00\x00", None),  # EUI-64 / padded
        (b"", None),
        (ber.IpAddress(b"\x7f\x00\x00\x01"), None),
        ("00:1b:a9:4f:10:ee", None),  # text is not an ifPhysAddress
        (None, None),
    ],
)
def test_format_mac(raw: object, expected: str | None) -> None:
    assert format_mac(raw) == expected


@NO_DEADLINE
@given(st.binary(min_size=6, max_size=6).filter(lambda b: any(b) and b != b"\xff" * 6))
def test_format_mac_round_trips(raw: bytes) -> None:
    mac = format_mac(raw)
    assert mac is not None
    assert mac == mac.lower()
    assert bytes.fromhex(mac.replace(":", "")) == raw


# ---------------------------------------------------------------- charsets via prtLocalization

PRINTER = (1,)


def raw_printer(
    charset: int, console_charset: int, description: bytes, display: bytes
) -> RawReading:
    """A printer whose general and console localizations point at two prtLocalization rows."""
    return RawReading(
        "127.0.0.1",
        scalars={
            mibs.PRT_GENERAL_CURRENT_LOCALIZATION: 1,
            mibs.PRT_CONSOLE_LOCALIZATION: 2,
        },
        tables={
            mibs.HR_DEVICE_TYPE: {PRINTER: mibs.HR_DEVICE_PRINTER},
            mibs.PRT_LOCALIZATION_CHARSET: {(1, 1): charset, (1, 2): console_charset},
            mibs.PRT_SUPPLIES_DESCRIPTION: {(1, 1): description},
            mibs.PRT_SUPPLIES_TYPE: {(1, 1): 3},
            mibs.PRT_SUPPLIES_LEVEL: {(1, 1): 40},
            mibs.PRT_SUPPLIES_MAX_CAPACITY: {(1, 1): 100},
            mibs.PRT_CONSOLE_DISPLAY_TEXT: {(1, 1): display},
            mibs.PRT_ALERT_SEVERITY: {(1, 1): 4},
            mibs.PRT_ALERT_CODE: {(1, 1): 1104},
            mibs.PRT_ALERT_DESCRIPTION: {(1, 1): description},
        },
    )


@pytest.mark.parametrize(
    ("charset", "console_charset", "description", "display"),
    [
        (SHIFT_JIS, HP_ROMAN8, "\u30d6\u30e9\u30c3\u30af \u30c8\u30ca\u30fc", "Pr\xeat"),
        (UTF16BE, UTF16BE, "Black Toner \u9ed2", "Ready"),
        (UTF16LE, SHIFT_JIS, "Cyan \u9752", "\u5370\u5237\u53ef\u80fd"),
        (WINDOWS_31J, HP_ROMAN8, "\u9ed2\u30c8\u30ca\u30fc", "Bereit \xfc"),
    ],
)
def test_normalize_decodes_text_in_the_localized_charsets(
    charset: int, console_charset: int, description: str, display: str
) -> None:
    codecs = mibs.CHARSET_CODECS
    reading = normalize(
        raw_printer(
            charset,
            console_charset,
            description.encode(codecs[charset]),
            display.encode(codecs[console_charset]),
        )
    )
    assert [s.description for s in reading.supplies] == [description]
    assert reading.status.display == (display,)
    assert [a.description for a in reading.status.alerts] == [description]
    assert [(a.severity, a.code) for a in reading.status.alerts] == [
        ("warning", "markerTonerAlmostEmpty")
    ]


def test_without_a_localization_row_text_falls_back_to_utf8() -> None:
    raw = raw_printer(SHIFT_JIS, HP_ROMAN8, "Black \u9ed2".encode(), b"Ready")
    unlocalized = RawReading(raw.address, {}, raw.tables)
    reading = normalize(unlocalized)
    assert [s.description for s in reading.supplies] == ["Black \u9ed2"]
    assert reading.status.display == ("Ready",)
