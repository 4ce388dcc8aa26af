"""The IPP codec (protocols/ipp/codec.py): byte-exact encoding, a real printer's answer, and
properties: round trips, and arbitrary or mutated bytes raise ParseError and nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.domain.errors import ParseError
from printscout.protocols.ipp import codec
from printscout.protocols.ipp.client import get_printer_attributes_request
from printscout.protocols.ipp.tags import GroupTag, ValueTag
from printscout.protocols.ipp.values import (
    Attribute,
    AttributeGroup,
    Boolean,
    Charset,
    Collection,
    DateTime,
    Enum,
    Integer,
    Keyword,
    Message,
    MimeMediaType,
    Name,
    NaturalLanguage,
    OctetString,
    OutOfBand,
    RangeOfInteger,
    Resolution,
    Text,
    Unknown,
    Uri,
    UriScheme,
    Value,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "ipp" / "ippeveprinter-all.bin"


def field(tag: int, name: bytes, value: bytes) -> bytes:
    """One value field written out by hand: tag, name-length, name, value-length, value."""
    return (
        bytes([tag]) + len(name).to_bytes(2, "big") + name + len(value).to_bytes(2, "big") + value
    )


def message(groups: tuple[AttributeGroup, ...], code: int = 0, data: bytes = b"") -> Message:
    return Message((2, 0), code, 7, groups, data)


def printer(*attributes: Attribute) -> tuple[AttributeGroup, ...]:
    return (AttributeGroup(GroupTag.PRINTER, attributes),)


# ---------------------------------------------------------------- byte-exact


def test_the_get_printer_attributes_request_is_encoded_byte_for_byte() -> None:
    request = get_printer_attributes_request(
        "ipp://127.0.0.1:631/ipp/print", 1, ("printer-state", "marker-levels")
    )
    expected = (
        b"\x02\x00" b"\x00\x0b" b"\x00\x00\x00\x01"
        b"\x01"
        b"\x47\x00\x12attributes-charset\x00\x05utf-8"
        b"\x48\x00\x1battributes-natural-language\x00\x02en"
        b"\x45\x00\x0bprinter-uri\x00\x1dipp://127.0.0.1:631/ipp/print"
        b"\x44\x00\x14requested-attributes\x00\x0dprinter-state"
        b"\x44\x00\x00\x00\x0dmarker-levels"
        b"\x03"
    )  # fmt: skip
    assert codec.encode(request) == expected
    assert codec.decode(expected) == request


@pytest.mark.parametrize(
    ("value", "tag", "raw"),
    [
        (Integer(-2), 0x21, b"\xff\xff\xff\xfe"),
        (Boolean(True), 0x22, b"\x01"),
        (Enum(3), 0x23, b"\x00\x00\x00\x03"),
        (OctetString(b"index=1;level=-3;"), 0x30, b"index=1;level=-3;"),
        (DateTime(2026, 11, 23, 19, 5, 7, 3, "-", 5, 30), 0x31,
         b"\x07\xea\x0b\x17\x13\x05\x07\x03-\x05\x1e"),
        (Resolution(600, 1200, 3), 0x32, b"\x00\x00\x02\x58\x00\x00\x04\xb0\x03"),
        (RangeOfInteger(1, 9999), 0x33, b"\x00\x00\x00\x01\x00\x00\x27\x0f"),
        (Text("Idle", "en"), 0x35, b"\x00\x02en\x00\x04Idle"),
        (Name("Büro", "de"), 0x36, b"\x00\x02de\x00\x05B\xc3\xbcro"),
        (Text("Bereit"), 0x41, b"Bereit"),
        (Name("lab"), 0x42, b"lab"),
        (Keyword("none"), 0x44, b"none"),
        (Uri("ipps://p/ipp/print"), 0x45, b"ipps://p/ipp/print"),
        (UriScheme("ipps"), 0x46, b"ipps"),
        (Charset("utf-8"), 0x47, b"utf-8"),
        (NaturalLanguage("en-us"), 0x48, b"en-us"),
        (MimeMediaType("image/pwg-raster"), 0x49, b"image/pwg-raster"),
        (OutOfBand(ValueTag.NO_VALUE), 0x13, b""),
        (OutOfBand(ValueTag.UNKNOWN), 0x12, b""),
        (Unknown(0x7F, b"\x40\x00\x00\x01xyz"), 0x7F, b"\x40\x00\x00\x01xyz"),
    ],
)  # fmt: skip
def test_each_value_syntax_is_encoded_byte_for_byte(value: Value, tag: int, raw: bytes) -> None:
    encoded = codec.encode(message(printer(Attribute("a", (value,)))))
    expected = b"\x02\x00\x00\x00\x00\x00\x00\x07\x04" + field(tag, b"a", raw) + b"\x03"
    assert encoded == expected
    assert codec.decode(expected).groups[0].attributes[0].values == (value,)


def test_1setof_and_nested_collections_are_encoded_byte_for_byte() -> None:
    media = Collection(
        (
            Attribute("media-size", (Collection((Attribute("x-dimension", (Integer(21000),)),)),)),
            Attribute("media-source", (Keyword("main"), Keyword("manual"))),
        )
    )
    encoded = codec.encode(message(printer(Attribute("media-col-ready", (media, Collection())))))
    expected = (
        b"\x02\x00\x00\x00\x00\x00\x00\x07\x04"
        + field(0x34, b"media-col-ready", b"")
        + field(0x4A, b"", b"media-size")
        + field(0x34, b"", b"")
        + field(0x4A, b"", b"x-dimension")
        + field(0x21, b"", b"\x00\x00\x52\x08")
        + field(0x37, b"", b"")
        + field(0x4A, b"", b"media-source")
        + field(0x44, b"", b"main")
        + field(0x44, b"", b"manual")
        + field(0x37, b"", b"")
        + field(0x34, b"", b"")  # the second value of the 1setOf: an empty collection
        + field(0x37, b"", b"")
        + b"\x03"
    )
    assert encoded == expected
    assert codec.decode(expected).groups[0].attributes[0].values == (media, Collection())


def test_document_data_after_the_attributes_is_kept() -> None:
    raw = codec.encode(message((), data=b"%PDF-1.7"))
    assert raw.endswith(b"\x03%PDF-1.7")
    assert codec.decode(raw).data == b"%PDF-1.7"


@pytest.mark.parametrize(
    "bad",
    [
        Attribute("", (Integer(1),)),
        Attribute("empty", ()),
        Attribute("big", (Integer(2**31),)),
        Attribute("long", (OctetString(b"x" * 65536),)),
        Attribute("oob", (OutOfBand(0x21),)),
        Attribute("unknown", (Unknown(0x21, b"\x00"),)),
        Attribute("member", (Collection((Attribute("m", ()),)),)),
        Attribute("date", (DateTime(2026, 1, 1, 0, 0, 0, 0, "+-", 0, 0),)),
        Attribute("surrogate", (Text("\ud800"),)),
    ],
)
def test_values_without_an_encoding_are_refused_with_value_error(bad: Attribute) -> None:
    with pytest.raises(ValueError):
        codec.encode(message(printer(bad)))


def test_a_datetime_converts_to_an_aware_datetime_or_none() -> None:
    value = DateTime(2026, 11, 23, 19, 5, 7, 3, "-", 5, 30)
    expected = dt.datetime(2026, 11, 23, 19, 5, 7, 300_000, dt.timezone(-dt.timedelta(hours=5.5)))
    assert value.to_datetime() == expected
    assert DateTime(2026, 13, 1, 0, 0, 0, 0, "+", 0, 0).to_datetime() is None
    assert DateTime(2026, 1, 1, 0, 0, 0, 0, "x", 0, 0).to_datetime() is None


# ---------------------------------------------------------------- a real printer's answer


def test_a_recorded_ippeveprinter_answer_decodes_to_typed_values_and_back() -> None:
    raw = FIXTURE.read_bytes()
    decoded = codec.decode(raw)
    assert codec.encode(decoded) == raw
    assert (decoded.version, decoded.code) == ((2, 0), 0)
    attributes = decoded.merged(GroupTag.PRINTER)
    get = attributes.get
    assert get("printer-state") == Attribute("printer-state", (Enum(3),))
    assert get("copies-supported") == Attribute("copies-supported", (RangeOfInteger(1, 1),))
    resolution = get("printer-resolution-default")
    assert resolution is not None and resolution.values == (Resolution(600, 600, 3),)
    assert get("printer-geo-location") == Attribute(
        "printer-geo-location", (OutOfBand(ValueTag.UNKNOWN),)
    )
    current = get("printer-current-time")
    assert current is not None and isinstance(current.values[0], DateTime)
    assert current.values[0].to_datetime() is not None
    assert attributes.string("printer-make-and-model") == "HP LaserJet Interop 1"
    database = get("media-col-database")
    assert database is not None
    first = database.values[0]
    assert isinstance(first, Collection)
    size = first.get("media-size")
    assert size is not None and isinstance(size.values[0], Collection)
    assert size.values[0].get("x-dimension") == Attribute("x-dimension", (Integer(21590),))


def test_every_truncation_of_a_real_answer_is_a_parse_error() -> None:
    raw = FIXTURE.read_bytes()
    end = raw.index(b"\x03", len(raw) - 1)  # the end-of-attributes tag is the last byte
    for cut in range(0, end, 7):
        with pytest.raises(ParseError):
            codec.decode(raw[:cut])


HEAD = b"\x02\x00\x00\x00\x00\x00\x00\x01"  # IPP/2.0, status 0, request-id 1
BEGIN, MEMBER, END = field(0x34, b"", b""), field(0x4A, b"", b"m"), field(0x37, b"", b"")


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (HEAD, "shorter than its header"),
        (HEAD + b"\x04", "no end-of-attributes"),
        (HEAD + field(0x44, b"a", b"b") + b"\x03", "before any"),
        (HEAD + b"\x04" + field(0x44, b"", b"b") + b"\x03", "additional"),
        (HEAD + b"\x00\x03", "reserved"),
        (HEAD + b"\x04" + field(0x21, b"a", b"\x01") + b"\x03", "4 bytes"),
        (HEAD + b"\x04" + field(0x22, b"a", b"\x02") + b"\x03", "boolean"),
        (HEAD + b"\x04" + field(0x37, b"a", b"") + b"\x03", "outside"),
        (HEAD + b"\x04" + field(0x35, b"a", b"\x00\x09en") + b"\x03", "truncated"),
        (HEAD + b"\x04" + field(0x35, b"a", b"\x00\x00\x00\x00!") + b"\x03", "stray"),
        (HEAD + b"\x04" + field(0x34, b"a", b"x") + END + b"\x03", "non-empty value"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + field(0x37, b"", b"x") + b"\x03", "non-empty"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + field(0x4A, b"", b"") + END + b"\x03", "empty"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + field(0x21, b"", b"\x00" * 4) + END + b"\x03",
         "before any memberAttrName"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + MEMBER + END + b"\x03", "has no value"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + field(0x44, b"n", b"v") + b"\x03", "named"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + b"\x03", "delimiter"),
        (HEAD + b"\x04" + field(0x34, b"a", b"") + (MEMBER + BEGIN) * 20 + b"\x03", "deeper"),
    ],
)  # fmt: skip
def test_malformed_messages_say_what_is_wrong(raw: bytes, why: str) -> None:
    with pytest.raises(ParseError, match=why):
        codec.decode(raw)


# ---------------------------------------------------------------- properties

NAMES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
STRINGS = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
INT32 = st.integers(-(2**31), 2**31 - 1)
U8 = st.integers(0, 255)
UNINTERPRETED = sorted(set(range(0x20, 0x100)) - set(codec.INTERPRETED_TAGS))
SCALARS: st.SearchStrategy[Value] = st.one_of(
    st.builds(Integer, INT32),
    st.builds(Enum, INT32),
    st.builds(Boolean, st.booleans()),
    st.builds(OctetString, st.binary(max_size=24)),
    st.builds(DateTime, st.integers(0, 65535), *[U8] * 6, st.characters(max_codepoint=255), U8, U8),
    st.builds(Resolution, INT32, INT32, U8),
    st.builds(RangeOfInteger, INT32, INT32),
    st.builds(Text, STRINGS, st.none() | STRINGS),
    st.builds(Name, STRINGS, st.none() | STRINGS),
    *(st.builds(cls, STRINGS) for cls in (Keyword, Uri, UriScheme, Charset, NaturalLanguage)),
    st.builds(MimeMediaType, STRINGS),
    st.builds(OutOfBand, st.integers(0x10, 0x1F), st.binary(max_size=3)),
    st.builds(Unknown, st.sampled_from(UNINTERPRETED), st.binary(max_size=12)),
)


def values(depth: int) -> st.SearchStrategy[Value]:
    """Scalars, and collections nested at most ``depth`` deep."""
    if depth == 0:
        return SCALARS
    members = st.builds(
        Attribute, NAMES, st.lists(values(depth - 1), min_size=1, max_size=3).map(tuple)
    )
    return st.one_of(SCALARS, st.builds(Collection, st.lists(members, max_size=3).map(tuple)))


ATTRIBUTES = st.builds(Attribute, NAMES, st.lists(values(3), min_size=1, max_size=3).map(tuple))
GROUP_TAGS = st.sampled_from([t for t in range(1, 16) if t != GroupTag.END])
GROUPS = st.builds(AttributeGroup, GROUP_TAGS, st.lists(ATTRIBUTES, max_size=4).map(tuple))
MESSAGES = st.builds(
    Message,
    st.tuples(U8, U8),
    st.integers(0, 65535),
    INT32,
    st.lists(GROUPS, max_size=3).map(tuple),
    st.binary(max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(MESSAGES)
def test_every_message_round_trips(original: Message) -> None:
    raw = codec.encode(original)
    assert codec.decode(raw) == original
    assert codec.encode(codec.decode(raw)) == raw


def _decodes_exactly_or_parse_error(raw: bytes) -> None:
    """Either ParseError, or a message that encodes back to exactly these bytes."""
    try:
        decoded = codec.decode(raw)
    except ParseError:
        return
    assert codec.encode(decoded) == raw


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=120))
def test_arbitrary_bytes_raise_only_parse_error(raw: bytes) -> None:
    _decodes_exactly_or_parse_error(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_arbitrary_bytes_after_a_valid_header_raise_only_parse_error(body: bytes) -> None:
    _decodes_exactly_or_parse_error(b"\x02\x00\x00\x00\x00\x00\x00\x01\x04" + body)


@settings(max_examples=300, deadline=None)
@given(MESSAGES, st.data())
def test_mutated_messages_raise_only_parse_error(original: Message, data: st.DataObject) -> None:
    raw = bytearray(codec.encode(original))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "insert" or position == len(raw):
            raw.insert(position, data.draw(U8))
        elif action == "flip":
            raw[position] ^= 1 << data.draw(st.integers(0, 7))
        else:
            del raw[position]
    _decodes_exactly_or_parse_error(bytes(raw))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 8892), st.data())
def test_mutations_of_a_real_answer_raise_only_parse_error(
    position: int, data: st.DataObject
) -> None:
    raw = bytearray(FIXTURE.read_bytes())
    position %= len(raw)
    raw[position] = data.draw(U8)
    _decodes_exactly_or_parse_error(bytes(raw))
