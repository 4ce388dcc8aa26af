"""Reading snmprec recordings (snmpsim's text format): ``OID|type|value`` per line."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from printscout.domain.errors import RecordingError
from printscout.protocols.snmp import ber
from printscout.protocols.snmp.ber import Oid, Value

_INT_TYPES: Final = {
    "2": int,
    "65": ber.Counter32,
    "66": ber.Gauge32,
    "67": ber.TimeTicks,
    "70": ber.Counter64,
}


@dataclass(frozen=True, slots=True)
class Recording:
    """An agent's objects in OID order, ready for GET and GETNEXT lookups."""

    name: str
    oids: tuple[Oid, ...]
    values: tuple[Value, ...]

    def index(self, oid: Oid) -> int | None:
        """Position of ``oid`` if the recording holds it."""
        i = bisect.bisect_left(self.oids, oid)
        return i if i < len(self.oids) and self.oids[i] == oid else None

    def next_index(self, oid: Oid) -> int:
        """Position of the first object after ``oid`` (``len`` when there is none)."""
        return bisect.bisect_right(self.oids, oid)

    def get(self, oid: Oid) -> Value | None:
        """The recorded value of ``oid``, or None."""
        i = self.index(oid)
        return None if i is None else self.values[i]


def parse_value(kind: str, text: str) -> Value:
    """Turn an snmprec type code and value text into an SNMP value."""
    hexed = kind.endswith("x")
    code = kind[:-1] if hexed else kind
    if code in _INT_TYPES:
        return _INT_TYPES[code](int(text))
    if code in ("4", "64", "68"):
        data = bytes.fromhex(text) if hexed else text.encode("utf-8", "surrogateescape")
        if code == "64":
            return ber.IpAddress(data if hexed else bytes(int(p) for p in text.split(".")))
        return ber.Opaque(data) if code == "68" else data
    if code == "6":
        return ber.oid_from_str(text)
    if code == "5":
        return None
    raise ValueError(f"unsupported snmprec type {kind!r}")


def parse_recording(text: str, name: str = "recording") -> Recording:
    """Parse snmprec text; lines may come in any order and are sorted by OID."""
    rows: dict[Oid, Value] = {}
    for number, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            oid_text, kind, value = line.split("|", 2)
            rows[ber.oid_from_str(oid_text)] = parse_value(kind, value)
        except ValueError as exc:
            raise RecordingError(f"{name}:{number}: {exc}") from exc
    ordered = sorted(rows)
    return Recording(name, tuple(ordered), tuple(rows[o] for o in ordered))


def load_recording(path: Path) -> Recording:
    """Read an snmprec file."""
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc}") from exc
    return parse_recording(text, path.stem)


def builtin_recordings() -> list[Path]:
    """The project's own recordings, one per supported manufacturer."""
    folder = Path(__file__).with_name("recordings")
    return sorted(folder.glob("*.snmprec"))
