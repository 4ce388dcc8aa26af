"""BER codec for the SNMP subset of ASN.1: pure functions, bytes to values and back.

Values are plain Python objects so that the hot path allocates little:

==========================  =====================================
ASN.1 / SMI type            Python value
==========================  =====================================
INTEGER                     ``int``
OCTET STRING                ``bytes``
NULL                        ``None``
OBJECT IDENTIFIER           ``tuple[int, ...]`` (``Oid``)
IpAddress                   :class:`IpAddress` (``bytes``)
Counter32/Gauge32/TimeTicks :class:`Counter32` ... (``int``)
Counter64                   :class:`Counter64` (``int``)
Opaque                      :class:`Opaque` (``bytes``)
noSuchObject etc.           the singletons :data:`NO_SUCH_OBJECT` ...
==========================  =====================================

Every malformed input raises :class:`~printscout.domain.errors.ParseError` and nothing else.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, TypeAlias

from printscout.domain.errors import ParseError

Oid: TypeAlias = tuple[int, ...]

INTEGER: Final = 0x02
OCTET_STRING: Final = 0x04
NULL: Final = 0x05
OBJECT_IDENTIFIER: Final = 0x06
SEQUENCE: Final = 0x30
IPADDRESS: Final = 0x40
COUNTER32: Final = 0x41
GAUGE32: Final = 0x42
TIMETICKS: Final = 0x43
OPAQUE: Final = 0x44
COUNTER64: Final = 0x46
NO_SUCH_OBJECT_TAG: Final = 0x80
NO_SUCH_INSTANCE_TAG: Final = 0x81
END_OF_MIB_VIEW_TAG: Final = 0x82

_MAX_OID_ARCS: Final = 128
_MAX_SUBID: Final = 0xFFFFFFFF


class Counter32(int):
    """SMI Counter32 (unsigned 32-bit, wraps)."""

    __slots__ = ()


class Gauge32(int):
    """SMI Gauge32 / Unsigned32."""

    __slots__ = ()


class TimeTicks(int):
    """SMI TimeTicks: hundredths of a second."""

    __slots__ = ()


class Counter64(int):
    """SMI Counter64."""

    __slots__ = ()


class IpAddress(bytes):
    """SMI IpAddress: four octets."""

    __slots__ = ()


class Opaque(bytes):
    """SMI Opaque: an arbitrary BER blob carried as octets."""

    __slots__ = ()


class VarBindException:
    """An SNMPv2 exception value in place of a varbind's value (noSuchObject etc.)."""

    __slots__ = ("name", "tag")

    def __init__(self, tag: int, name: str) -> None:
        self.tag = tag
        self.name = name

    def __repr__(self) -> str:
        return self.name


NO_SUCH_OBJECT: Final = VarBindException(NO_SUCH_OBJECT_TAG, "noSuchObject")
NO_SUCH_INSTANCE: Final = VarBindException(NO_SUCH_INSTANCE_TAG, "noSuchInstance")
END_OF_MIB_VIEW: Final = VarBindException(END_OF_MIB_VIEW_TAG, "endOfMibView")
_EXCEPTIONS: Final = {e.tag: e for e in (NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW)}

# the subclasses above are ints and bytes
Value: TypeAlias = int | bytes | Oid | VarBindException | None

_UNSIGNED_TAGS: Final[dict[int, type[int]]] = {
    COUNTER32: Counter32,
    GAUGE32: Gauge32,
    TIMETICKS: TimeTicks,
    COUNTER64: Counter64,
}
_UNSIGNED_LIMIT: Final = {
    COUNTER32: 1 << 32,
    GAUGE32: 1 << 32,
    TIMETICKS: 1 << 32,
    COUNTER64: 1 << 64,
}


# ---------------------------------------------------------------- encoding


def encode_length(length: int) -> bytes:
    """Encode a definite BER length."""
    if length < 0x80:
        return bytes((length,))
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, content: bytes) -> bytes:
    """Wrap content in a tag and a length."""
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    return bytes((tag,)) + encode_length(n) + content


