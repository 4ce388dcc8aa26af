"""Tests for the SNMPv3 USM crypto primitives, against RFC/NIST vectors and pysnmp."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st
from pysnmp.proto.rfc1902 import OctetString
from pysnmp.proto.secmod.rfc3414 import localkey

# isort: split
# pysnmp 7.1 has an import cycle: eso.priv only loads once rfc3414 is in.
from pysnmp.proto.secmod.eso.priv import aes192, aes256
from pysnmp.proto.secmod.rfc3414.auth import hmacmd5, hmacsha
from pysnmp.proto.secmod.rfc3826.priv import aes
from pysnmp.proto.secmod.rfc7860.auth import hmacsha2

from printscout.domain.errors import SnmpAuthError
from printscout.protocols.snmp.usm_crypto import (
    AuthProtocol,
    PrivProtocol,
    SaltSource,
    decrypt_aes,
    encrypt_aes,
    localize_key,
    parse_auth_protocol,
    parse_priv_protocol,
    password_to_key,
    priv_key,
    sign,
    verify,
)

RFC_ENGINE_ID = bytes.fromhex("000000000000000000000002")
PASSWORDS = [b"maplesyrup", b"12345678", b"a much longer passphrase \xff\x00 with odd bytes" * 3]
ENGINE_IDS = [
    RFC_ENGINE_ID,
    bytes.fromhex("80001f8880e9bd0c1d12667a5100000000"),  # Net-SNMP style
    bytes.fromhex("800007e580" + "ab" * 27),  # 32 octets, the SnmpEngineID maximum
]

PYSNMP_AUTH: dict[AuthProtocol, tuple[int, ...]] = {
    AuthProtocol.MD5: hmacmd5.HmacMd5.SERVICE_ID,
    AuthProtocol.SHA: hmacsha.HmacSha.SERVICE_ID,
    AuthProtocol.SHA224: hmacsha2.HmacSha2.SHA224_SERVICE_ID,
    AuthProtocol.SHA256: hmacsha2.HmacSha2.SHA256_SERVICE_ID,
    AuthProtocol.SHA384: hmacsha2.HmacSha2.SAH384_SERVICE_ID,  # sic, pysnmp's spelling
    AuthProtocol.SHA512: hmacsha2.HmacSha2.SHA512_SERVICE_ID,
}

# pysnmp's AesBlumenthal* classes follow draft-blumenthal-aes-usm-04 (Net-SNMP "AES192");
# its plainly named Aes192/Aes256 are the Reeder (Cisco) variant (Net-SNMP "AES192C").
PYSNMP_PRIV: dict[PrivProtocol, Any] = {
    PrivProtocol.AES128: aes.Aes,
    PrivProtocol.AES192: aes192.AesBlumenthal192,
    PrivProtocol.AES256: aes256.AesBlumenthal256,
    PrivProtocol.AES192C: aes192.Aes192,
    PrivProtocol.AES256C: aes256.Aes256,
}


def pysnmp_auth_service(proto: AuthProtocol) -> Any:
    """Return pysnmp's authentication service object for a protocol."""
    if proto is AuthProtocol.MD5:
        return hmacmd5.HmacMd5()
    if proto is AuthProtocol.SHA:
        return hmacsha.HmacSha()
    return hmacsha2.HmacSha2(PYSNMP_AUTH[proto])


def full_priv_key(
    auth: AuthProtocol, priv: PrivProtocol, password: bytes, engine_id: bytes
) -> bytes:
    """Run the whole privacy key derivation the way the message layer will."""
    kul = localize_key(auth, password_to_key(auth, password), engine_id)
    return priv_key(auth, priv, kul, engine_id)


# RFC 3414 appendix A.3.1 and A.3.2: password "maplesyrup", engine ID 00..02.
def test_it_matches_rfc3414_a31_md5_vector() -> None:
    ku = password_to_key(AuthProtocol.MD5, b"maplesyrup")
    assert ku.hex() == "9faf3283884e92834ebc9847d8edd963"
    kul = localize_key(AuthProtocol.MD5, ku, RFC_ENGINE_ID)
    assert kul.hex() == "526f5eed9fcce26f8964c2930787d82b"


def test_it_matches_rfc3414_a32_sha_vector() -> None:
    ku = password_to_key(AuthProtocol.SHA, b"maplesyrup")
    assert ku.hex() == "9fb5cc0381497b3793528939ff788d5d79145211"
    kul = localize_key(AuthProtocol.SHA, ku, RFC_ENGINE_ID)
    assert kul.hex() == "6695febc9288e36282235fc7151f128497b38f3f"


