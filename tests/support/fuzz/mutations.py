"""Structure-aware byte mutations: flips, cuts, splices and lies in BER and IPP length fields.

Every mutation draws from one ``random.Random``, so a run is reproduced by its seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

# octets that matter to the parsers: zero, tags, the short/long length boundary, long-form
# length prefixes and all-ones
INTERESTING: Final = (0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x30, 0x7F, 0x80, 0x81, 0x82, 0x84,
                      0xA2, 0xFF)  # fmt: skip
_CONSTRUCTED: Final = frozenset({0x30, *range(0xA0, 0xA9)})
_MAX_INPUT: Final = 70_000  # a UDP datagram and then some


@dataclass(frozen=True, slots=True)
class Seed:
    """A valid input and where its length fields sit (offset, width in octets)."""

    data: bytes
    lengths: tuple[tuple[int, int], ...]


def ber_lengths(data: bytes) -> tuple[tuple[int, int], ...]:
    """Offsets and widths of every BER length field, descending into constructed values and
    into OCTET STRINGs that hold BER themselves (SNMPv3 security parameters)."""
    found: list[tuple[int, int]] = []

    def walk(pos: int, end: int, depth: int) -> None:
        while pos + 2 <= end and depth < 32:
            tag, first = data[pos], data[pos + 1]
            width = 1 + (first & 0x7F if first & 0x80 else 0)
            if width > 5 or pos + 1 + width > end:
                return
            length = int.from_bytes(data[pos + 2 : pos + 1 + width], "big") if width > 1 else first
            start = pos + 1 + width
            stop = start + length
            if stop > end:
                return
            found.append((pos + 1, width))
            if tag in _CONSTRUCTED or (tag == 0x04 and length > 2 and data[start] == 0x30):
                walk(start, stop, depth + 1)
            pos = stop

    walk(0, len(data), 0)
    return tuple(found)


def ipp_lengths(data: bytes) -> tuple[tuple[int, int], ...]:
    """Offsets of the two-octet name-length and value-length fields of an IPP message."""
    found: list[tuple[int, int]] = []
    pos = 8
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag <= 0x0F:
            if tag == 0x03:
                break
            continue
        for _ in range(2):
            if pos + 2 > len(data):
                return tuple(found)
            found.append((pos, 2))
            pos += 2 + int.from_bytes(data[pos : pos + 2], "big")
    return tuple(found)


Mutation = Callable[[random.Random, bytearray, Seed, Sequence[Seed]], None]


def _flip(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    if data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)


def _set(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    if data:
        data[rng.randrange(len(data))] = rng.choice(INTERESTING)


def _truncate(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    del data[rng.randrange(len(data) + 1) :]


def _insert(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    at = rng.randrange(len(data) + 1)
    data[at:at] = rng.randbytes(rng.randrange(1, 9))


def _delete(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    if data:
        at = rng.randrange(len(data))
        del data[at : at + rng.randrange(1, 9)]


def _splice(rng: random.Random, data: bytearray, _s: Seed, seeds: Sequence[Seed]) -> None:
    other = rng.choice(seeds).data
    a, b = sorted(rng.randrange(len(other) + 1) for _ in range(2))
    at = rng.randrange(len(data) + 1)
    data[at : at + rng.randrange(0, 16)] = other[a:b]


def _duplicate(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    if data:
        a = rng.randrange(len(data))
        chunk = data[a : a + rng.randrange(1, 64)]
        data[a:a] = chunk * rng.randrange(1, 40)


def _length(rng: random.Random, data: bytearray, seed: Seed, _all: Sequence[Seed]) -> None:
    """Make one length field lie: off by one, zero, the maximum, or a huge long form."""
    if not seed.lengths:
        return _set(rng, data, seed, _all)
    at, width = rng.choice(seed.lengths)
    if at + width > len(data):
        return None
    old = int.from_bytes(data[at : at + width], "big")
    if width == 2:  # IPP: a plain 16-bit length
        new = rng.choice((0, 1, old - 1, old + 1, 0x7FFF, 0xFFFF, rng.randrange(0x10000)))
        data[at : at + 2] = (new & 0xFFFF).to_bytes(2, "big")
        return None
    choice = rng.randrange(6)
    if choice == 0:
        data[at] = (data[at] + rng.choice((-1, 1))) & 0xFF
    elif choice == 1:
        data[at] = 0
    elif choice == 2:
        data[at] = 0x80  # indefinite
    elif choice == 3:
        data[at : at + width] = b"\x84\xff\xff\xff\xff"
    elif choice == 4:
        data[at : at + width] = bytes((0x80 | 5,)) + rng.randbytes(5)
    else:
        data[at : at + width] = b"\x82" + rng.randrange(0x10000).to_bytes(2, "big")
    return None


def _nest(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    """A nesting bomb: many constructed (BER) or begCollection (IPP) headers in a row."""
    at = rng.randrange(len(data) + 1)
    depth = rng.choice((8, 64, 500, 5000))
    if rng.random() < 0.5:
        unit = bytes((rng.choice((0x30, 0xA2, 0x04)),)) + rng.choice(
            (b"\x84\x00\xff\xff\xff", b"\x7f", b"\x81\xf0")
        )
    else:
        unit = b"\x34\x00\x00\x00\x00"  # IPP begCollection with no name and no value
    data[at:at] = unit * depth


def _grow(rng: random.Random, data: bytearray, _s: Seed, _all: Sequence[Seed]) -> None:
    """A long run of one octet: huge strings, long OIDs, endless varbind lists."""
    at = rng.randrange(len(data) + 1)
    data[at:at] = bytes((rng.choice(INTERESTING),)) * rng.choice((128, 1000, 20_000))


MUTATIONS: Final[tuple[Mutation, ...]] = (
    _flip, _set, _truncate, _insert, _delete, _splice, _duplicate,
    _length, _length, _length, _nest, _grow,
)  # fmt: skip


def mutate(rng: random.Random, seeds: Sequence[Seed]) -> bytes:
    """A seed damaged by one to four mutations (sometimes none: the seed itself)."""
    seed = rng.choice(seeds)
    data = bytearray(seed.data)
    for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3, 4))):
        rng.choice(MUTATIONS)(rng, data, seed, seeds)
    return bytes(data[:_MAX_INPUT])
