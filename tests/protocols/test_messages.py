"""Property and byte-exact tests for SNMP messages: v1/v2c (pdu.py) and SNMPv3 USM (v3.py)."""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Callable
from functools import cache
from typing import TypedDict

import pytest
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from hypothesis import given, settings
from hypothesis import strategies as st

from printscout.domain.errors import ParseError, SnmpAuthError
from printscout.protocols.snmp import ber, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.pdu import CommunityMessage, Pdu
from printscout.protocols.snmp.usm_crypto import AuthProtocol, PrivProtocol
from tests.support.strategies import mutated

# Property tests have no per-example deadline: a loaded machine must not fail them.
NO_DEADLINE = settings(deadline=None)

SYS_DESCR_0 = (1, 3, 6, 1, 2, 1, 1, 1, 0)
SUPPLY_LEVEL = (1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 9)
ENGINE_ID = bytes.fromhex("80001f8804") + b"ps-test"

# ---------------------------------------------------------------- strategies

ARCS = st.one_of(st.integers(0, 300), st.sampled_from((127, 128, 16384, 2**32 - 1)))
OIDS = st.builds(
    lambda head, rest: (*head, *rest),
    st.sampled_from(((1, 3), (0, 0), (2, 999))),
    st.lists(ARCS, max_size=14),
)
VALUES: st.SearchStrategy[Value] = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.integers(0, 2**32 - 1).map(ber.Counter32),
    st.integers(0, 2**32 - 1).map(ber.Gauge32),
    st.integers(0, 2**32 - 1).map(ber.TimeTicks),
    st.integers(0, 2**64 - 1).map(ber.Counter64),
    st.binary(max_size=300),
    st.binary(min_size=4, max_size=4).map(ber.IpAddress),
    st.none(),
    OIDS,
    st.sampled_from((ber.NO_SUCH_OBJECT, ber.NO_SUCH_INSTANCE, ber.END_OF_MIB_VIEW)),
)
VARBINDS = st.lists(st.tuples(OIDS, VALUES), max_size=8)
INT32 = st.integers(-(2**31), 2**31 - 1)
UINT31 = st.integers(0, 2**31 - 1)


@st.composite
def pdus_(draw: st.DrawFn) -> Pdu:
    """Any PDU this codec speaks; for GETBULK the two middle fields are its own."""
    tag = draw(st.sampled_from(sorted(pdus.PDU_TAGS)))
    return Pdu(tag, draw(INT32), draw(UINT31), draw(UINT31), draw(VARBINDS))


@st.composite
def community_messages(draw: st.DrawFn) -> CommunityMessage:
    """A v1 or v2c message with any community."""
    return CommunityMessage(
        draw(st.sampled_from((pdus.V1, pdus.V2C))), draw(st.binary(max_size=40)), draw(pdus_())
    )


def typed(varbinds: list[tuple[Oid, Value]]) -> list[tuple[Oid, type, Value]]:
    """Varbinds with each value's exact class (IpAddress equals bytes, but must not decode so)."""
    return [(oid, type(value), value) for oid, value in varbinds]


# ---------------------------------------------------------------- v1 / v2c


@NO_DEADLINE
@given(community_messages())
def test_community_messages_round_trip(message: CommunityMessage) -> None:
    data = pdus.encode_community_message(message.version, message.community, message.pdu)
    decoded = pdus.decode_community_message(data)
    assert decoded == message
    assert typed(decoded.pdu.varbinds) == typed(message.pdu.varbinds)
    assert pdus.peek_version(data) == message.version


@NO_DEADLINE
@given(INT32, UINT31, UINT31, st.lists(OIDS, min_size=1, max_size=8))
def test_getbulk_fields_round_trip_where_error_status_and_index_sit(
    request_id: int, non_repeaters: int, max_repetitions: int, oids: list[Oid]
) -> None:
    request = Pdu(pdus.GET_BULK, request_id, non_repeaters, max_repetitions)
    data = pdus.encode_community_message(
        pdus.V2C, b"public", request, pdus.encode_request_varbinds(tuple(oids))
    )
    decoded = pdus.decode_community_message(data).pdu
    assert (decoded.tag, decoded.request_id) == (pdus.GET_BULK, request_id)
    assert (decoded.error_status, decoded.error_index) == (non_repeaters, max_repetitions)
    assert decoded.varbinds == [(oid, None) for oid in oids]