@pytest.mark.parametrize("proto", list(AuthProtocol))
@pytest.mark.parametrize("password", PASSWORDS)
def test_it_derives_the_same_keys_as_pysnmp(proto: AuthProtocol, password: bytes) -> None:
    hash_func = getattr(hashlib, proto.hash_name)
    ku = password_to_key(proto, password)
    assert ku == bytes(localkey.hash_passphrase(password, hash_func))
    assert len(ku) == proto.key_length
    for engine_id in ENGINE_IDS:
        expected = localkey.localize_key(ku, OctetString(engine_id), hash_func)
        assert localize_key(proto, ku, engine_id) == bytes(expected)


def test_it_rejects_short_passwords() -> None:
    with pytest.raises(ValueError, match="at least 8 octets"):
        password_to_key(AuthProtocol.SHA, b"1234567")
    assert len(password_to_key(AuthProtocol.SHA, b"12345678")) == 20


def test_it_carries_rfc_mac_and_key_lengths() -> None:
    table = {proto: (proto.mac_length, proto.key_length) for proto in AuthProtocol}
    assert table == {
        AuthProtocol.MD5: (12, 16),
        AuthProtocol.SHA: (12, 20),
        AuthProtocol.SHA224: (16, 28),
        AuthProtocol.SHA256: (24, 32),
        AuthProtocol.SHA384: (32, 48),
        AuthProtocol.SHA512: (48, 64),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MD5", AuthProtocol.MD5),
        ("md5", AuthProtocol.MD5),
        ("SHA", AuthProtocol.SHA),
        ("sha-1", AuthProtocol.SHA),
        ("SHA1", AuthProtocol.SHA),
        ("SHA-224", AuthProtocol.SHA224),
        ("sha256", AuthProtocol.SHA256),
        ("SHA-256", AuthProtocol.SHA256),
        (" SHA-384 ", AuthProtocol.SHA384),
        ("Sha-512", AuthProtocol.SHA512),
    ],
)
def test_it_parses_auth_protocol_names(name: str, expected: AuthProtocol) -> None:
    assert parse_auth_protocol(name) is expected


@pytest.mark.parametrize("name", ["", "SHA3", "SHA-2", "HMAC", "none"])
def test_it_rejects_unknown_auth_protocol_names(name: str) -> None:
    with pytest.raises(ValueError, match="unknown SNMPv3 authentication protocol"):
        parse_auth_protocol(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AES", PrivProtocol.AES128),
        ("aes", PrivProtocol.AES128),
        ("AES128", PrivProtocol.AES128),
        ("AES-128", PrivProtocol.AES128),
        ("AES192", PrivProtocol.AES192),
        ("aes-192", PrivProtocol.AES192),
        ("AES256", PrivProtocol.AES256),
        ("AES-256", PrivProtocol.AES256),
        ("AES192C", PrivProtocol.AES192C),
        ("AES-256-C", PrivProtocol.AES256C),
    ],
)
def test_it_parses_priv_protocol_names(name: str, expected: PrivProtocol) -> None:
    assert parse_priv_protocol(name) is expected


def test_it_rejects_des_and_unknown_priv_protocol_names() -> None:
    with pytest.raises(ValueError, match="not supported"):
        parse_priv_protocol("DES")
    with pytest.raises(ValueError, match="unknown SNMPv3 privacy protocol"):
        parse_priv_protocol("AES512")


@pytest.mark.parametrize("auth", list(AuthProtocol))
@pytest.mark.parametrize("priv", list(PrivProtocol))
def test_it_derives_the_same_priv_keys_as_pysnmp(auth: AuthProtocol, priv: PrivProtocol) -> None:
    service = PYSNMP_PRIV[priv]()
    for password, engine_id in [(PASSWORDS[0], ENGINE_IDS[0]), (PASSWORDS[2], ENGINE_IDS[1])]:
        ku = password_to_key(auth, password)
        expected = service.localize_key(PYSNMP_AUTH[auth], OctetString(ku), OctetString(engine_id))
        key = full_priv_key(auth, priv, password, engine_id)
        assert key == bytes(expected)[: priv.key_length]
        assert len(key) == priv.key_length


def test_it_extends_short_keys_as_net_snmp_blumenthal_does() -> None:
    # Net-SNMP _kul_extend_blumenthal: Kul || H(Kul), cut to the cipher's key length.
    for auth in (AuthProtocol.MD5, AuthProtocol.SHA, AuthProtocol.SHA224):
        kul = localize_key(auth, password_to_key(auth, b"maplesyrup"), RFC_ENGINE_ID)
        extended = kul + hashlib.new(auth.hash_name, kul).digest()
        for priv in (PrivProtocol.AES192, PrivProtocol.AES256):
            key = priv_key(auth, priv, kul, RFC_ENGINE_ID)
            assert key == extended[: priv.key_length]


