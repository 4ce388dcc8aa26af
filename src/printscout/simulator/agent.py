"""The simulator's SNMP agent logic: one request in, one response out (pure, no sockets).

Answers GET, GETNEXT and GETBULK over v1, v2c and v3 (USM, with engine discovery and reports),
and misbehaves on purpose when a printer carries a fault.
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from typing import Final

from printscout.domain.errors import ParseError, SnmpAuthError
from printscout.protocols.snmp import ber, mibs, v3
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp.ber import Oid, Value
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.usm_crypto import SaltSource
from printscout.simulator.device import Fault, SimPrinter

MAX_RESPONSE: Final = 65000
MAX_BULK_VARBINDS: Final = 400
FLOOD_COPIES: Final = 8  # datagrams per answer with DUPLICATE_ANSWERS
# request-id offsets of the answers a STRAY_ANSWERS agent sends before the right one: the
# previous requests, the next ones (another poll's, in a sweep), and far away
STRAY_OFFSETS: Final = (-1, -2, 1, 2, 3, 1000, -(1 << 20), 1 << 24)
SPOOFED: Final = b"spoofed"
TIME_WINDOW: Final = 150
_LOOP_COLUMN: Final = mibs.PRT_SUPPLIES_DESCRIPTION


@dataclass(frozen=True, slots=True)
class Reply:
    """Bytes to send back, after an optional delay: ``before`` first, then ``data`` ``copies``
    times (floods send several datagrams for one request)."""

    data: bytes
    delay: float = 0.0
    before: tuple[bytes, ...] = ()
    copies: int = 1

    def datagrams(self) -> list[bytes]:
        """Every datagram of the reply, in the order they go out."""
        return [*self.before, *[self.data] * self.copies]


class Agent:
    """Answers SNMP requests for the printers of one simulator."""

    def __init__(self, communities: tuple[bytes, ...], users: tuple[v3.UsmUser, ...]) -> None:
        self.communities = frozenset(communities)
        self.users = {u.name.encode(): u for u in users}
        self._salts = SaltSource()

    def handle(self, printer: SimPrinter, data: bytes) -> Reply | None:
        """Answer one datagram; None means stay silent (bad community, garbage, faults)."""
        if Fault.SILENT in printer.faults:
            return None
        printer.begin_request()
        try:
            version = pdus.peek_version(data)
            if version == pdus.V3:
                out = self._handle_v3(printer, data)
            else:
                out = self._handle_community(printer, data)
        except (ParseError, SnmpAuthError):
            return None
        if not out:
            return None
        *before, last = out
        if Fault.MALFORMED in printer.faults:
            last = _mangle(last)
        delay = printer.slow_seconds if Fault.SLOW in printer.faults else 0.0
        copies = FLOOD_COPIES if Fault.DUPLICATE_ANSWERS in printer.faults else 1
        return Reply(last, delay, tuple(before), copies)

    # ------------------------------------------------------------ v1 / v2c

    def _handle_community(self, printer: SimPrinter, data: bytes) -> list[bytes] | None:
        message = pdus.decode_community_message(data)
        if message.community not in self.communities:
            return None
        response = self.respond(printer, message.pdu, message.version)
        if response is None:
            return None
        return [
            pdus.encode_community_message(message.version, message.community, pdu)
            for _, pdu in answers(printer, response)
        ]

    # ------------------------------------------------------------ v3

    def _handle_v3(self, printer: SimPrinter, data: bytes) -> list[bytes] | None:
        engine_id = printer.engine_id
        boots, now = 1, int(printer.elapsed() / max(printer.speed, 1e-9)) + 1

        def lookup(user: bytes, engine: bytes) -> v3.LocalKeys | None:
            found = self.users.get(user)
            return found.localize(engine_id) if found is not None and engine == engine_id else None

        try:
            message = v3.unpack(data, lookup)
        except SnmpAuthError:
            raw_user = v3.peek_security(data)
            if raw_user is not None and raw_user[1] != engine_id:
                return [self._report(printer, data, v3.UNKNOWN_ENGINE_ID, boots, now)]
            reason = (
                v3.UNKNOWN_USER_NAME
                if raw_user and raw_user[0] not in self.users
                else (v3.WRONG_DIGEST)
            )
            return [self._report(printer, data, reason, boots, now)]
        if message.engine_id != engine_id:
            return [self._report(printer, data, v3.UNKNOWN_ENGINE_ID, boots, now)]
        user = self.users.get(message.user)
        keys = user.localize(engine_id) if user is not None else None
        if user is None or (keys is None) != (not message.flags & v3.FLAG_AUTH):
            return [self._report(printer, data, v3.UNSUPPORTED_SEC_LEVEL, boots, now)]
        if keys is not None and (message.boots != boots or abs(message.time - now) > TIME_WINDOW):
            return [self._report(printer, data, v3.NOT_IN_TIME_WINDOW, boots, now, keys)]
        response = self.respond(printer, message.pdu, pdus.V2C)
        if response is None:
            return None
        return [
            v3.pack(
                msg_id=(message.msg_id + offset) & 0x7FFFFFFF,
                flags=message.flags & (v3.FLAG_AUTH | v3.FLAG_PRIV),
                engine_id=engine_id,
                boots=boots,
                time=now,
                user=message.user,
                context_engine_id=engine_id,
                context_name=message.context_name,
                pdu=pdu,
                keys=keys,
                salt=self._salts.next_salt(),
            )
            for offset, pdu in answers(printer, response)
        ]

    def _report(
        self,
        printer: SimPrinter,
        data: bytes,
        counter: Oid,
        boots: int,
        now: int,
        keys: v3.LocalKeys | None = None,
    ) -> bytes:
        msg_id = v3.peek_msg_id(data)
        peeked = v3.peek_security(data)
        user = peeked[0] if peeked and keys is not None else b""
        return v3.pack(
            msg_id=msg_id,
            flags=v3.FLAG_AUTH if keys is not None else 0,
            engine_id=printer.engine_id,
            boots=boots,
            time=now,
            user=user,
            context_engine_id=printer.engine_id,
            context_name=b"",
            pdu=Pdu(pdus.REPORT, msg_id, 0, 0, [(counter, ber.Counter32(1))]),
            keys=keys,
        )

    # ------------------------------------------------------------ PDUs

    def respond(self, printer: SimPrinter, pdu: Pdu, version: int) -> Pdu | None:
        """The response PDU to a request PDU, cut to fit in one datagram."""
        if pdu.tag == pdus.GET:
            return _fit(pdu, self._get(printer, pdu, version))
        if pdu.tag == pdus.GET_NEXT:
            return _fit(pdu, self._get_next(printer, pdu, version))
        if pdu.tag == pdus.GET_BULK and version != pdus.V1:
            if Fault.BROKEN_BULK in printer.faults:
                return None
            return _fit(pdu, self._get_bulk(printer, pdu))
        return Pdu(pdus.RESPONSE, pdu.request_id, pdus.GEN_ERR, 1, pdu.varbinds)

    def _get(self, printer: SimPrinter, pdu: Pdu, version: int) -> Pdu:
        out: VarBinds = []
        for n, (oid, _) in enumerate(pdu.varbinds, 1):
            value = lookup_exact(printer, oid)
            if value is None:
                if version == pdus.V1:
                    return Pdu(pdus.RESPONSE, pdu.request_id, pdus.NO_SUCH_NAME, n, pdu.varbinds)
                value = ber.NO_SUCH_OBJECT
            out.append((oid, value))
        return Pdu(pdus.RESPONSE, pdu.request_id, 0, 0, out)

    def _get_next(self, printer: SimPrinter, pdu: Pdu, version: int) -> Pdu:
        out: VarBinds = []
        for n, (oid, _) in enumerate(pdu.varbinds, 1):
            found = lookup_next(printer, oid)
            if version == pdus.V1:
                while found is not None and isinstance(found[1], ber.Counter64):
                    found = lookup_next(printer, found[0])
            if found is None:
                if version == pdus.V1:
                    return Pdu(pdus.RESPONSE, pdu.request_id, pdus.NO_SUCH_NAME, n, pdu.varbinds)
                found = (oid, ber.END_OF_MIB_VIEW)
            out.append(found)
        return Pdu(pdus.RESPONSE, pdu.request_id, 0, 0, out)

    def _get_bulk(self, printer: SimPrinter, pdu: Pdu) -> Pdu:
        non_rep = max(0, min(pdu.error_status, len(pdu.varbinds)))
        reps = max(0, pdu.error_index)
        out: VarBinds = []
        for oid, _ in pdu.varbinds[:non_rep]:
            out.append(lookup_next(printer, oid) or (oid, ber.END_OF_MIB_VIEW))
        cursors = [oid for oid, _ in pdu.varbinds[non_rep:]]
        size = 0
        for _ in range(reps):
            if not cursors or len(out) + len(cursors) > MAX_BULK_VARBINDS:
                break
            row: VarBinds = []
            for k, oid in enumerate(cursors):
                found = lookup_next(printer, oid) or (oid, ber.END_OF_MIB_VIEW)
                row.append(found)
                cursors[k] = found[0]
                size += len(found[0]) + _size(found[1]) + 4
            if size > MAX_RESPONSE and out:
                break
            out.extend(row)
            if all(v is ber.END_OF_MIB_VIEW for _, v in row):
                break
        return Pdu(pdus.RESPONSE, pdu.request_id, 0, 0, out)


def _fit(request: Pdu, response: Pdu) -> Pdu:
    """Keep a response within one datagram, as RFC 3416 asks of an agent.

    A GETBULK answer loses trailing entries (never the non-repeaters); any other answer that
    does not fit becomes tooBig with no varbinds.
    """
    sizes = [len(ber.encode_oid(o)) + len(ber.encode_value(v)) + 4 for o, v in response.varbinds]
    if sum(sizes) <= MAX_RESPONSE:
        return response
    if request.tag == pdus.GET_BULK:
        keep, total = 0, 0
        for size in sizes:
            if total + size > MAX_RESPONSE:
                break
            keep, total = keep + 1, total + size
        if keep >= max(1, min(request.error_status, len(request.varbinds))):
            return Pdu(pdus.RESPONSE, response.request_id, 0, 0, response.varbinds[:keep])
    return Pdu(pdus.RESPONSE, response.request_id, pdus.TOO_BIG, 0, [])


def answers(printer: SimPrinter, response: Pdu) -> list[tuple[int, Pdu]]:
    """The response PDUs to send, each with its request-id offset (0: the right answer).

    A STRAY_ANSWERS agent sends answers carrying other request-ids and spoofed values first; a
    WRONG_REQUEST_IDS agent answers only with the request-id one past the right one.
    """
    faults = printer.faults
    if Fault.WRONG_REQUEST_IDS in faults:
        return [(1, _shifted(response, 1))]
    if Fault.STRAY_ANSWERS in faults:
        return [*((n, _shifted(response, n)) for n in STRAY_OFFSETS), (0, response)]
    return [(0, response)]


def _shifted(response: Pdu, offset: int) -> Pdu:
    """The response under another request-id, its strings and numbers spoofed."""
    spoofed: VarBinds = [
        (
            oid,
            SPOOFED
            if isinstance(value, bytes)
            else type(value)(7)
            if isinstance(value, int)
            else value,
        )
        for oid, value in response.varbinds
    ]
    request_id = (response.request_id + offset) & 0x7FFFFFFF
    return Pdu(response.tag, request_id, response.error_status, response.error_index, spoofed)


def lookup_exact(printer: SimPrinter, oid: Oid) -> Value:
    """The value of exactly ``oid``, or None when the agent has no such object."""
    extra = printer.extra_rows()
    if oid in extra:
        return extra[oid]
    i = printer.recording.index(oid)
    return None if i is None else printer.value(i)


def lookup_next(printer: SimPrinter, oid: Oid) -> tuple[Oid, Value] | None:
    """The first object after ``oid`` (with fault behaviour), or None at the end of the MIB."""
    faults = printer.faults
    walk_fault = faults and (Fault.LOOPING_WALK in faults or Fault.ENDLESS_WALK in faults)
    if walk_fault and oid[: len(_LOOP_COLUMN)] == _LOOP_COLUMN and len(oid) > len(_LOOP_COLUMN) + 1:
        if Fault.LOOPING_WALK in faults:
            return ((*oid[:-1], 1), b"again")  # goes backwards: a looping agent
        return ((*oid[:-1], oid[-1] + 1), b"more")  # never ends
    rec = printer.recording
    i = rec.next_index(oid)
    candidate = (rec.oids[i], printer.value(i)) if i < len(rec.oids) else None
    extra = printer.extra_rows()
    if extra:
        keys = sorted(extra)
        j = bisect.bisect_right(keys, oid)
        if j < len(keys) and (candidate is None or keys[j] < candidate[0]):
            return (keys[j], extra[keys[j]])
    return candidate


def _size(value: Value) -> int:
    return len(value) if isinstance(value, bytes | tuple) else 6


def _mangle(data: bytes) -> bytes:
    """A malformed reply: the right start, then a lying length and random bytes."""
    return data[:2] + b"\x84\xff\xff\xff\xff" + os.urandom(max(8, len(data) // 4))
