"""Property and byte-exact tests for the BER codec (protocols/snmp/ber.py)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.domain.errors import ParseError
from printscout.protocols.snmp import ber
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.varbinds import decode_varbinds
from tests.support.strategies import mutated

# Property tests have no per-example deadline: a loaded machine must not fail them.
NO_DEADLINE = settings(deadline=None)

# ---------------------------------------------------------------- strategies

# Sub-identifier values where the base-128 encoding changes length, plus the SMI maximum.
ARC_EDGES = (0, 1, 127, 128, 16383, 16384, 2**21 - 1, 2**21, 2**28 - 1, 2**28, 2**32 - 1)
ARCS = st.one_of(st.sampled_from(ARC_EDGES), st.integers(0, 2**32 - 1), st.integers(0, 300))
MAX_ARCS = 128  # RFC 2578 section 3.5: at most 128 sub-identifiers


@st.composite
def oids(draw: st.DrawFn, max_arcs: int = MAX_ARCS) -> Oid:
    """A valid OID: first arc 0..2, second 0..39 under 0 and 1, any 32-bit arcs after."""
    first = draw(st.integers(0, 2))
    second = draw(st.integers(0, 39)) if first < 2 else draw(ARCS)
    rest = draw(st.lists(ARCS, max_size=max_arcs - 2))
    return (first, second, *rest)


INT64_EDGES = (0, 1, -1, 127, 128, -128, -129, 255, 256, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63))
SIGNED = st.one_of(
    st.sampled_from(INT64_EDGES),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-(2**71), 2**71 - 1),  # the decoder accepts up to nine content octets
)


def unsigned(cls: type[int], bits: int) -> st.SearchStrategy[Value]:
    """Values of an unsigned SMI type over its whole range, edges included."""
    top = 2**bits - 1
    return st.one_of(
        st.sampled_from((0, 1, 127, 128, 255, 256, top - 1, top)), st.integers(0, top)
    ).map(cls)


EXCEPTIONS = (ber.NO_SUCH_OBJECT, ber.NO_SUCH_INSTANCE, ber.END_OF_MIB_VIEW)
VALUES: st.SearchStrategy[Value] = st.one_of(
    SIGNED,
    unsigned(ber.Counter32, 32),
    unsigned(ber.Gauge32, 32),
    unsigned(ber.TimeTicks, 32),
    unsigned(ber.Counter64, 64),
    st.binary(max_size=300),  # crosses the 127- and 255-octet length boundaries
    st.binary(min_size=4, max_size=4).map(ber.IpAddress),
    st.binary(max_size=40).map(ber.Opaque),
    st.none(),
    oids(),
    st.sampled_from(EXCEPTIONS),
)
VARBINDS = st.lists(st.tuples(oids(max_arcs=20), VALUES), max_size=12)


def typed(value: Value) -> tuple[type, Value]:
    """A value with its exact class: IpAddress(b"abcd") == b"abcd", but must not decode as it."""
    return (type(value), value)


def round_trip(value: Value) -> Value:
    """Encode one value, check its TLV spans the whole output, and decode it again."""
    data = ber.encode_value(value)
    tag, start, stop = ber.read_header(data, 0, len(data))
    assert stop == len(data)
    return ber.decode_value(tag, data, start, stop)


# ---------------------------------------------------------------- round trips


@NO_DEADLINE
@given(SIGNED)
def test_integers_round_trip_including_negatives_and_64_bit_edges(value: int) -> None:
    assert typed(round_trip(value)) == (int, value)


@pytest.mark.parametrize(
    ("cls", "bits"),
    [(ber.Counter32, 32), (ber.Gauge32, 32), (ber.TimeTicks, 32), (ber.Counter64, 64)],
)
@NO_DEADLINE
@given(data=st.data())
def test_unsigned_types_round_trip_over_their_whole_range(
    cls: type[int], bits: int, data: st.DataObject
) -> None:
    value = data.draw(unsigned(cls, bits))
    assert typed(round_trip(value)) == (cls, value)


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        (ber.Counter32(2**32), ber.COUNTER32),
        (ber.Gauge32(2**32), ber.GAUGE32),
        (ber.TimeTicks(-1), ber.TIMETICKS),
        (ber.Counter64(2**64), ber.COUNTER64),
        (ber.Counter64(-1), ber.COUNTER64),
    ],
)
def test_unsigned_values_out_of_range_are_refused(value: int, tag: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        ber.encode_value(value)


# Hypothesis draws at most a few KiB of entropy, so long strings are built, not drawn.
LONG_OCTETS = st.integers(0, 70_000).map(lambda n: bytes(i & 0xFF for i in range(n)))


@NO_DEADLINE
@given(st.one_of(st.binary(max_size=600), LONG_OCTETS))
def test_octet_strings_round_trip_with_short_and_long_lengths(value: bytes) -> None:
    assert typed(round_trip(value)) == (bytes, value)


@NO_DEADLINE
@given(st.binary(min_size=4, max_size=4))
def test_ip_addresses_round_trip_as_ip_addresses(value: bytes) -> None:
    assert typed(round_trip(ber.IpAddress(value))) == (ber.IpAddress, value)


@NO_DEADLINE
@given(st.binary(max_size=300))
def test_opaque_round_trips_as_opaque(value: bytes) -> None:
    assert typed(round_trip(ber.Opaque(value))) == (ber.Opaque, value)


def test_null_round_trips() -> None:
    assert round_trip(None) is None


@pytest.mark.parametrize("exception", EXCEPTIONS, ids=lambda e: e.name)
def test_exceptions_decode_to_the_same_singletons(exception: ber.VarBindException) -> None:
    assert round_trip(exception) is exception


@NO_DEADLINE
@given(oids())
def test_oids_round_trip_including_large_arcs(oid: Oid) -> None:
    assert round_trip(oid) == oid


@NO_DEADLINE
@given(VARBINDS)
def test_varbind_lists_round_trip(varbinds: list[tuple[Oid, Value]]) -> None:
    data = ber.encode_varbinds(varbinds)
    decoded = decode_varbinds(data, 0, len(data))
    assert [(o, typed(v)) for o, v in decoded] == [(o, typed(v)) for o, v in varbinds]


def test_bool_is_not_an_snmp_type() -> None:
    with pytest.raises(ValueError, match="bool"):
        ber.encode_value(True)


@pytest.mark.parametrize("oid", [(3, 1), (1, 40), (0, 40, 1), (1,), (), (1, 3, -1)], ids=repr)
def test_invalid_oids_are_refused_on_encode(oid: Oid) -> None:
    with pytest.raises(ValueError):
        ber.encode_oid(oid)


# ---------------------------------------------------------------- ordering


@NO_DEADLINE
@given(oids(max_arcs=12), oids(max_arcs=12))
def test_oids_compare_as_tuples_of_arcs_after_a_round_trip(a: Oid, b: Oid) -> None:
    da, db = round_trip(a), round_trip(b)
    assert isinstance(da, tuple)
    assert isinstance(db, tuple)
    assert (da < db) == (a < b)
    assert (da == db) == (a == b)


@NO_DEADLINE
@given(st.lists(oids(max_arcs=12), max_size=30))
def test_sorting_dotted_text_by_parsed_oid_is_numeric_lexicographic_order(ids: list[Oid]) -> None:
    texts = [ber.oid_to_str(o) for o in ids]
    assert [ber.oid_from_str(t) for t in sorted(texts, key=ber.oid_from_str)] == sorted(ids)


def test_column_rows_sort_numerically_not_as_text() -> None:
    level = "1.3.6.1.2.1.43.11.1.1.9.1."
    rows = [ber.oid_from_str(level + str(i)) for i in (10, 2, 1, 31, 3)]
    assert [o[-1] for o in sorted(rows)] == [1, 2, 3, 10, 31]
    # a prefix sorts before everything below it, as GETNEXT order requires
    assert ber.oid_from_str(level[:-1]) < min(rows)


@NO_DEADLINE
@given(oids(max_arcs=16))
def test_dotted_text_round_trips(oid: Oid) -> None:
    text = ber.oid_to_str(oid)
    assert ber.oid_from_str(text) == oid
    assert ber.oid_from_str("." + text) == oid


@pytest.mark.parametrize("text", ["", "1", "1.3.x", "1.-3.6", "1..3"])
def test_bad_dotted_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        ber.oid_from_str(text)


# ---------------------------------------------------------------- known encodings


@pytest.mark.parametrize(
    ("value", "hex_bytes"),
    [
        (0, "020100"),
        (127, "02017f"),
        (128, "02020080"),
        (255, "020200ff"),
        (256, "02020100"),
        (-1, "0201ff"),
        (-128, "020180"),
        (-129, "0202ff7f"),
        (2**31 - 1, "02047fffffff"),
        (-(2**31), "020480000000"),
        (2**63 - 1, "02087fffffffffffffff"),
        (-(2**63), "02088000000000000000"),
        (ber.Counter32(0), "410100"),
        (ber.Counter32(2**32 - 1), "410500ffffffff"),
        (ber.Gauge32(2**31), "42050080000000"),
        (ber.TimeTicks(100), "430164"),
        (ber.Counter64(2**64 - 1), "460900ffffffffffffffff"),
        (ber.IpAddress(b"\x7f\x00\x00\x01"), "40047f000001"),
        (ber.Opaque(b"\x9f\x78\x04"), "44039f7804"),
        (None, "0500"),
        (b"", "0400"),
        (b"public", "04067075626c6963"),
        ((1, 3, 6, 1, 2, 1, 1, 1, 0), "06082b06010201010100"),
        ((1, 3, 6, 1, 4, 1, 2435), "06072b060104019303"),  # 2435 = 19 * 128 + 3
        ((2, 999, 3), "0603883703"),  # the X.690 section 8.19.5 example
        ((1, 3, 2**32 - 1), "06062b8fffffff7f"),
        (ber.NO_SUCH_OBJECT, "8000"),
        (ber.NO_SUCH_INSTANCE, "8100"),
        (ber.END_OF_MIB_VIEW, "8200"),
    ],
    ids=repr,
)
def test_known_encodings_are_byte_exact(value: Value, hex_bytes: str) -> None:
    assert ber.encode_value(value).hex() == hex_bytes


@pytest.mark.parametrize(
    ("length", "header"),
    [
        (0, "0400"),
        (127, "047f"),
        (128, "048180"),
        (255, "0481ff"),
        (256, "04820100"),
        (65535, "0482ffff"),
        (65536, "0483010000"),
    ],
)
def test_long_form_lengths_are_minimal_and_read_back(length: int, header: str) -> None:
    data = ber.tlv(ber.OCTET_STRING, bytes(length))
    assert data[: len(header) // 2].hex() == header
    assert ber.read_header(data, 0, len(data)) == (ber.OCTET_STRING, len(header) // 2, len(data))
    assert ber.encode_length(length).hex() == header[2:]


def test_non_minimal_long_form_lengths_are_accepted_as_ber_allows() -> None:
    data = bytes.fromhex("04820005") + b"hello"
    assert ber.read_header(data, 0, len(data)) == (ber.OCTET_STRING, 4, 9)


def test_non_minimal_integers_are_accepted_leniently() -> None:
    # X.690 asks for minimal octets, but some agents pad; reading them costs nothing.
    assert ber.decode_value(ber.INTEGER, bytes.fromhex("000001"), 0, 3) == 1
    assert ber.decode_value(ber.INTEGER, bytes.fromhex("ffff"), 0, 2) == -1


def test_unsigned_content_is_read_as_unsigned() -> None:
    # an agent that writes a Counter32 as a signed 0xff still means 255
    assert ber.decode_value(ber.COUNTER32, b"\xff", 0, 1) == 255


UNSIGNED_LIMITS = {
    ber.COUNTER32: 2**32,
    ber.GAUGE32: 2**32,
    ber.TIMETICKS: 2**32,
    ber.COUNTER64: 2**64,
}


@NO_DEADLINE
@given(st.sampled_from(sorted(UNSIGNED_LIMITS)), st.binary(min_size=1, max_size=9))
def test_decoded_unsigned_values_stay_in_range(tag: int, content: bytes) -> None:
    value = ber.decode_value(tag, content, 0, len(content))
    assert isinstance(value, int)
    assert 0 <= value < UNSIGNED_LIMITS[tag]


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    "hex_bytes",
    [
        "",  # nothing
        "04",  # a tag without a length
        "3080" + "0500" + "0000",  # indefinite length: BER allows it, SNMP does not
        "048500000000" + "05",  # five length octets
        "0405abcd",  # length past the end
        "1f0100",  # multi-octet tag
        "048401000000",  # a 16 MiB length in a short buffer
    ],
)
def test_bad_headers_raise_parse_error(hex_bytes: str) -> None:
    data = bytes.fromhex(hex_bytes)
    with pytest.raises(ParseError):
        ber.read_header(data, 0, len(data))


def test_indefinite_length_is_rejected_with_a_clear_message() -> None:
    data = bytes.fromhex("30800201000000")
    with pytest.raises(ParseError, match="indefinite"):
        ber.read_header(data, 0, len(data))


@pytest.mark.parametrize(
    ("tag", "content_hex"),
    [
        (ber.INTEGER, ""),
        (ber.INTEGER, "01" * 10),
        (ber.NULL, "00"),
        (ber.IPADDRESS, "7f0000"),
        (ber.IPADDRESS, "7f00000102"),
        (ber.COUNTER32, ""),
        (ber.COUNTER64, "01" * 10),
        (ber.OBJECT_IDENTIFIER, ""),
        (ber.OBJECT_IDENTIFIER, "2b86"),  # ends inside a sub-identifier
        (ber.OBJECT_IDENTIFIER, "2b8001"),  # sub-identifier padded with 0x80
        (ber.OBJECT_IDENTIFIER, "2b" + "01" * 128),  # 130 arcs
        (ber.OBJECT_IDENTIFIER, "2b" + "a0808080" + "00"),  # a sub-identifier of 2**37
        (0x47, "00"),  # no such application type in SNMP
        (0x30, ""),  # a SEQUENCE is not a value
    ],
)
def test_bad_values_raise_parse_error(tag: int, content_hex: str) -> None:
    content = bytes.fromhex(content_hex)
    with pytest.raises(ParseError):
        ber.decode_value(tag, content, 0, len(content))


def test_the_longest_oid_snmp_allows_decodes() -> None:
    oid = (1, 3, *([7] * (MAX_ARCS - 2)))
    assert round_trip(oid) == oid


@pytest.mark.parametrize(
    "hex_bytes",
    [
        "3006300406000500",  # empty OID
        "3009300506012b0500",  # list length runs past the end
        "3008300606012b050000",  # NULL with trailing octet inside the varbind
        "3005300306012b",  # no value
        "3105300306012b",  # not a SEQUENCE
        "3007300504012b0500",  # name is not an OID
    ],
)
def test_bad_varbind_lists_raise_parse_error(hex_bytes: str) -> None:
    data = bytes.fromhex(hex_bytes)
    with pytest.raises(ParseError):
        decode_varbinds(data, 0, len(data))


VALUE_TAGS = (
    ber.INTEGER, ber.OCTET_STRING, ber.NULL, ber.OBJECT_IDENTIFIER, ber.IPADDRESS, ber.COUNTER32,
    ber.GAUGE32, ber.TIMETICKS, ber.OPAQUE, ber.COUNTER64, 0x80, 0x30,
)  # fmt: skip


def decode_everything(data: bytes) -> None:
    """Run every decoder on ``data``; ParseError is the only exception allowed to escape."""
    for attempt in (
        lambda: ber.read_header(data, 0, len(data)),
        lambda: decode_varbinds(data, 0, len(data)),
        lambda: ber.read_int(data, 0, len(data)),
        lambda: ber.read_octets(data, 0, len(data)),
    ):
        with contextlib.suppress(ParseError):
            attempt()
    for tag in VALUE_TAGS:
        with contextlib.suppress(ParseError):
            ber.decode_value(tag, data, 0, len(data))


@NO_DEADLINE
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    decode_everything(data)


@NO_DEADLINE
@given(mutated(VARBINDS.map(ber.encode_varbinds)))
def test_damaged_varbind_lists_raise_only_parse_error(data: bytes) -> None:
    decode_everything(data)


def test_it_decodes_a_list_seen_before_into_a_list_of_its_own() -> None:
    data = ber.encode_varbinds(
        [((1, 3, 6, 1, 2, 1, 1, 3, 0), ber.TimeTicks(42)), ((1, 3, 6, 1), b"x")]
    )
    first = decode_varbinds(data, 0, len(data))
    first.append(((1, 3), None))  # a caller changing its list
    again = decode_varbinds(data, 0, len(data))
    assert again == [((1, 3, 6, 1, 2, 1, 1, 3, 0), 42), ((1, 3, 6, 1), b"x")]
    assert again is not first and type(again[0][1]) is ber.TimeTicks


def test_it_refuses_a_cut_list_made_of_varbinds_seen_before() -> None:
    data = ber.encode_varbinds([((1, 3, 6, 1, 2, 1, 1, 5, 0), b"printer")] * 3)
    decode_varbinds(data, 0, len(data))  # every varbind is now remembered
    cut = bytes([data[0], data[1] - 3]) + data[2:-3]  # the list header says 3 octets less
    with pytest.raises(ParseError):
        decode_varbinds(cut, 0, len(cut))
    with pytest.raises(ParseError):
        decode_varbinds(data[:-1], 0, len(data) - 1)