@NO_DEADLINE
@given(st.lists(OIDS, max_size=10))
def test_cached_request_varbinds_equal_the_general_encoder(oids: list[Oid]) -> None:
    assert pdus.encode_request_varbinds(tuple(oids)) == ber.encode_varbinds(
        [(oid, None) for oid in oids]
    )


# Hand-derived: varbind 30 0c (OID 06 08 2b06010201010100, NULL 05 00) in a list 30 0e;
# PDU a0 19 = request-id 02 01 01, error-status 02 01 00, error-index 02 01 00, list;
# message 30 26 = version 02 01 01 (v2c), community 04 06 "public", PDU.
GET_SYS_DESCR_V2C = (
    "3026" "020101" "04067075626c6963"
    "a019" "020101" "020100" "020100" "300e" "300c" "06082b06010201010100" "0500"
)  # fmt: skip
# GETBULK of prtMarkerSuppliesLevel, non-repeaters 0, max-repetitions 10 (0x0a).
GETBULK_LEVELS_V2C = (
    "3028" "020101" "04067075626c6963"
    "a51b" "020101" "020100" "02010a" "3010" "300e" "060a2b060102012b0b010109" "0500"
)  # fmt: skip
# A v1 response: request-id 0x12345678 in four octets, sysDescr.0 = "HP".
RESPONSE_V1 = (
    "302b" "020100" "04067075626c6963"
    "a21e" "020412345678" "020100" "020100" "3010" "300e" "06082b06010201010100" "04024850"
)  # fmt: skip


def test_a_v2c_get_of_sys_descr_is_byte_exact() -> None:
    request = Pdu(pdus.GET, 1)
    cached = pdus.encode_request_varbinds((SYS_DESCR_0,))
    assert pdus.encode_community_message(pdus.V2C, b"public", request, cached).hex() == (
        GET_SYS_DESCR_V2C
    )
    general = Pdu(pdus.GET, 1, varbinds=[(SYS_DESCR_0, None)])
    assert pdus.encode_community_message(pdus.V2C, b"public", general).hex() == GET_SYS_DESCR_V2C


def test_a_v2c_getbulk_is_byte_exact() -> None:
    request = Pdu(pdus.GET_BULK, 1, 0, 10, [(SUPPLY_LEVEL, None)])
    assert pdus.encode_community_message(pdus.V2C, b"public", request).hex() == GETBULK_LEVELS_V2C


def test_a_v1_response_is_byte_exact_both_ways() -> None:
    response = Pdu(pdus.RESPONSE, 0x12345678, 0, 0, [(SYS_DESCR_0, b"HP")])
    data = pdus.encode_community_message(pdus.V1, b"public", response)
    assert data.hex() == RESPONSE_V1
    assert pdus.decode_community_message(data) == CommunityMessage(pdus.V1, b"public", response)


@pytest.mark.parametrize("version", [2, 3, -1, 256])
def test_other_versions_are_not_community_messages(version: int) -> None:
    data = ber.tlv(
        ber.SEQUENCE,
        ber.encode_int(version)
        + ber.tlv(ber.OCTET_STRING, b"public")
        + pdus.encode_pdu(Pdu(pdus.GET, 1)),
    )
    assert pdus.peek_version(data) == version
    with pytest.raises(ParseError, match="version"):
        pdus.decode_community_message(data)


@pytest.mark.parametrize("tag", [pdus.TRAP_V1, 0xA9, 0x30, 0x04])
def test_unsupported_pdu_tags_raise_parse_error(tag: int) -> None:
    data = bytearray(bytes.fromhex(GET_SYS_DESCR_V2C))
    data[13] = tag  # the PDU tag follows version (3 octets) and community (8) in a 2-octet header
    with pytest.raises(ParseError):
        pdus.decode_community_message(bytes(data))


def community_decoders(data: bytes) -> None:
    """Every community-message entry point; only ParseError may escape."""
    for attempt in (
        lambda: pdus.decode_community_message(data),
        lambda: pdus.peek_version(data),
        lambda: pdus.decode_pdu(data, 0, len(data)),
    ):
        with contextlib.suppress(ParseError):
            attempt()


@NO_DEADLINE
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    community_decoders(data)


