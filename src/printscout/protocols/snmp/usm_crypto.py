"""SNMPv3 User-based Security Model crypto: key derivation, HMAC digests and AES-CFB privacy.

Pure functions over bytes; the message layer decides where the results go on the wire.

Key flow for a user (the privacy key uses the *authentication* protocol's hash, as in
Net-SNMP and RFC 3826):

    Ku   = password_to_key(auth, password)              # RFC 3414 A.2, per password
    Kul  = localize_key(auth, Ku, engine_id)            # RFC 3414 A.2, per engine
    auth: sign(auth, Kul_auth, whole_msg)               # RFC 3414 6/7, RFC 7860
    priv: encrypt_aes(priv_key(auth, priv, Kul_priv, engine_id), boots, time, salt, data)
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import struct
from enum import Enum
from functools import lru_cache

# CFB lives in the "decrepit" namespace since cryptography 47; the old alias warns.
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from printscout.domain.errors import SnmpAuthError

__all__ = [
    "SALT_LENGTH",
    "AuthProtocol",
    "PrivProtocol",
    "SaltSource",
    "decrypt_aes",
    "encrypt_aes",
    "localize_key",
    "parse_auth_protocol",
    "parse_priv_protocol",
    "password_to_key",
    "priv_key",
    "sign",
    "verify",
]

_PASSWORD_EXPANSION = 1_048_576  # RFC 3414 A.2: hash one megabyte of repeated password
_MIN_PASSWORD_LENGTH = 8  # RFC 3414 advice; Net-SNMP refuses shorter ones too
SALT_LENGTH = 8
_SALT_MASK = (1 << 64) - 1
_AES_KEY_LENGTHS = frozenset({16, 24, 32})
_BOOTS_TIME = struct.Struct(">II")
_KEY_CACHE_SIZE = 256


class AuthProtocol(Enum):
    """USM authentication protocols: hash name and MAC length in msgAuthenticationParameters."""

    MD5 = ("md5", 12)  # usmHMACMD5AuthProtocol, RFC 3414
    SHA = ("sha1", 12)  # usmHMACSHAAuthProtocol, RFC 3414
    SHA224 = ("sha224", 16)  # usmHMAC128SHA224AuthProtocol, RFC 7860
    SHA256 = ("sha256", 24)  # usmHMAC192SHA256AuthProtocol, RFC 7860
    SHA384 = ("sha384", 32)  # usmHMAC256SHA384AuthProtocol, RFC 7860
    SHA512 = ("sha512", 48)  # usmHMAC384SHA512AuthProtocol, RFC 7860

    def __init__(self, hash_name: str, mac_length: int) -> None:
        """Attach the hash name, the truncated MAC length and the key (digest) length."""
        self.hash_name = hash_name
        self.mac_length = mac_length
        self.key_length = hashlib.new(hash_name).digest_size


class PrivProtocol(Enum):
    """USM privacy protocols: AES-CFB128 key length and how a short key is extended."""

    AES128 = (16, False)  # usmAesCfb128Protocol, RFC 3826
    AES192 = (24, False)  # draft-blumenthal-aes-usm-04, Net-SNMP "AES192"
    AES256 = (32, False)  # draft-blumenthal-aes-usm-04, Net-SNMP "AES256"
    AES192C = (24, True)  # Reeder (Cisco) key extension, Net-SNMP "AES192C"
    AES256C = (32, True)  # Reeder (Cisco) key extension, Net-SNMP "AES256C"

    def __init__(self, key_length: int, reeder: bool) -> None:
        """Attach the cipher key length and whether the Reeder key extension applies."""
        self.key_length = key_length
        self.reeder = reeder


_AUTH_NAMES = {
    "MD5": AuthProtocol.MD5,
    "SHA": AuthProtocol.SHA,
    "SHA1": AuthProtocol.SHA,
    "SHA224": AuthProtocol.SHA224,
    "SHA256": AuthProtocol.SHA256,
    "SHA384": AuthProtocol.SHA384,
    "SHA512": AuthProtocol.SHA512,
}

_PRIV_NAMES = {
    "AES": PrivProtocol.AES128,
    "AES128": PrivProtocol.AES128,
    "AES192": PrivProtocol.AES192,
    "AES256": PrivProtocol.AES256,
    "AES192C": PrivProtocol.AES192C,
    "AES256C": PrivProtocol.AES256C,
}


def _normalize(name: str) -> str:
    """Fold a protocol name to upper case without dashes, underscores or spaces."""
    return name.strip().upper().replace("-", "").replace("_", "").replace(" ", "")


def parse_auth_protocol(name: str) -> AuthProtocol:
    """Return the authentication protocol for a Net-SNMP style name such as "SHA-256"."""
    proto = _AUTH_NAMES.get(_normalize(name))
    if proto is None:
        raise ValueError(
            f"unknown SNMPv3 authentication protocol {name!r}; "
            "expected MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512"
        )
    return proto


def parse_priv_protocol(name: str) -> PrivProtocol:
    """Return the privacy protocol for a Net-SNMP style name such as "AES-128"."""
    key = _normalize(name)
    proto = _PRIV_NAMES.get(key)
    if proto is None:
        if key in {"DES", "3DES", "DES3", "3DESEDE"}:
            raise ValueError(f"SNMPv3 privacy protocol {name!r} is not supported; use AES")
        raise ValueError(
            f"unknown SNMPv3 privacy protocol {name!r}; "
            "expected AES (=AES-128), AES-192, AES-256, AES-192C or AES-256C"
        )
    return proto


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def password_to_key(proto: AuthProtocol, password: bytes) -> bytes:
    """Derive the unlocalized key Ku from a password (RFC 3414 A.2; RFC 7860 with SHA-2)."""
    if len(password) < _MIN_PASSWORD_LENGTH:
        raise ValueError(
            f"SNMPv3 passwords must be at least {_MIN_PASSWORD_LENGTH} octets, got {len(password)}"
        )
    repeats = _PASSWORD_EXPANSION // len(password) + 1
    return hashlib.new(proto.hash_name, (password * repeats)[:_PASSWORD_EXPANSION]).digest()


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def localize_key(proto: AuthProtocol, key: bytes, engine_id: bytes) -> bytes:
    """Localize a key to an authoritative engine: H(key || engineID || key)."""
    return hashlib.new(proto.hash_name, key + engine_id + key).digest()


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def priv_key(
    auth_proto: AuthProtocol,
    priv_proto: PrivProtocol,
    localized_priv_key: bytes,
    engine_id: bytes,
) -> bytes:
    """Return the AES key: the localized privacy key, extended if short, then truncated."""
    if len(localized_priv_key) != auth_proto.key_length:
        raise ValueError(
            f"a localized {auth_proto.name} key is {auth_proto.key_length} octets, "
            f"got {len(localized_priv_key)}"
        )
    key = localized_priv_key
    needed = priv_proto.key_length
    while len(key) < needed:
        if priv_proto.reeder:
            # Reeder: Kul' = Kul || Kul(Ku(Kul)), the password algorithm run on the key.
            key += localize_key(auth_proto, password_to_key(auth_proto, key), engine_id)
        else:
            # Blumenthal: Kul' = Kul || H(Kul), hashing everything accumulated so far.
            key += hashlib.new(auth_proto.hash_name, key).digest()
    return key[:needed]


def sign(proto: AuthProtocol, localized_auth_key: bytes, message: bytes) -> bytes:
    """Return the truncated HMAC of a whole message whose auth parameters are zeroed."""
    return hmac.digest(localized_auth_key, message, proto.hash_name)[: proto.mac_length]


def verify(proto: AuthProtocol, localized_auth_key: bytes, message: bytes, mac: bytes) -> bool:
    """Check a received MAC against the message with its auth parameters zeroed."""
    return hmac.compare_digest(sign(proto, localized_auth_key, message), mac)


def _cipher(key: bytes, engine_boots: int, engine_time: int, salt: bytes) -> Cipher[CFB]:
    """Build AES-CFB128 with the RFC 3826 IV: boots || time || salt; raise on bad inputs."""
    if len(key) not in _AES_KEY_LENGTHS:
        raise ValueError(f"AES keys are 16, 24 or 32 octets, got {len(key)}")
    if len(salt) != SALT_LENGTH:
        raise SnmpAuthError(f"AES salt (msgPrivacyParameters) must be 8 octets, got {len(salt)}")
    try:
        iv = _BOOTS_TIME.pack(engine_boots, engine_time) + salt
    except struct.error as exc:
        raise SnmpAuthError(
            f"engine boots/time out of range: {engine_boots}, {engine_time}"
        ) from exc
    return Cipher(algorithms.AES(key), CFB(iv))


def encrypt_aes(
    key: bytes, engine_boots: int, engine_time: int, salt: bytes, plaintext: bytes
) -> bytes:
    """Encrypt a scopedPDU with AES-CFB128 per RFC 3826 (no padding)."""
    encryptor = _cipher(key, engine_boots, engine_time, salt).encryptor()
    return encryptor.update(plaintext) + encryptor.finalize()


def decrypt_aes(
    key: bytes, engine_boots: int, engine_time: int, salt: bytes, ciphertext: bytes
) -> bytes:
    """Decrypt an encryptedPDU with AES-CFB128 per RFC 3826; any length is accepted."""
    decryptor = _cipher(key, engine_boots, engine_time, salt).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


class SaltSource:
    """Unique 8-octet AES salts: a random 64-bit start, incremented per message."""

    __slots__ = ("_counter",)

    def __init__(self, start: int | None = None) -> None:
        """Start at a random 64-bit value, or at a given one (for tests)."""
        if start is None:
            start = secrets.randbits(64)
        elif not 0 <= start <= _SALT_MASK:
            raise ValueError(f"salt start must fit in 64 bits, got {start}")
        # next() on itertools.count is atomic under the GIL, so threads cannot share a salt.
        self._counter = itertools.count(start)

    def next_salt(self) -> bytes:
        """Return the next salt, wrapping around after 2**64 - 1."""
        return (next(self._counter) & _SALT_MASK).to_bytes(SALT_LENGTH, "big")
