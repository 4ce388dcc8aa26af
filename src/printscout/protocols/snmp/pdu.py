"""SNMP PDUs and community-based messages (v1, v2c): pure encode and decode."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from printscout.domain.errors import ParseError
from printscout.protocols.snmp import ber
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.varbinds import decode_varbinds

GET: Final = 0xA0
GET_NEXT: Final = 0xA1
RESPONSE: Final = 0xA2
SET: Final = 0xA3
TRAP_V1: Final = 0xA4
GET_BULK: Final = 0xA5
INFORM: Final = 0xA6
TRAP_V2: Final = 0xA7
REPORT: Final = 0xA8
PDU_TAGS: Final = frozenset({GET, GET_NEXT, RESPONSE, SET, GET_BULK, INFORM, TRAP_V2, REPORT})

V1: Final = 0
V2C: Final = 1
V3: Final = 3

# error-status values (RFC 3416)
NO_ERROR: Final = 0
TOO_BIG: Final = 1
NO_SUCH_NAME: Final = 2
GEN_ERR: Final = 5

VarBinds = list[tuple[Oid, Value]]


class NotCommunityMessage(ParseError):
    """A well-formed message of another version (SNMPv3): not for the community decoder."""


@dataclass(frozen=True, slots=True)
class Pdu:
    """One PDU. For GETBULK, ``error_status`` carries non-repeaters and ``error_index``
    max-repetitions, exactly where they sit on the wire."""

    tag: int
    request_id: int
    error_status: int = 0
    error_index: int = 0
    varbinds: VarBinds = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CommunityMessage:
    """An SNMPv1 or SNMPv2c message."""

    version: int
    community: bytes
    pdu: Pdu


@lru_cache(maxsize=4096)
def encode_request_varbinds(oids: tuple[Oid, ...]) -> bytes:
    """Encode a VarBindList of OIDs with NULL values (cached: polls repeat them)."""
    return ber.tlv(
        ber.SEQUENCE, b"".join(ber.tlv(ber.SEQUENCE, ber.encode_oid(o) + b"\x05\x00") for o in oids)
    )


def encode_pdu(pdu: Pdu, varbinds_encoded: bytes | None = None) -> bytes:
    """Encode a PDU; pass pre-encoded varbinds to skip re-encoding them."""
    body = varbinds_encoded if varbinds_encoded is not None else ber.encode_varbinds(pdu.varbinds)
    return ber.tlv(
        pdu.tag,
        ber.encode_int(pdu.request_id)
        + ber.encode_int(pdu.error_status)
        + ber.encode_int(pdu.error_index)
        + body,
    )


def decode_pdu(data: bytes, pos: int, end: int) -> Pdu:
    """Decode a PDU at ``pos``."""
    tag, start, stop = ber.read_header(data, pos, end)
    if tag not in PDU_TAGS:
        raise ParseError(f"unsupported PDU tag 0x{tag:02x}")
    request_id, p = ber.read_int(data, start, stop)
    error_status, p = ber.read_int(data, p, stop)
    error_index, p = ber.read_int(data, p, stop)
    varbinds = decode_varbinds(data, p, stop)
    return Pdu(tag, request_id, error_status, error_index, varbinds)


def encode_community_message(
    version: int, community: bytes, pdu: Pdu, varbinds_encoded: bytes | None = None
) -> bytes:
    """Encode a v1/v2c message."""
    return ber.tlv(
        ber.SEQUENCE, _community_head(version, community) + encode_pdu(pdu, varbinds_encoded)
    )


@lru_cache(maxsize=256)
def _community_head(version: int, community: bytes) -> bytes:
    """The version and community fields, the same for every message to one agent."""
    return ber.encode_int(version) + ber.tlv(ber.OCTET_STRING, community)


def peek_version(data: bytes) -> int:
    """Read the version field of any SNMP message."""
    start, stop = ber.expect(data, 0, len(data), ber.SEQUENCE)
    version, _ = ber.read_int(data, start, stop)
    return version


def decode_community_message(data: bytes) -> CommunityMessage:
    """Decode a v1/v2c message; anything else raises ParseError."""
    start, stop = ber.expect(data, 0, len(data), ber.SEQUENCE)
    version, p = ber.read_int(data, start, stop)
    if version not in (V1, V2C):
        if version == V3:
            raise NotCommunityMessage("an SNMPv3 message (version 3)")
        raise ParseError(f"not a community message (version {version})")
    community, p = ber.read_octets(data, p, stop)
    pdu = decode_pdu(data, p, stop)
    return CommunityMessage(version, community, pdu)