@NO_DEADLINE
@given(
    mutated(
        community_messages().map(
            lambda m: pdus.encode_community_message(m.version, m.community, m.pdu)
        )
    )
)
def test_damaged_community_messages_raise_only_parse_error(data: bytes) -> None:
    community_decoders(data)


# ---------------------------------------------------------------- SNMPv3

PASSWORDS = ("auth-pass-phrase", "priv-pass-phrase")
USERS = (
    v3.UsmUser("plain"),
    *(v3.UsmUser(f"auth-{a.name}", a, PASSWORDS[0]) for a in AuthProtocol),
    *(
        v3.UsmUser(f"priv-{a.name}-{p.name}", a, PASSWORDS[0], p, PASSWORDS[1])
        for a in AuthProtocol
        for p in PrivProtocol
    ),
)
AUTH_USERS = tuple(u for u in USERS if u.auth_protocol is not None)


@cache
def keys_of(user: v3.UsmUser) -> v3.LocalKeys | None:
    """The user's keys localized to ENGINE_ID (key derivation hashes 1 MiB: do it once)."""
    return user.localize(ENGINE_ID)


def flags_of(user: v3.UsmUser) -> int:
    """The msgFlags a request from this user carries."""
    flags = v3.FLAG_REPORTABLE
    if user.auth_protocol is not None:
        flags |= v3.FLAG_AUTH
    if user.priv_protocol is not None:
        flags |= v3.FLAG_PRIV
    return flags


def lookup_for(user: v3.UsmUser) -> Callable[[bytes, bytes], v3.LocalKeys | None]:
    """A key lookup that knows one user at one engine."""

    def lookup(name: bytes, engine_id: bytes) -> v3.LocalKeys | None:
        return keys_of(user) if (name, engine_id) == (user.name.encode(), ENGINE_ID) else None

    return lookup


class Fields(TypedDict):
    """The pack() arguments a test varies."""

    msg_id: int
    boots: int
    time: int
    context_name: bytes
    pdu: Pdu
    salt: bytes


@st.composite
def v3_fields(draw: st.DrawFn) -> Fields:
    """Header fields and a PDU for pack()."""
    return Fields(
        msg_id=draw(UINT31),
        boots=draw(UINT31),
        time=draw(UINT31),
        context_name=draw(st.binary(max_size=32)),
        pdu=draw(pdus_()),
        salt=draw(st.binary(min_size=8, max_size=8)),
    )


def fixed_fields(pdu: Pdu) -> Fields:
    """Fields for the example-based tests."""
    return Fields(msg_id=7, boots=1, time=2, context_name=b"", pdu=pdu, salt=bytes(8))


def pack_as(user: v3.UsmUser, fields: Fields) -> bytes:
    """Pack a message from ``user`` to ENGINE_ID."""
    return v3.pack(
        flags=flags_of(user), engine_id=ENGINE_ID, user=user.name.encode(),
        context_engine_id=ENGINE_ID, keys=keys_of(user), **fields,
    )  # fmt: skip


def usm_layout(data: bytes) -> tuple[int, int, int, bytes, int]:
    """Walk a v3 message by hand: (flags offset, MAC start, MAC end, salt, scopedPDU start)."""
    start, stop = ber.expect(data, 0, len(data), ber.SEQUENCE)
    _, p = ber.read_int(data, start, stop)
    g_start, g_stop = ber.expect(data, p, stop, ber.SEQUENCE)
    _, q = ber.read_int(data, g_start, g_stop)
    _, q = ber.read_int(data, q, g_stop)
    f_start, q = ber.expect(data, q, g_stop, ber.OCTET_STRING)
    s_start, s_stop = ber.expect(data, g_stop, stop, ber.OCTET_STRING)
    u_start, u_stop = ber.expect(data, s_start, s_stop, ber.SEQUENCE)
    q = u_start
    for _ in range(4):  # engine id, boots, time, user name
        q = ber.read_header(data, q, u_stop)[2]
    mac_start, mac_stop = ber.expect(data, q, u_stop, ber.OCTET_STRING)
    salt, _ = ber.read_octets(data, mac_stop, u_stop)
    return f_start, mac_start, mac_stop, salt, s_stop


