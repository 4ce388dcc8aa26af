"""IPP message encoding (RFC 8010): pure, bytes ↔ :class:`~.values.Message`.

``decode`` raises only :class:`~printscout.domain.errors.ParseError`, whatever the bytes.
``decode(encode(m)) == m`` for every message ``encode`` accepts, and ``encode(decode(b)) == b``
for every ``b`` that decodes: nothing is normalised away. ``encode`` raises ``ValueError`` for a
message that has no encoding (a value out of range, an attribute without values).
"""

from __future__ import annotations

import struct
from typing import Final

from printscout.domain.errors import ParseError
from printscout.protocols.ipp.tags import GroupTag, ValueTag
from printscout.protocols.ipp.values import (
    STRING_TAGS,
    STRING_TYPES,
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
    StringValue,
    Text,
    Unknown,
    Uri,
    UriScheme,
    Value,
)

MAX_DEPTH: Final = 16  # nested collections; real printers use 3 at most (media-col)
# attribute groups in one message: a Get-Printer-Attributes answer has two or three, and each
# delimiter octet would otherwise cost a group object (a 2 MiB answer of them, seconds of CPU)
MAX_GROUPS: Final = 1000
_HEADER: Final = struct.Struct(">BBHi")
_INT: Final = struct.Struct(">i")
_RANGE: Final = struct.Struct(">ii")
_RESOLUTION: Final = struct.Struct(">iiB")
_DATE: Final = struct.Struct(">HBBBBBBcBB")
_STRING_CLASSES: Final[dict[int, type[StringValue]]] = {
    ValueTag.TEXT: Text,
    ValueTag.NAME: Name,
    ValueTag.KEYWORD: Keyword,
    ValueTag.URI: Uri,
    ValueTag.URI_SCHEME: UriScheme,
    ValueTag.CHARSET: Charset,
    ValueTag.NATURAL_LANGUAGE: NaturalLanguage,
    ValueTag.MIME_MEDIA_TYPE: MimeMediaType,
}
# Tags whose values this codec interprets; any other tag from 0x20 up is kept as Unknown.
INTERPRETED_TAGS: Final = frozenset(
    {
        ValueTag.INTEGER,
        ValueTag.BOOLEAN,
        ValueTag.ENUM,
        ValueTag.OCTET_STRING,
        ValueTag.DATE_TIME,
        ValueTag.RESOLUTION,
        ValueTag.RANGE_OF_INTEGER,
        ValueTag.BEG_COLLECTION,
        ValueTag.TEXT_WITH_LANGUAGE,
        ValueTag.NAME_WITH_LANGUAGE,
        ValueTag.END_COLLECTION,
        ValueTag.MEMBER_ATTR_NAME,
        *_STRING_CLASSES,
    }
)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _octets(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        raise ValueError(f"string cannot be encoded: {text[:40]!r}") from exc


# ---------------------------------------------------------------------------- decoding


class _Reader:
    """A cursor over the message bytes; every read past the end is a ParseError."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise ParseError(f"IPP message truncated at byte {self.pos} (needs {n} more)")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u16(self) -> int:
        hi, lo = self.take(2)
        return (hi << 8) | lo

    def field(self) -> tuple[int, str, bytes]:
        """One value field: value-tag, name (empty for additional values) and value bytes."""
        tag = self.take(1)[0]
        if tag <= 0x0F:
            raise ParseError(f"delimiter tag 0x{tag:02x} inside a collection")
        name = self.take(self.u16())
        return tag, _text(name), self.take(self.u16())


def decode(data: bytes | bytearray | memoryview) -> Message:
    """Decode one IPP request or response."""
    buf = bytes(data)
    if len(buf) < _HEADER.size + 1:
        raise ParseError(f"IPP message of {len(buf)} bytes is shorter than its header")
    major, minor, code, request_id = _HEADER.unpack_from(buf)
    reader = _Reader(buf, _HEADER.size)
    groups: list[AttributeGroup] = []
    group_tag: int | None = None
    attributes: list[tuple[str, list[Value]]] = []
    while True:
        if reader.pos >= len(buf):
            raise ParseError("IPP message has no end-of-attributes tag")
        tag = buf[reader.pos]
        if tag <= 0x0F:
            reader.pos += 1
            if group_tag is not None:
                groups.append(_group(group_tag, attributes))
                if len(groups) > MAX_GROUPS:
                    raise ParseError(f"IPP message with more than {MAX_GROUPS} attribute groups")
            if tag == GroupTag.END:
                break
            if tag == 0x00:
                raise ParseError("reserved delimiter tag 0x00")
            group_tag, attributes = tag, []
            continue
        if group_tag is None:
            raise ParseError("IPP attribute before any attribute group")
        tag, name, raw = reader.field()
        value = _value(reader, tag, raw, 0)
        if name:
            attributes.append((name, [value]))
        elif attributes:
            attributes[-1][1].append(value)
        else:
            raise ParseError("additional value with no attribute before it")
    return Message((major, minor), code, request_id, tuple(groups), buf[reader.pos :])


def _group(tag: int, attributes: list[tuple[str, list[Value]]]) -> AttributeGroup:
    return AttributeGroup(tag, tuple(Attribute(n, tuple(v)) for n, v in attributes))


def _value(reader: _Reader, tag: int, raw: bytes, depth: int) -> Value:
    """Interpret one value's bytes (reading on for a collection's members)."""
    if tag < 0x20:
        return OutOfBand(tag, raw)
    string_class = _STRING_CLASSES.get(tag)
    if string_class is not None:
        return string_class(_text(raw))
    if tag not in INTERPRETED_TAGS:
        return Unknown(tag, raw)
    if tag in (ValueTag.INTEGER, ValueTag.ENUM):
        _expect_length(tag, raw, 4)
        number = _INT.unpack(raw)[0]
        return Integer(number) if tag == ValueTag.INTEGER else Enum(number)
    if tag == ValueTag.BOOLEAN:
        if raw not in (b"\x00", b"\x01"):
            raise ParseError(f"boolean value {raw.hex()} is not 00 or 01")
        return Boolean(raw == b"\x01")
    if tag == ValueTag.OCTET_STRING:
        return OctetString(raw)
    if tag in (ValueTag.TEXT_WITH_LANGUAGE, ValueTag.NAME_WITH_LANGUAGE):
        return _with_language(tag, raw)
    if tag == ValueTag.BEG_COLLECTION:
        if raw:
            raise ParseError("begCollection with a non-empty value")
        return _collection(reader, depth + 1)
    return _fixed(tag, raw)


def _fixed(tag: int, raw: bytes) -> Value:
    """dateTime, resolution and rangeOfInteger; member names and ends out of place."""
    if tag == ValueTag.DATE_TIME:
        _expect_length(tag, raw, _DATE.size)
        year, mo, day, hour, mins, secs, deci, direction, utc_h, utc_m = _DATE.unpack(raw)
        return DateTime(
            year, mo, day, hour, mins, secs, deci, direction.decode("latin-1"), utc_h, utc_m
        )
    if tag == ValueTag.RESOLUTION:
        _expect_length(tag, raw, _RESOLUTION.size)
        return Resolution(*_RESOLUTION.unpack(raw))
    if tag == ValueTag.RANGE_OF_INTEGER:
        _expect_length(tag, raw, _RANGE.size)
        return RangeOfInteger(*_RANGE.unpack(raw))
    raise ParseError(f"value tag 0x{tag:02x} outside a collection")


def _expect_length(tag: int, raw: bytes, size: int) -> None:
    if len(raw) != size:
        raise ParseError(f"value tag 0x{tag:02x} needs {size} bytes, not {len(raw)}")


def _with_language(tag: int, raw: bytes) -> Value:
    inner = _Reader(raw, 0)
    language = _text(inner.take(inner.u16()))
    text = _text(inner.take(inner.u16()))
    if inner.pos != len(raw):
        raise ParseError(f"{len(raw) - inner.pos} stray bytes after a value with language")
    return Text(text, language) if tag == ValueTag.TEXT_WITH_LANGUAGE else Name(text, language)


def _collection(reader: _Reader, depth: int) -> Collection:
    """Members up to the matching endCollection (RFC 8010 §3.1.6)."""
    if depth > MAX_DEPTH:
        raise ParseError(f"collections nested deeper than {MAX_DEPTH}")
    members: list[tuple[str, list[Value]]] = []
    while True:
        tag, name, raw = reader.field()
        if name:
            raise ParseError(f"named attribute {name[:40]!r} inside a collection")
        closing = tag in (ValueTag.END_COLLECTION, ValueTag.MEMBER_ATTR_NAME)
        if closing and members and not members[-1][1]:
            raise ParseError(f"collection member {members[-1][0][:40]!r} has no value")
        if tag == ValueTag.END_COLLECTION:
            if raw:
                raise ParseError("endCollection with a non-empty value")
            return Collection(tuple(Attribute(n, tuple(v)) for n, v in members))
        if tag == ValueTag.MEMBER_ATTR_NAME:
            if not raw:
                raise ParseError("memberAttrName with an empty name")
            members.append((_text(raw), []))
        elif members:
            members[-1][1].append(_value(reader, tag, raw, depth))
        else:
            raise ParseError("collection value before any memberAttrName")


# ---------------------------------------------------------------------------- encoding


def encode(message: Message) -> bytes:
    """Encode one IPP request or response."""
    major, minor = message.version
    try:
        out = bytearray(_HEADER.pack(major, minor, message.code, message.request_id))
    except struct.error as exc:
        raise ValueError(f"IPP header out of range: {exc}") from exc
    for group in message.groups:
        if not 0x01 <= group.tag <= 0x0F or group.tag == GroupTag.END:
            raise ValueError(f"0x{group.tag:02x} is not a group delimiter tag")
        out.append(group.tag)
        for attribute in group.attributes:
            _attribute(out, attribute)
    out.append(GroupTag.END)
    out += message.data
    return bytes(out)


def _attribute(out: bytearray, attribute: Attribute) -> None:
    if not attribute.name:
        raise ValueError("an attribute needs a name")
    if not attribute.values:
        raise ValueError(f"attribute {attribute.name!r} has no values")
    for n, value in enumerate(attribute.values):
        _encode_value(out, attribute.name if n == 0 else "", value)


def _field(out: bytearray, tag: int, name: str, raw: bytes) -> None:
    encoded = _octets(name)
    if len(encoded) > 0xFFFF or len(raw) > 0xFFFF:
        raise ValueError(f"name or value of {name[:40]!r} longer than 65535 bytes")
    out.append(tag)
    out += len(encoded).to_bytes(2, "big") + encoded
    out += len(raw).to_bytes(2, "big") + raw


def _encode_value(out: bytearray, name: str, value: Value) -> None:
    if isinstance(value, Collection):
        _field(out, ValueTag.BEG_COLLECTION, name, b"")
        for member in value.members:
            if not member.name or not member.values:
                raise ValueError("a collection member needs a name and a value")
            _field(out, ValueTag.MEMBER_ATTR_NAME, "", _octets(member.name))
            for member_value in member.values:
                _encode_value(out, "", member_value)
        _field(out, ValueTag.END_COLLECTION, "", b"")
        return
    tag, raw = _payload(value)
    _field(out, tag, name, raw)


def _payload(value: Value) -> tuple[int, bytes]:
    """The value tag and value bytes of any value but a collection."""
    try:
        return _pack(value)
    except struct.error as exc:
        raise ValueError(f"{value!r} out of range: {exc}") from exc


def _pack(value: Value) -> tuple[int, bytes]:
    if isinstance(value, STRING_TYPES):
        if isinstance(value, Text | Name) and value.language is not None:
            tag = (
                ValueTag.TEXT_WITH_LANGUAGE
                if isinstance(value, Text)
                else ValueTag.NAME_WITH_LANGUAGE
            )
            language, text = _octets(value.language), _octets(value.value)
            return tag, struct.pack(f">H{len(language)}sH{len(text)}s", *_pair(language, text))
        return STRING_TAGS[type(value)], _octets(value.value)
    match value:
        case Integer(number):
            return ValueTag.INTEGER, _INT.pack(number)
        case Enum(number):
            return ValueTag.ENUM, _INT.pack(number)
        case Boolean(flag):
            return ValueTag.BOOLEAN, b"\x01" if flag else b"\x00"
        case OctetString(raw):
            return ValueTag.OCTET_STRING, raw
        case DateTime():
            return ValueTag.DATE_TIME, _date(value)
        case Resolution(cross_feed, feed, units):
            return ValueTag.RESOLUTION, _RESOLUTION.pack(cross_feed, feed, units)
        case RangeOfInteger(lower, upper):
            return ValueTag.RANGE_OF_INTEGER, _RANGE.pack(lower, upper)
        case OutOfBand(band, raw):
            if not 0x10 <= band <= 0x1F:
                raise ValueError(f"out-of-band tag 0x{band:02x} not in 0x10-0x1F")
            return band, raw
        case Unknown(other, raw):
            if not 0x20 <= other <= 0xFF or other in INTERPRETED_TAGS:
                raise ValueError(f"0x{other:02x} cannot be an uninterpreted value tag")
            return other, raw
    raise ValueError("collections are encoded member by member")


def _pair(language: bytes, text: bytes) -> tuple[int, bytes, int, bytes]:
    return len(language), language, len(text), text


def _date(value: DateTime) -> bytes:
    try:
        direction = value.direction.encode("latin-1")
    except UnicodeEncodeError:
        direction = b""
    if len(direction) != 1:
        raise ValueError(f"dateTime direction {value.direction!r} is not one byte")
    return _DATE.pack(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minutes,
        value.seconds,
        value.deci_seconds,
        direction,
        value.utc_hours,
        value.utc_minutes,
    )