def test_it_keeps_blumenthal_and_reeder_apart() -> None:
    kul = localize_key(
        AuthProtocol.SHA, password_to_key(AuthProtocol.SHA, PASSWORDS[0]), b"\x80" * 9
    )
    blumenthal = priv_key(AuthProtocol.SHA, PrivProtocol.AES256, kul, b"\x80" * 9)
    reeder = priv_key(AuthProtocol.SHA, PrivProtocol.AES256C, kul, b"\x80" * 9)
    assert blumenthal[:20] == reeder[:20] == kul
    assert blumenthal[20:] != reeder[20:]


def test_it_truncates_long_keys_without_extension() -> None:
    kul = localize_key(
        AuthProtocol.SHA512, password_to_key(AuthProtocol.SHA512, b"x" * 8), b"e" * 5
    )
    for priv in PrivProtocol:
        assert priv_key(AuthProtocol.SHA512, priv, kul, b"e" * 5) == kul[: priv.key_length]


def test_it_refuses_a_priv_key_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="localized SHA key is 20 octets"):
        priv_key(AuthProtocol.SHA, PrivProtocol.AES128, b"\x01" * 16, RFC_ENGINE_ID)


@pytest.mark.parametrize("proto", list(AuthProtocol))
def test_it_signs_like_pysnmp(proto: AuthProtocol) -> None:
    key = localize_key(proto, password_to_key(proto, PASSWORDS[0]), ENGINE_IDS[1])
    head, tail = b"\x30\x81\x9a\x02\x01\x03" + b"\x5a" * 60, b"\xa2\x1f" + b"\x11" * 40
    message = head + bytes(proto.mac_length) + tail
    signed = pysnmp_auth_service(proto).authenticate_outgoing_message(OctetString(key), message)
    expected = bytes(signed)[len(head) : len(head) + proto.mac_length]
    mac = sign(proto, key, message)
    assert mac == expected
    assert len(mac) == proto.mac_length
    assert verify(proto, key, message, mac)


def test_it_rejects_bad_macs() -> None:
    key = localize_key(
        AuthProtocol.SHA256, password_to_key(AuthProtocol.SHA256, b"k" * 9), b"e" * 5
    )
    message = b"\x30\x10" + bytes(24) + b"payload"
    mac = sign(AuthProtocol.SHA256, key, message)
    assert not verify(AuthProtocol.SHA256, key, message, mac[:-1] + bytes([mac[-1] ^ 1]))
    assert not verify(AuthProtocol.SHA256, key, message, mac[:12])
    assert not verify(AuthProtocol.SHA256, key, message, b"")
    assert not verify(AuthProtocol.SHA256, key, message + b"x", mac)
    assert not verify(AuthProtocol.SHA256, key[:-1] + b"\x00", message, mac)


# NIST SP 800-38A F.3.13/F.3.15/F.3.17 (CFB128-AES Encrypt). The IV there is 00 01 .. 0f,
# which under RFC 3826 is boots 0x00010203, time 0x04050607 and salt 08 .. 0f.
NIST_PLAINTEXT = bytes.fromhex(
    "6bc1bee22e409f96e93d7e117393172a"
    "ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef"
    "f69f2445df4f9b17ad2b417be66c3710"
)
NIST_CFB128 = [
    (
        "2b7e151628aed2a6abf7158809cf4f3c",
        "3b3fd92eb72dad20333449f8e83cfb4a"
        "c8a64537a0b3a93fcde3cdad9f1ce58b"
        "26751f67a3cbb140b1808cf187a4f4df"
        "c04b05357c5d1c0eeac4c66f9ff7f2e6",
    ),
    (
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "cdc80d6fddf18cab34c25909c99a4174"
        "67ce7f7f81173621961a2b70171d3d7a"
        "2e1e8a1dd59b88b1c8e60fed1efac4c9"
        "c05f9f9ca9834fa042ae8fba584b09ff",
    ),
    (
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        "dc7e84bfda79164b7ecd8486985d3860"
        "39ffed143b28b1c832113c6331e5407b"
        "df10132415e54b92a13ed0a8267ae2f9"
        "75a385741ab9cef82031623d55b1e471",
    ),
]


@pytest.mark.parametrize(("key_hex", "ciphertext_hex"), NIST_CFB128)
def test_it_matches_nist_cfb128_vectors(key_hex: str, ciphertext_hex: str) -> None:
    key, ciphertext = bytes.fromhex(key_hex), bytes.fromhex(ciphertext_hex)
    salt = bytes(range(8, 16))
    assert encrypt_aes(key, 0x00010203, 0x04050607, salt, NIST_PLAINTEXT) == ciphertext
    assert decrypt_aes(key, 0x00010203, 0x04050607, salt, ciphertext) == NIST_PLAINTEXT
    # CFB needs no padding: a partial last block is just a prefix of the stream.
    assert encrypt_aes(key, 0x00010203, 0x04050607, salt, NIST_PLAINTEXT[:37]) == ciphertext[:37]