def encode_int(value: int, tag: int = INTEGER) -> bytes:
    """Encode a signed INTEGER in the fewest octets."""
    n = (value + (value < 0)).bit_length() // 8 + 1
    return tlv(tag, value.to_bytes(n, "big", signed=True))


def encode_unsigned(value: int, tag: int) -> bytes:
    """Encode an unsigned application integer (Counter32, Gauge32, ...)."""
    if value < 0 or value >= _UNSIGNED_LIMIT.get(tag, 1 << 64):
        raise ValueError(f"{value} out of range for tag 0x{tag:02x}")
    return tlv(tag, value.to_bytes(value.bit_length() // 8 + 1, "big"))


@lru_cache(maxsize=8192)
def encode_oid(oid: Oid) -> bytes:
    """Encode an OBJECT IDENTIFIER (cached: requests repeat the same OIDs)."""
    if len(oid) < 2 or oid[0] > 2 or (oid[0] < 2 and oid[1] > 39):
        raise ValueError(f"invalid OID {oid!r}")
    out = bytearray()
    for arc in (oid[0] * 40 + oid[1], *oid[2:]):
        if 0 <= arc < 0x80:
            out.append(arc)
            continue
        if arc < 0 or arc > _MAX_SUBID * 2:
            raise ValueError(f"invalid OID arc {arc}")
        chunk = bytearray()
        rest = arc
        while rest:
            chunk.append((rest & 0x7F) | 0x80)
            rest >>= 7
        chunk[0] &= 0x7F
        chunk.reverse()
        out += chunk
    return tlv(OBJECT_IDENTIFIER, bytes(out))


def encode_value(value: Value) -> bytes:
    """Encode any SNMP value by its Python type."""
    if value is None:
        return b"\x05\x00"
    if isinstance(value, VarBindException):
        return bytes((value.tag, 0))
    if isinstance(value, tuple):
        return encode_oid(value)
    if isinstance(value, bool):
        raise ValueError("bool is not an SNMP type")
    if isinstance(value, int):
        for cls, tag in _CLASS_TAGS:
            if isinstance(value, cls):
                return encode_unsigned(value, tag)
        return encode_int(value)
    if isinstance(value, IpAddress):
        return tlv(IPADDRESS, value)
    if isinstance(value, Opaque):
        return tlv(OPAQUE, value)
    return tlv(OCTET_STRING, bytes(value))


_CLASS_TAGS: Final = (
    (Counter32, COUNTER32),
    (Gauge32, GAUGE32),
    (TimeTicks, TIMETICKS),
    (Counter64, COUNTER64),
)


def encode_varbinds(varbinds: list[tuple[Oid, Value]]) -> bytes:
    """Encode a VarBindList."""
    return tlv(
        SEQUENCE, b"".join(tlv(SEQUENCE, encode_oid(o) + encode_value(v)) for o, v in varbinds)
    )


# ---------------------------------------------------------------- decoding


def read_header(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """Read one tag and length at ``pos``; return (tag, content start, content end)."""
    if pos + 2 > end:
        raise ParseError(f"truncated TLV at offset {pos}")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise ParseError(f"multi-octet tag at offset {pos} is not used by SNMP")
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0:
            raise ParseError("indefinite length is not allowed in SNMP")
        if count > 4 or pos + count > end:
            raise ParseError(f"bad long length at offset {pos}")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    stop = pos + length
    if stop > end:
        raise ParseError(f"length {length} at offset {pos} runs past the end")
    return tag, pos, stop


def expect(data: bytes, pos: int, end: int, tag: int) -> tuple[int, int]:
    """Read a TLV that must carry ``tag``; return (content start, content end)."""
    got, start, stop = read_header(data, pos, end)
    if got != tag:
        raise ParseError(f"expected tag 0x{tag:02x}, got 0x{got:02x} at offset {pos}")
    return start, stop


def decode_int(data: bytes, start: int, stop: int) -> int:
    """Decode a signed INTEGER's content octets."""
    if start == stop:
        raise ParseError("empty INTEGER")
    if stop - start > 9:
        raise ParseError("INTEGER longer than 64 bits")
    return int.from_bytes(data[start:stop], "big", signed=True)


def read_int(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """Read an INTEGER TLV at ``pos``; return (value, next position)."""
    start, stop = expect(data, pos, end, INTEGER)
    return decode_int(data, start, stop), stop


def read_octets(data: bytes, pos: int, end: int) -> tuple[bytes, int]:
    """Read an OCTET STRING TLV at ``pos``; return (value, next position)."""
    start, stop = expect(data, pos, end, OCTET_STRING)
    return data[start:stop], stop


OID_CACHE: dict[bytes, Oid] = {}
OID_CACHE_MAX: Final = 65536


def decode_oid(data: bytes, start: int, stop: int) -> Oid:
    """Decode an OBJECT IDENTIFIER's content octets (memoised: polls repeat OIDs)."""
    raw = data[start:stop]
    cached = OID_CACHE.get(raw)
    if cached is not None:
        return cached
    if not raw:
        raise ParseError("empty OBJECT IDENTIFIER")
    if raw[-1] & 0x80:
        raise ParseError("OBJECT IDENTIFIER ends inside a sub-identifier")
    arcs: list[int] = []
    acc = 0
    for octet in raw:
        if acc == 0 and octet == 0x80:
            raise ParseError("sub-identifier with a leading 0x80 octet")
        acc = (acc << 7) | (octet & 0x7F)
        if not octet & 0x80:
            arcs.append(acc)
            acc = 0
    if len(arcs) >= _MAX_OID_ARCS or max(arcs) > _MAX_SUBID * 2:
        raise ParseError("OBJECT IDENTIFIER too long or sub-identifier too large")
    first = arcs[0]
    head = (first // 40, first % 40) if first < 80 else (2, first - 80)
    oid = (*head, *arcs[1:])
    if len(OID_CACHE) >= OID_CACHE_MAX:
        OID_CACHE.clear()
    OID_CACHE[raw] = oid
    return oid


def decode_value(tag: int, data: bytes, start: int, stop: int) -> Value:
    """Decode one value's content octets according to its tag."""
    if tag == OCTET_STRING:
        return data[start:stop]
    if tag == INTEGER:
        return decode_int(data, start, stop)
    if tag == OBJECT_IDENTIFIER:
        return decode_oid(data, start, stop)
    cls = _UNSIGNED_TAGS.get(tag)
    if cls is not None:
        if start == stop or stop - start > 9:
            raise ParseError(f"bad length for unsigned tag 0x{tag:02x}")
        number: int = int.from_bytes(data[start:stop], "big") % _UNSIGNED_LIMIT[tag]
        return cls(number)
    if tag == NULL:
        if start != stop:
            raise ParseError("NULL with content")
        return None
    if tag == IPADDRESS:
        if stop - start != 4:
            raise ParseError("IpAddress must be four octets")
        return IpAddress(data[start:stop])
    if tag == OPAQUE:
        return Opaque(data[start:stop])
    exc = _EXCEPTIONS.get(tag)
    if exc is not None:
        return exc
    raise ParseError(f"unknown value tag 0x{tag:02x}")


def oid_from_str(text: str) -> Oid:
    """Parse dotted OID text (a leading dot is allowed)."""
    try:
        oid = tuple(int(part) for part in text.strip().lstrip(".").split("."))
    except ValueError as exc:
        raise ValueError(f"not an OID: {text!r}") from exc
    if len(oid) < 2 or any(arc < 0 for arc in oid):
        raise ValueError(f"not an OID: {text!r}")
    return oid


def oid_to_str(oid: Oid) -> str:
    """Format an OID as dotted text without a leading dot."""
    return ".".join(map(str, oid))
