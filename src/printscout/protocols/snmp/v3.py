"""SNMPv3 messages with the User-based Security Model (RFC 3412/3414): pure pack and unpack.

Both the client engine and the simulator's agent use these functions; crypto primitives live in
:mod:`usm_crypto`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from printscout.domain.errors import ParseError, SnmpAuthError
from printscout.protocols.snmp import ber, usm_crypto
from printscout.protocols.snmp.pdu import Pdu, decode_pdu, encode_pdu
from printscout.protocols.snmp.usm_crypto import AuthProtocol, PrivProtocol

FLAG_AUTH: Final = 0x01
FLAG_PRIV: Final = 0x02
FLAG_REPORTABLE: Final = 0x04
USM: Final = 3
MAX_SIZE: Final = 65507

# usmStats counters reported by agents (RFC 3414 section 5)
UNKNOWN_ENGINE_ID: Final = (1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0)
NOT_IN_TIME_WINDOW: Final = (1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0)
UNKNOWN_USER_NAME: Final = (1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0)
WRONG_DIGEST: Final = (1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0)
DECRYPTION_ERROR: Final = (1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0)
UNSUPPORTED_SEC_LEVEL: Final = (1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0)


@dataclass(frozen=True, slots=True)
class UsmUser:
    """An SNMPv3 user with its passphrases (not yet localized)."""

    name: str
    auth_protocol: AuthProtocol | None = None
    auth_key: str = ""
    priv_protocol: PrivProtocol | None = None
    priv_key: str = ""
    context: str = ""

    def localize(self, engine_id: bytes) -> LocalKeys | None:
        """Keys of this user localized to one engine; None for noAuthNoPriv."""
        if self.auth_protocol is None:
            return None
        auth_ku = usm_crypto.password_to_key(self.auth_protocol, self.auth_key.encode())
        auth = usm_crypto.localize_key(self.auth_protocol, auth_ku, engine_id)
        priv = None
        if self.priv_protocol is not None:
            priv_ku = usm_crypto.password_to_key(self.auth_protocol, self.priv_key.encode())
            priv_kul = usm_crypto.localize_key(self.auth_protocol, priv_ku, engine_id)
            priv = usm_crypto.priv_key(self.auth_protocol, self.priv_protocol, priv_kul, engine_id)
        return LocalKeys(self.auth_protocol, auth, self.priv_protocol, priv)


@dataclass(frozen=True, slots=True)
class LocalKeys:
    """A user's keys localized to one authoritative engine."""

    auth_protocol: AuthProtocol
    auth_key: bytes
    priv_protocol: PrivProtocol | None
    priv_key: bytes | None


@dataclass(frozen=True, slots=True)
class V3Message:
    """A decoded (verified and decrypted) SNMPv3 message."""

    msg_id: int
    max_size: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    context_engine_id: bytes
    context_name: bytes
    pdu: Pdu


def pack(
    *,
    msg_id: int,
    flags: int,
    engine_id: bytes,
    boots: int,
    time: int,
    user: bytes,
    context_engine_id: bytes,
    context_name: bytes,
    pdu: Pdu,
    keys: LocalKeys | None,
    salt: bytes = b"",
    varbinds_encoded: bytes | None = None,
) -> bytes:
    """Build an SNMPv3 message, encrypting and signing it as ``flags`` ask."""
    scoped = ber.tlv(
        ber.SEQUENCE,
        ber.tlv(ber.OCTET_STRING, context_engine_id)
        + ber.tlv(ber.OCTET_STRING, context_name)
        + encode_pdu(pdu, varbinds_encoded),
    )
    priv_params = b""
    mac_len = 0
    if flags & FLAG_AUTH:
        if keys is None:
            raise ValueError("authenticated message needs keys")
        mac_len = keys.auth_protocol.mac_length
        if flags & FLAG_PRIV:
            if keys.priv_key is None or keys.priv_protocol is None:
                raise ValueError("private message needs a privacy key")
            scoped = ber.tlv(
                ber.OCTET_STRING,
                usm_crypto.encrypt_aes(keys.priv_key, boots, time, salt, scoped),
            )
            priv_params = salt
    head = (
        ber.tlv(ber.OCTET_STRING, engine_id)
        + ber.encode_int(boots)
        + ber.encode_int(time)
        + ber.tlv(ber.OCTET_STRING, user)
    )
    auth_tlv = ber.tlv(ber.OCTET_STRING, bytes(mac_len))
    priv_tlv = ber.tlv(ber.OCTET_STRING, priv_params)
    sec = ber.tlv(ber.SEQUENCE, head + auth_tlv + priv_tlv)
    sec_wrapped = ber.tlv(ber.OCTET_STRING, sec)
    prefix = ber.encode_int(3) + ber.tlv(
        ber.SEQUENCE,
        ber.encode_int(msg_id)
        + ber.encode_int(MAX_SIZE)
        + ber.tlv(ber.OCTET_STRING, bytes((flags,)))
        + ber.encode_int(USM),
    )
    body = prefix + sec_wrapped + scoped
    message = ber.tlv(ber.SEQUENCE, body)
    if not mac_len or keys is None:
        return message
    # Where the zeroed MAC sits: after every header and field that precedes it.
    offset = (
        (len(message) - len(body))
        + len(prefix)
        + (len(sec_wrapped) - len(sec))
        + (len(sec) - len(head) - len(auth_tlv) - len(priv_tlv))
        + len(head)
        + (len(auth_tlv) - mac_len)
    )
    mac = usm_crypto.sign(keys.auth_protocol, keys.auth_key, message)
    return message[:offset] + mac + message[offset + mac_len :]