def cfb128_from_ecb(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """Textbook CFB128 built on AES-ECB, independent of any CFB implementation."""
    ecb = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out, feedback = bytearray(), iv
    for start in range(0, len(plaintext), 16):
        chunk = plaintext[start : start + 16]
        block = bytes(a ^ b for a, b in zip(chunk, ecb.update(feedback), strict=False))
        out += block
        feedback = block
    return bytes(out)


@pytest.mark.parametrize("priv", [PrivProtocol.AES128, PrivProtocol.AES192, PrivProtocol.AES256])
def test_it_encrypts_like_pysnmp_and_textbook_cfb(priv: PrivProtocol) -> None:
    auth = AuthProtocol.SHA
    kul = localize_key(auth, password_to_key(auth, PASSWORDS[1]), ENGINE_IDS[1])
    key = priv_key(auth, priv, kul, ENGINE_IDS[1])
    service = PYSNMP_PRIV[priv]()
    plaintext = bytes(range(256)) * 3 + b"tail"
    boots, time = 7, 1_234_567
    pysnmp_key = OctetString(key)
    ciphertext, salt = service.encrypt_data(pysnmp_key, (boots, time, None), plaintext)
    salt = bytes(salt)
    assert encrypt_aes(key, boots, time, salt, plaintext) == bytes(ciphertext)
    iv = boots.to_bytes(4, "big") + time.to_bytes(4, "big") + salt
    assert cfb128_from_ecb(key, iv, plaintext) == bytes(ciphertext)
    ours = encrypt_aes(key, boots, time, salt, plaintext)
    decrypted = service.decrypt_data(
        pysnmp_key, (boots, time, OctetString(salt)), OctetString(ours)
    )
    assert bytes(decrypted) == plaintext


@given(
    key=st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
    boots=st.integers(0, 2**32 - 1),
    time=st.integers(0, 2**32 - 1),
    salt=st.binary(min_size=8, max_size=8),
    plaintext=st.binary(max_size=2048),
)
def test_it_round_trips_aes(
    key: bytes, boots: int, time: int, salt: bytes, plaintext: bytes
) -> None:
    ciphertext = encrypt_aes(key, boots, time, salt, plaintext)
    assert len(ciphertext) == len(plaintext)
    assert decrypt_aes(key, boots, time, salt, ciphertext) == plaintext


@given(garbage=st.binary(max_size=600), salt=st.binary(min_size=8, max_size=8))
def test_it_decrypts_garbage_of_any_length(garbage: bytes, salt: bytes) -> None:
    assert len(decrypt_aes(b"\x42" * 16, 1, 2, salt, garbage)) == len(garbage)


@pytest.mark.parametrize(
    ("boots", "time", "salt"),
    [(1, 2, b"short"), (1, 2, bytes(9)), (-1, 2, bytes(8)), (1, 2**32, bytes(8))],
)
def test_it_reports_bad_privacy_parameters_as_auth_errors(
    boots: int, time: int, salt: bytes
) -> None:
    with pytest.raises(SnmpAuthError):
        decrypt_aes(b"k" * 16, boots, time, salt, b"ciphertext")


@pytest.mark.parametrize("length", [0, 15, 20, 64])
def test_it_refuses_bad_aes_key_lengths(length: int) -> None:
    with pytest.raises(ValueError, match="AES keys"):
        encrypt_aes(b"k" * length, 1, 2, bytes(8), b"data")


def test_it_hands_out_incrementing_salts() -> None:
    source = SaltSource(start=0x0102030405060708)
    assert source.next_salt() == bytes.fromhex("0102030405060708")
    assert source.next_salt() == bytes.fromhex("0102030405060709")


def test_it_wraps_salts_after_64_bits() -> None:
    source = SaltSource(start=2**64 - 1)
    assert source.next_salt() == b"\xff" * 8
    assert source.next_salt() == bytes(8)


def test_it_starts_salts_at_random() -> None:
    first = [SaltSource().next_salt() for _ in range(4)]
    assert len(set(first)) == 4
    salts = SaltSource()
    assert len({salts.next_salt() for _ in range(1000)}) == 1000


@pytest.mark.parametrize("start", [-1, 2**64])
def test_it_refuses_salt_starts_outside_64_bits(start: int) -> None:
    with pytest.raises(ValueError, match="64 bits"):
        SaltSource(start=start)
