"""One simulated printer: a recording plus its own identity, the passing of time and faults.

Pages accumulate at ``pages_per_hour`` (time compressed by ``speed``); marking supplies
measured in levels fall with the pages printed; faults change status objects the way a real
printer reports them.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from printscout.protocols.snmp import ber, mibs
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.vendors import profile_for_object_id
from printscout.simulator.snmprec import Recording

_TONER_TYPES: Final = frozenset({3, 5, 6, 21})
_PAGES_PER_PERCENT: Final = 150.0


class Fault(StrEnum):
    """Faults that can be injected per printer."""

    PAPER_JAM = "paper_jam"
    TONER_EMPTY = "toner_empty"
    DOOR_OPEN = "door_open"
    SILENT = "silent"
    SLOW = "slow"
    BROKEN_BULK = "broken_bulk"
    MALFORMED = "malformed"
    HUGE_STRINGS = "huge_strings"
    WRONG_TYPES = "wrong_types"
    LOOPING_WALK = "looping_walk"
    ENDLESS_WALK = "endless_walk"
    # floods: every answer sent many times; answers for request-ids the manager is not waiting
    # for (other requests, stale ones) before the right one; or only answers with a wrong id
    DUPLICATE_ANSWERS = "duplicate_answers"
    STRAY_ANSWERS = "stray_answers"
    WRONG_REQUEST_IDS = "wrong_request_ids"


_FAULT_BITS: Final = {Fault.PAPER_JAM: 5, Fault.TONER_EMPTY: 3, Fault.DOOR_OPEN: 4}
_FAULT_ALERTS: Final = {
    Fault.PAPER_JAM: (3, 13, 8, b"Paper jam in tray 2"),
    Fault.TONER_EMPTY: (3, 11, 1101, b"Replace black toner"),
    Fault.DOOR_OPEN: (3, 6, 501, b"Front door open"),
}
_FAULT_DISPLAY: Final = {
    Fault.PAPER_JAM: b"Paper jam",
    Fault.TONER_EMPTY: b"Toner empty",
    Fault.DOOR_OPEN: b"Close front door",
}
HUGE_STRING: Final = 20_000
CLOCK_HOLD: Final = 0.5  # seconds of real time a poll's requests see the same instant
_SERIAL_IN_TEXT: Final = re.compile(rb"(?<=SN:)[A-Za-z0-9]{4,}|(?<=S/N )[A-Za-z0-9]{4,}")


@dataclass(slots=True)
class SimPrinter:
    """A printer served by the simulator."""

    address: str
    recording: Recording
    pages_per_hour: float = 120.0
    speed: float = 1.0
    faults: set[Fault] = field(default_factory=set)
    slow_seconds: float = 2.0
    started: float = field(default_factory=time.monotonic)
    overrides: dict[Oid, Value] = field(default_factory=dict)
    meters: dict[Oid, float] = field(default_factory=dict)
    held_at: float | None = None
    engine_id: bytes = b""
    personalize: bool = True

    def __post_init__(self) -> None:
        digest = hashlib.sha256(f"{self.recording.name}|{self.address}".encode()).digest()
        if not self.engine_id:
            self.engine_id = b"\x80\x00\x1f\x88\x04" + f"ps-{self.address}".encode()
        if self.personalize:
            self._personalize(digest)
        self.meters = vendor_meters(self.recording)

    def _personalize(self, digest: bytes) -> None:
        """Give this copy of the recording its own serial, MAC and name."""
        rec = self.recording
        tag = digest[:3].hex().upper()
        for oid, value in zip(rec.oids, rec.values, strict=True):
            if oid[: len(mibs.PRT_GENERAL_SERIAL_NUMBER)] == mibs.PRT_GENERAL_SERIAL_NUMBER:
                if isinstance(value, bytes) and value.strip(b"\x00 "):
                    self.overrides[oid] = value.rstrip(b"\x00 ")[:12] + tag.encode()
            elif oid[: len(mibs.IF_PHYS_ADDRESS)] == mibs.IF_PHYS_ADDRESS:
                if isinstance(value, bytes) and len(value) == 6 and any(value):
                    self.overrides[oid] = b"\x02" + digest[3:5] + _octets(self.address)[1:]
            elif oid == mibs.SYS_NAME and isinstance(value, bytes):
                self.overrides[oid] = value[:20] + b"-" + tag.encode()
            elif oid == mibs.SYS_DESCR and isinstance(value, bytes):
                # serials some vendors put in sysDescr (HP "SN:", Samsung "S/N") too
                self.overrides[oid] = _SERIAL_IN_TEXT.sub(rb"\g<0>" + tag.encode(), value)

    # ------------------------------------------------------------ time

    def begin_request(self) -> None:
        """Hold the simulated clock still for the requests of one poll.

        A real printer's counters agree with each other at any instant; reading them across
        the few requests of one poll must not see pages added in between (mono above total).
        The clock moves on when a request comes more than a hold period after the last move.
        """
        now = time.monotonic()
        if self.held_at is None or now - self.held_at > CLOCK_HOLD:
            self.held_at = now

    def elapsed(self) -> float:
        """Simulated seconds since the printer started."""
        now = self.held_at if self.held_at is not None else time.monotonic()
        return (now - self.started) * self.speed

    def pages(self) -> int:
        """Pages printed since the simulation started."""
        return int(self.elapsed() * self.pages_per_hour / 3600)

    # ------------------------------------------------------------ values

    def value(self, i: int) -> Value:
        """The current value of the recording's i-th object."""
        rec = self.recording
        oid = rec.oids[i]
        value = self.overrides.get(oid, rec.values[i])
        dynamic = self._dynamic(oid, value, i)
        if dynamic is not None:
            value = dynamic
        if Fault.HUGE_STRINGS in self.faults and isinstance(value, bytes):
            return value + b"X" * HUGE_STRING
        if Fault.WRONG_TYPES in self.faults:
            return _wrong_type(value)
        return value

    def _dynamic(self, oid: Oid, value: Value, i: int) -> Value | None:
        if oid == mibs.SYS_UPTIME and isinstance(value, int):
            return ber.TimeTicks((value + int(self.elapsed() * 100)) % (1 << 32))
        column = oid[:-2]
        if column == mibs.PRT_MARKER_LIFE_COUNT and isinstance(value, int):
            return type(value)((value + self.pages()) % (1 << 32))
        if column == mibs.PRT_SUPPLIES_LEVEL and isinstance(value, int):
            return self._level(oid, value)
        share = self.meters.get(oid)
        if share is not None and isinstance(value, int):
            return type(value)((value + int(self.pages() * share)) % (1 << 32))
        faulted = [f for f in _FAULT_BITS if f in self.faults]
        if not faulted:
            return None
        if oid[:-1] == mibs.HR_PRINTER_ERROR_STATE and isinstance(value, bytes):
            bits = bytearray(value.ljust(2, b"\x00"))
            for fault in faulted:
                octet, shift = divmod(_FAULT_BITS[fault], 8)
                bits[octet] |= 0x80 >> shift
            return bytes(bits)
        if oid[:-1] == mibs.HR_DEVICE_STATUS:
            return 5 if Fault.PAPER_JAM in self.faults or Fault.DOOR_OPEN in self.faults else 3
        if oid[:-1] == mibs.HR_PRINTER_STATUS:
            return 1
        if column == mibs.PRT_CONSOLE_DISPLAY_TEXT and oid[-1] == 1:
            return _FAULT_DISPLAY[faulted[0]]
        return None

    def _level(self, oid: Oid, level: int) -> int:
        rec = self.recording
        kind = rec.get((*mibs.PRT_SUPPLIES_TYPE, *oid[-2:]))
        if kind not in _TONER_TYPES or level < 0:
            return level
        if Fault.TONER_EMPTY in self.faults:
            return 0
        max_capacity = rec.get((*mibs.PRT_SUPPLIES_MAX_CAPACITY, *oid[-2:]))
        scale = max_capacity / 100 if isinstance(max_capacity, int) and max_capacity > 0 else 1
        return max(0, level - int(self.pages() / _PAGES_PER_PERCENT * scale))

    def extra_rows(self) -> dict[Oid, Value]:
        """Objects the faults add (alert rows), merged into walks and GETs."""
        rows: dict[Oid, Value] = {}
        for n, fault in enumerate(f for f in _FAULT_ALERTS if f in self.faults):
            severity, group, code, text = _FAULT_ALERTS[fault]
            index = 900 + n
            rows[(*mibs.PRT_ALERT_SEVERITY, 1, index)] = severity
            rows[(*mibs.PRT_ALERT_GROUP, 1, index)] = group
            rows[(*mibs.PRT_ALERT_CODE, 1, index)] = code
            rows[(*mibs.PRT_ALERT_DESCRIPTION, 1, index)] = text
        return rows


