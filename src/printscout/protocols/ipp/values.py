"""Typed IPP values, attributes, groups and messages (RFC 8010/8011): frozen, no I/O.

Every value syntax has its own class, so an attribute keeps its exact tag and a decoded message
encodes back to the same bytes. Character strings are kept as ``str`` decoded from UTF-8 with
``surrogateescape``: bytes that are not UTF-8 survive the round trip instead of failing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from printscout.protocols.ipp.tags import GroupTag, ValueTag


@dataclass(frozen=True, slots=True)
class Integer:
    """integer (0x21): a signed 32-bit number."""

    value: int


@dataclass(frozen=True, slots=True)
class Enum:
    """enum (0x23): a signed 32-bit code whose meaning depends on the attribute."""

    value: int


@dataclass(frozen=True, slots=True)
class Boolean:
    """boolean (0x22)."""

    value: bool


@dataclass(frozen=True, slots=True)
class OctetString:
    """octetString (0x30): bytes, e.g. ``printer-supply`` key=value strings."""

    value: bytes


@dataclass(frozen=True, slots=True)
class DateTime:
    """dateTime (0x31): RFC 2579 DateAndTime, fields kept raw (printers send odd ones)."""

    year: int
    month: int
    day: int
    hour: int
    minutes: int
    seconds: int
    deci_seconds: int
    direction: str  # "+" or "-" from UTC (any single byte is kept as it came)
    utc_hours: int
    utc_minutes: int

    def to_datetime(self) -> dt.datetime | None:
        """An aware datetime, or None when the fields are not a valid time."""
        if self.direction not in "+-":
            return None
        offset = dt.timedelta(hours=self.utc_hours, minutes=self.utc_minutes)
        try:
            zone = dt.timezone(-offset if self.direction == "-" else offset)
            return dt.datetime(
                self.year,
                self.month,
                self.day,
                self.hour,
                self.minutes,
                min(self.seconds, 59),
                self.deci_seconds * 100_000,
                tzinfo=zone,
            )
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Resolution:
    """resolution (0x32): cross-feed and feed resolution; units 3 = dpi, 4 = dots per cm."""

    cross_feed: int
    feed: int
    units: int


@dataclass(frozen=True, slots=True)
class RangeOfInteger:
    """rangeOfInteger (0x33)."""

    lower: int
    upper: int


@dataclass(frozen=True, slots=True)
class Text:
    """text: textWithoutLanguage (0x41), or textWithLanguage (0x35) when ``language`` is set."""

    value: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Name:
    """name: nameWithoutLanguage (0x42), or nameWithLanguage (0x36) when ``language`` is set."""

    value: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Keyword:
    """keyword (0x44)."""

    value: str


@dataclass(frozen=True, slots=True)
class Uri:
    """uri (0x45)."""

    value: str


@dataclass(frozen=True, slots=True)
class UriScheme:
    """uriScheme (0x46)."""

    value: str


@dataclass(frozen=True, slots=True)
class Charset:
    """charset (0x47)."""

    value: str


@dataclass(frozen=True, slots=True)
class NaturalLanguage:
    """naturalLanguage (0x48)."""

    value: str


@dataclass(frozen=True, slots=True)
class MimeMediaType:
    """mimeMediaType (0x49)."""

    value: str


@dataclass(frozen=True, slots=True)
class OutOfBand:
    """An out-of-band value (0x10-0x1F): unsupported, unknown, no-value, not-settable...

    RFC 8010 wants an empty value; a non-empty one is kept so that it encodes back unchanged.
    """

    tag: int
    data: bytes = b""


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value tag PrintScout does not interpret (including 0x7F extensions), kept raw."""

    tag: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Collection:
    """collection (begCollection ... endCollection): member attributes in order."""

    members: tuple[Attribute, ...] = ()

    def get(self, name: str) -> Attribute | None:
        """The member called ``name``, if present."""
        return next((m for m in self.members if m.name == name), None)


Value: TypeAlias = (
    Integer
    | Enum
    | Boolean
    | OctetString
    | DateTime
    | Resolution
    | RangeOfInteger
    | Text
    | Name
    | Keyword
    | Uri
    | UriScheme
    | Charset
    | NaturalLanguage
    | MimeMediaType
    | OutOfBand
    | Unknown
    | Collection
)

StringValue: TypeAlias = (
    Text | Name | Keyword | Uri | UriScheme | Charset | NaturalLanguage | MimeMediaType
)
STRING_TYPES: tuple[type[StringValue], ...] = (
    Text,
    Name,
    Keyword,
    Uri,
    UriScheme,
    Charset,
    NaturalLanguage,
    MimeMediaType,
)

# The tag of each plain character-string class (Text and Name also have "with language" tags).
STRING_TAGS: dict[type[StringValue], ValueTag] = {
    Text: ValueTag.TEXT,
    Name: ValueTag.NAME,
    Keyword: ValueTag.KEYWORD,
    Uri: ValueTag.URI,
    UriScheme: ValueTag.URI_SCHEME,
    Charset: ValueTag.CHARSET,
    NaturalLanguage: ValueTag.NATURAL_LANGUAGE,
    MimeMediaType: ValueTag.MIME_MEDIA_TYPE,
}


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute: a name and one or more values (1setOf when more than one)."""

    name: str
    values: tuple[Value, ...]

    def strings(self) -> tuple[str, ...]:
        """The character-string values (text, name, keyword, uri...); octets as UTF-8 text."""
        out = []
        for v in self.values:
            if isinstance(v, STRING_TYPES):
                out.append(v.value)
            elif isinstance(v, OctetString):
                out.append(v.value.decode("utf-8", "replace"))
        return tuple(out)

    def integers(self) -> tuple[int, ...]:
        """The integer and enum values."""
        return tuple(v.value for v in self.values if isinstance(v, Integer | Enum))


@dataclass(frozen=True, slots=True)
class AttributeGroup:
    """One attribute group, introduced by its delimiter tag."""

    tag: int
    attributes: tuple[Attribute, ...] = ()

    def __iter__(self) -> Iterator[Attribute]:
        return iter(self.attributes)

    def get(self, name: str) -> Attribute | None:
        """The attribute called ``name``, if present (the first, should a printer repeat it)."""
        return next((a for a in self.attributes if a.name == name), None)

    def strings(self, name: str) -> tuple[str, ...]:
        """String values of ``name`` (empty when absent)."""
        attribute = self.get(name)
        return attribute.strings() if attribute else ()

    def string(self, name: str) -> str | None:
        """The first string value of ``name``, or None."""
        values = self.strings(name)
        return values[0] if values else None

    def integers(self, name: str) -> tuple[int, ...]:
        """Integer and enum values of ``name`` (empty when absent)."""
        attribute = self.get(name)
        return attribute.integers() if attribute else ()

    def integer(self, name: str) -> int | None:
        """The first integer or enum value of ``name``, or None."""
        values = self.integers(name)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Message:
    """An IPP request or response: header, attribute groups and trailing document data.

    ``code`` is the operation-id of a request or the status-code of a response.
    """

    version: tuple[int, int]
    code: int
    request_id: int
    groups: tuple[AttributeGroup, ...] = ()
    data: bytes = b""

    def group(self, tag: GroupTag) -> AttributeGroup | None:
        """The first group with ``tag``, if any."""
        return next((g for g in self.groups if g.tag == tag), None)

    def merged(self, tag: GroupTag) -> AttributeGroup:
        """All groups with ``tag`` as one (a response may split printer attributes)."""
        attributes = tuple(a for g in self.groups if g.tag == tag for a in g.attributes)
        return AttributeGroup(int(tag), attributes)