@pytest.mark.parametrize("user", USERS, ids=lambda u: u.name)
@settings(max_examples=12, deadline=None)
@given(fields=v3_fields())
def test_v3_messages_round_trip_at_every_security_level(user: v3.UsmUser, fields: Fields) -> None:
    data = pack_as(user, fields)
    message = v3.unpack(data, lookup_for(user))
    assert message.pdu == fields["pdu"]
    assert typed(message.pdu.varbinds) == typed(fields["pdu"].varbinds)
    assert (message.msg_id, message.boots, message.time) == (
        fields["msg_id"], fields["boots"], fields["time"],
    )  # fmt: skip
    assert (message.flags, message.max_size) == (flags_of(user), v3.MAX_SIZE)
    assert (message.engine_id, message.user) == (ENGINE_ID, user.name.encode())
    assert (message.context_engine_id, message.context_name) == (ENGINE_ID, fields["context_name"])
    assert v3.peek_msg_id(data) == fields["msg_id"]


@pytest.mark.parametrize("user", AUTH_USERS, ids=lambda u: u.name)
@settings(max_examples=5, deadline=None)
@given(fields=v3_fields())
def test_v3_mac_and_cipher_are_where_rfc_3414_and_3826_put_them(
    user: v3.UsmUser, fields: Fields
) -> None:
    keys = keys_of(user)
    assert keys is not None
    data = pack_as(user, fields)
    _, mac_start, mac_stop, salt, scoped_start = usm_layout(data)
    # RFC 3414 6.3.1: HMAC over the whole message with the MAC field zeroed, truncated
    zeroed = data[:mac_start] + bytes(mac_stop - mac_start) + data[mac_stop:]
    digest = hmac.digest(keys.auth_key, zeroed, keys.auth_protocol.hash_name)
    assert data[mac_start:mac_stop] == digest[: keys.auth_protocol.mac_length]
    if keys.priv_key is None:
        return
    # RFC 3826 3.1.2: AES-CFB128, IV = boots || time || salt, over the encoded scopedPDU
    assert salt == fields["salt"]
    cipher, _ = ber.read_octets(data, scoped_start, len(data))
    iv = fields["boots"].to_bytes(4, "big") + fields["time"].to_bytes(4, "big") + salt
    clear = Cipher(algorithms.AES(keys.priv_key), CFB(iv)).decryptor().update(cipher)
    scoped = ber.tlv(
        ber.SEQUENCE,
        ber.tlv(ber.OCTET_STRING, ENGINE_ID)
        + ber.tlv(ber.OCTET_STRING, fields["context_name"])
        + pdus.encode_pdu(fields["pdu"]),
    )
    assert clear == scoped


@pytest.mark.parametrize("user", AUTH_USERS, ids=lambda u: u.name)
@settings(max_examples=25, deadline=None)
@given(fields=v3_fields(), position=st.integers(0, 2**16), mask=st.integers(1, 255))
def test_tampering_one_byte_of_an_authenticated_message_is_caught(
    user: v3.UsmUser, fields: Fields, position: int, mask: int
) -> None:
    data = pack_as(user, fields)
    at = position % len(data)
    tampered = data[:at] + bytes((data[at] ^ mask,)) + data[at + 1 :]
    try:
        message = v3.unpack(tampered, lookup_for(user))
    except (SnmpAuthError, ParseError):
        return
    # The MAC covers every octet, so the only edit that decodes is one that clears the auth
    # flag: the message then *claims* noAuthNoPriv and nothing is verified. unpack() cannot
    # know what level the receiver expected; the receiver must refuse the downgrade (the agent
    # does; for the client see test_hostile_agents.py::test_the_client_refuses_*).
    assert at == usm_layout(data)[0]
    assert not message.flags & v3.FLAG_AUTH
    assert user.priv_protocol is None  # an encrypted PDU cannot be read as plain text


@pytest.mark.parametrize("user", AUTH_USERS[:: len(PrivProtocol)], ids=lambda u: u.name)
def test_a_message_signed_with_other_keys_is_refused(user: v3.UsmUser) -> None:
    fields = fixed_fields(Pdu(pdus.GET, 7, 0, 0, [(SYS_DESCR_0, None)]))
    data = pack_as(user, fields)
    impostor = v3.UsmUser(user.name, user.auth_protocol, "another-passphrase", user.priv_protocol,
                          "another-passphrase")  # fmt: skip
    with pytest.raises(SnmpAuthError, match="digest"):
        v3.unpack(data, lambda _n, _e: keys_of(impostor))
    with pytest.raises(SnmpAuthError, match="unknown user"):
        v3.unpack(data, lambda _n, _e: None)