def vendor_meters(recording: Recording) -> dict[Oid, float]:
    """The vendor's private page counters in a recording, each with its share of new pages.

    A counter's share is its recorded value over the recorded total, so that mono + colour
    (and print + copy + fax) keep adding up to the total as pages accumulate. Of a counter
    that is a sum (simplex + duplex), only the first part moves.
    """
    sys_object_id = recording.get(mibs.SYS_OBJECT_ID)
    profile = profile_for_object_id(sys_object_id)
    if profile is None:
        return {}
    first_parts = [(c.kind, c.parts[0]) for c in profile.counters if c.parts]
    recorded = {o: v for _, o in first_parts if isinstance(v := recording.get(o), int)}
    totals = [recorded[o] for kind, o in first_parts if kind == "total" and o in recorded]
    life = [v for o, v in zip(recording.oids, recording.values, strict=True)
            if o[:-2] == mibs.PRT_MARKER_LIFE_COUNT and isinstance(v, int)]  # fmt: skip
    total = (totals or life or [0])[0]
    meters: dict[Oid, float] = {}
    for kind, counter in first_parts:
        value = recorded.get(counter)
        if value is None:
            continue
        meters[counter] = 1.0 if kind == "total" or total <= 0 else min(1.0, value / total)
    # counter tables (Sharp labels, Samsung job x colour, Canon codes): every value row moves
    # by its own share, whatever it counts
    for table in profile.counter_tables:
        n = len(table.values)
        for o, v in zip(recording.oids, recording.values, strict=True):
            if o[:n] == table.values and isinstance(v, int) and not isinstance(v, bool):
                meters[o] = 1.0 if total <= 0 else min(1.0, v / total)
    return meters


def _octets(address: str) -> bytes:
    return bytes(int(p) for p in address.split("."))


def _wrong_type(value: Value) -> Value:
    """What a confused agent sends: numbers as text, text as OIDs."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(int(value)).encode()
    if isinstance(value, bytes):
        return (1, 3, 6, 1, 4, 1, 99999, len(value))
    return value