@dataclass(frozen=True, slots=True)
class _Raw:
    msg_id: int
    max_size: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth_start: int
    auth_stop: int
    priv_params: bytes
    data_pos: int
    end: int


def _parse(data: bytes) -> _Raw:
    end = len(data)
    start, stop = ber.expect(data, 0, end, ber.SEQUENCE)
    version, p = ber.read_int(data, start, stop)
    if version != 3:
        raise ParseError(f"not an SNMPv3 message (version {version})")
    g_start, g_stop = ber.expect(data, p, stop, ber.SEQUENCE)
    msg_id, q = ber.read_int(data, g_start, g_stop)
    max_size, q = ber.read_int(data, q, g_stop)
    flag_bytes, q = ber.read_octets(data, q, g_stop)
    model, q = ber.read_int(data, q, g_stop)
    if len(flag_bytes) != 1 or model != USM:
        raise ParseError("unsupported msgFlags or security model")
    s_start, s_stop = ber.expect(data, g_stop, stop, ber.OCTET_STRING)
    u_start, u_stop = ber.expect(data, s_start, s_stop, ber.SEQUENCE)
    engine_id, q = ber.read_octets(data, u_start, u_stop)
    boots, q = ber.read_int(data, q, u_stop)
    time, q = ber.read_int(data, q, u_stop)
    user, q = ber.read_octets(data, q, u_stop)
    a_start, a_stop = ber.expect(data, q, u_stop, ber.OCTET_STRING)
    priv_params, q = ber.read_octets(data, a_stop, u_stop)
    return _Raw(
        msg_id,
        max_size,
        flag_bytes[0],
        engine_id,
        boots,
        time,
        user,
        a_start,
        a_stop,
        priv_params,
        s_stop,
        stop,
    )


KeyLookup = Callable[[bytes, bytes], "LocalKeys | None"]


def unpack(data: bytes, lookup: KeyLookup) -> V3Message:
    """Decode an SNMPv3 message, verifying its digest and decrypting its scoped PDU.

    ``lookup(user, engine_id)`` returns the user's localized keys. Raises ParseError for
    malformed bytes and SnmpAuthError when security checks fail.
    """
    raw = _parse(data)
    flags = raw.flags
    if flags & FLAG_PRIV and not flags & FLAG_AUTH:
        raise ParseError("privacy without authentication is not a valid security level")
    scoped_data, scoped_pos, scoped_end = data, raw.data_pos, raw.end
    if flags & FLAG_AUTH:
        keys = lookup(raw.user, raw.engine_id)
        if keys is None:
            raise SnmpAuthError(f"unknown user {raw.user!r}")
        mac = data[raw.auth_start : raw.auth_stop]
        if len(mac) != keys.auth_protocol.mac_length:
            raise SnmpAuthError("authentication parameters have the wrong length")
        zeroed = data[: raw.auth_start] + bytes(len(mac)) + data[raw.auth_stop :]
        if not usm_crypto.verify(keys.auth_protocol, keys.auth_key, zeroed, mac):
            raise SnmpAuthError("wrong digest")
        if flags & FLAG_PRIV:
            if keys.priv_key is None or keys.priv_protocol is None:
                raise SnmpAuthError("user has no privacy key")
            cipher, _ = ber.read_octets(data, raw.data_pos, raw.end)
            scoped_data = usm_crypto.decrypt_aes(
                keys.priv_key, raw.boots, raw.time, raw.priv_params, cipher
            )
            scoped_pos, scoped_end = 0, len(scoped_data)
    try:
        c_start, c_stop = ber.expect(scoped_data, scoped_pos, scoped_end, ber.SEQUENCE)
    except ParseError as exc:
        if flags & FLAG_PRIV:
            raise SnmpAuthError("decryption gave garbage: wrong privacy key?") from exc
        raise
    ctx_engine, q = ber.read_octets(scoped_data, c_start, c_stop)
    ctx_name, q = ber.read_octets(scoped_data, q, c_stop)
    pdu = decode_pdu(scoped_data, q, c_stop)
    return V3Message(
        raw.msg_id,
        raw.max_size,
        flags,
        raw.engine_id,
        raw.boots,
        raw.time,
        raw.user,
        ctx_engine,
        ctx_name,
        pdu,
    )


def peek_security(data: bytes) -> tuple[bytes, bytes] | None:
    """(user name, engine id) of an SNMPv3 message, unchecked; None when it does not parse.

    An agent needs them to choose its report when the message fails security checks.
    """
    try:
        raw = _parse(data)
    except ParseError:
        return None
    return raw.user, raw.engine_id


def peek_msg_id(data: bytes) -> int:
    """Read only the msgID of an SNMPv3 message (to match it to a request cheaply)."""
    end = len(data)
    start, stop = ber.expect(data, 0, end, ber.SEQUENCE)
    _, p = ber.read_int(data, start, stop)
    g_start, g_stop = ber.expect(data, p, stop, ber.SEQUENCE)
    msg_id, _ = ber.read_int(data, g_start, g_stop)
    return msg_id