@pytest.mark.parametrize(
    "user", [u for u in USERS if u.priv_protocol is not None][:5], ids=lambda u: u.name
)
def test_a_wrong_privacy_key_is_refused(user: v3.UsmUser) -> None:
    fields = fixed_fields(Pdu(pdus.GET, 7, 0, 0, [(SYS_DESCR_0, None)]))
    data = pack_as(user, fields)
    right = keys_of(user)
    assert right is not None and right.priv_key is not None
    wrong = v3.LocalKeys(right.auth_protocol, right.auth_key, right.priv_protocol,
                         bytes(b ^ 0x55 for b in right.priv_key))  # fmt: skip
    with pytest.raises((SnmpAuthError, ParseError)):
        v3.unpack(data, lambda _n, _e: wrong)


def test_privacy_without_authentication_is_refused() -> None:
    fields = fixed_fields(Pdu(pdus.GET, 7))
    data = bytearray(pack_as(USERS[0], fields))
    data[usm_layout(bytes(data))[0]] = v3.FLAG_PRIV
    with pytest.raises(ParseError, match="privacy without authentication"):
        v3.unpack(bytes(data), lambda _n, _e: None)


# Hand-derived engine-discovery probe (RFC 3414 4): msgGlobalData 30 0e = msgID 02 01 01,
# msgMaxSize 65507 = 02 03 00 ff e3, msgFlags 04 01 04 (reportable), model 02 01 03 (USM);
# empty security parameters 30 0e wrapped in 04 10; scopedPDU 30 11 with an empty GET a0 0b.
DISCOVERY_PROBE = (
    "3038" "020103"
    "300e" "020101" "020300ffe3" "040104" "020103"
    "0410" "300e" "0400" "020100" "020100" "0400" "0400" "0400"
    "3011" "0400" "0400" "a00b" "020101" "020100" "020100" "3000"
)  # fmt: skip


def test_the_engine_discovery_probe_is_byte_exact() -> None:
    data = v3.pack(
        msg_id=1, flags=v3.FLAG_REPORTABLE, engine_id=b"", boots=0, time=0, user=b"",
        context_engine_id=b"", context_name=b"", pdu=Pdu(pdus.GET, 1), keys=None,
    )  # fmt: skip
    assert data.hex() == DISCOVERY_PROBE
    message = v3.unpack(data, lambda _n, _e: None)
    assert (message.msg_id, message.flags, message.pdu) == (1, v3.FLAG_REPORTABLE, Pdu(pdus.GET, 1))


def test_pack_refuses_a_security_level_without_keys() -> None:
    fields = fixed_fields(Pdu(pdus.GET, 7))
    with pytest.raises(ValueError, match="keys"):
        v3.pack(flags=v3.FLAG_AUTH, engine_id=ENGINE_ID, user=b"u", context_engine_id=ENGINE_ID,
                keys=None, **fields)  # fmt: skip
    auth_only = keys_of(AUTH_USERS[0])
    with pytest.raises(ValueError, match="privacy key"):
        v3.pack(flags=v3.FLAG_AUTH | v3.FLAG_PRIV, engine_id=ENGINE_ID, user=b"u",
                context_engine_id=ENGINE_ID, keys=auth_only, **fields)  # fmt: skip


PRIV_USER = next(u for u in USERS if u.priv_protocol is PrivProtocol.AES256C)


def v3_decoders(data: bytes) -> None:
    """Every v3 entry point, with a lookup that always has keys: only our errors may escape."""
    for attempt in (
        lambda: v3.unpack(data, lambda _n, _e: keys_of(PRIV_USER)),
        lambda: v3.unpack(data, lambda _n, _e: None),
        lambda: v3.peek_msg_id(data),
    ):
        with contextlib.suppress(ParseError, SnmpAuthError):
            attempt()


@NO_DEADLINE
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_parse_or_auth_errors_in_v3(data: bytes) -> None:
    v3_decoders(data)


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(USERS).flatmap(lambda u: mutated(v3_fields().map(lambda f: pack_as(u, f)))))
def test_damaged_v3_messages_raise_only_parse_or_auth_errors(data: bytes) -> None:
    v3_decoders(data)
