"""Decoding vendor values that are not plain numbers or text: pure functions, no I/O.

Xerox embeds a cartridge's part and serial number in its Printer-MIB description.

Brother packs counters and remaining-life figures into OCTET STRING blobs (brInfoCounter,
brInfoMaintenance, brInfoNextCare; BROTHER-MIB, format as used by bieniu/brother): 7-byte
records ``code, 0x01, 0x04, value (4 bytes, big-endian)``, then one ``0xFF``. bieniu/brother
strips that last byte as the blob's "checksum"; no arithmetic checksum is documented, so the
check here is the one the format allows: the closing ``0xFF`` is present and last, and every
record before it has the ``0x01 0x04`` framing. A blob failing either is rejected whole (a
misaligned record would turn into wrong numbers), never half-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from printscout.protocols.snmp.ber import Value

RECORD_SIZE: Final = 7
TRAILER: Final = 0xFF
_FLAG: Final = 0x01
_LENGTH: Final = 0x04
_NO_SERIAL: Final = frozenset({"unknown", "none", "n/a", "null"})
_XEROX_SUPPLY: Final = re.compile(r"^(?P<description>.+?), PN [^;]*;SN(?P<serial>\S*)$")


@dataclass(frozen=True, slots=True)
class Records:
    """The decoded records of one blob, or why the blob was rejected."""

    values: dict[int, int] = field(default_factory=dict)
    problem: str | None = None  # "missing", "trailer" (the 0xFF check) or "framing"


def parse_records(value: Value) -> Records:
    """Decode a Brother record blob, verifying its trailer and the framing of every record."""
    if not isinstance(value, bytes) or not value:
        return Records(problem="missing")
    if value[-1] != TRAILER or (len(value) - 1) % RECORD_SIZE:
        return Records(problem="trailer")
    out: dict[int, int] = {}
    for start in range(0, len(value) - 1, RECORD_SIZE):
        code, flag, length = value[start], value[start + 1], value[start + 2]
        if flag != _FLAG or length != _LENGTH:
            return Records(problem="framing")
        out.setdefault(code, int.from_bytes(value[start + 3 : start + RECORD_SIZE], "big"))
    return Records(out)


def encode_records(values: dict[int, int]) -> bytes:
    """Pack records the way Brother does (used by tests and recordings)."""
    body = b"".join(
        bytes((code, _FLAG, _LENGTH)) + number.to_bytes(4, "big") for code, number in values.items()
    )
    return body + bytes((TRAILER,))


def number(value: Value) -> int | None:
    """A non-negative count from an integer or from digits in a string (OKI), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value) if value >= 0 else None
    if isinstance(value, bytes):
        text = value.strip(b"\x00 \t\r\n")
        if text.isdigit() and len(text) < 20:
            return int(text)
    return None


def label(value: Value) -> int | str | None:
    """A table key: an integer as is, text case-folded (labels are compared that way)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00 \t\r\n").casefold()
    return None


def usable_serial(serial: str | None) -> str | None:
    """A serial number, or None for placeholders: empty, all zeros, "unknown", X-filled."""
    if serial is None:
        return None
    text = serial.strip()
    if not text.strip("0") or not text.upper().strip("X") or text.casefold() in _NO_SERIAL:
        return None
    return text


def split_supply_serial(description: str | None) -> tuple[str | None, str | None]:
    """Split a cartridge serial that a vendor embeds in the supply description.

    Xerox writes ``Black Toner, PN 006R01509;SN48178080E0000481`` (``SNunknown`` for
    cartridges without a chip).
    """
    if description is None or ", PN " not in description:
        return description, None
    match = _XEROX_SUPPLY.match(description)
    if match is None:
        return description, None
    serial = match["serial"]
    return match["description"], None if serial.casefold() in ("", "unknown") else serial
