"""Asynchronous SNMP engine: one UDP socket multiplexing every request by request-id.

The engine owns retries, timeouts, a packets-per-second limit and a cap on requests in flight.
It speaks v1, v2c and v3 (USM); table walks live in :mod:`walk`.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from printscout.domain.errors import ParseError, SnmpAuthError, SnmpErrorStatus, SnmpTimeout
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3
from printscout.protocols.snmp.ber import Oid
from printscout.protocols.snmp.pdu import Pdu, VarBinds
from printscout.protocols.snmp.usm_crypto import SaltSource

_ID_LIMIT: Final = 0x7FFFFFFF
_RCVBUF: Final = 4 * 1024 * 1024
_DATAGRAM_MAX: Final = 65535  # the largest UDP payload, read into a buffer of that size
_READ_BATCH: Final = 256  # datagrams taken per wake-up of the socket


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how to ask: address, port, version and credentials."""

    host: str
    port: int = 161
    version: int = pdus.V2C
    community: bytes = b"public"
    user: v3.UsmUser | None = None
    timeout: float = 1.0
    retries: int = 1

    @property
    def address(self) -> tuple[str, int]:
        """The UDP address of the agent."""
        return (self.host, self.port)


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """Engine-wide limits: packets per second (0 = unlimited) and requests in flight."""

    packets_per_second: float = 0.0
    max_in_flight: int = 8192


@dataclass(slots=True)
class Traffic:
    """UDP payload bytes and packets that crossed the socket, both ways."""

    sent_bytes: int = 0
    sent_packets: int = 0
    received_bytes: int = 0
    received_packets: int = 0
    malformed: int = 0


@dataclass(slots=True)
class _Engine:
    """What we know of an SNMPv3 authoritative engine."""

    engine_id: bytes
    boots: int
    time: int
    learned_at: float

    def now(self) -> int:
        return self.time + int(time.monotonic() - self.learned_at)


@dataclass(slots=True)
class _Pending:
    target: Target
    packet: bytes
    future: asyncio.Future[Pdu]
    tries_left: int
    keys: v3.LocalKeys | None = None
    deadline: float = 0.0
    last_error: str = field(default="")


class SnmpEngine:
    """One UDP socket, many concurrent requests."""

    def __init__(
        self,
        limits: EngineLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or EngineLimits()
        self._clock = clock  # the pacing clock; tests pass a virtual one
        self._sleep = sleep
        self.traffic = Traffic()
        self._pending: dict[int, _Pending] = {}
        self._next_id = secrets.randbelow(_ID_LIMIT // 2) + 1
        # requests in flight, and callers waiting for one to finish (a semaphore without the
        # cost of one on the fast path)
        self._in_flight = 0
        self._slot_waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._engines: dict[tuple[str, int], _Engine] = {}
        self._salts = SaltSource()
        self._bucket_time = 0.0
        self._bucket = 0.0
        # One timer for the whole engine: a heap of (deadline, request id), lazily pruned.
        self._deadlines: list[tuple[float, int]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # datagrams the kernel could not take yet (send buffer full), sent when it can
        self._backlog: collections.deque[tuple[bytes, tuple[str, int]]] = collections.deque()

    async def __aenter__(self) -> SnmpEngine:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def open(self, local: tuple[str, int] = ("0.0.0.0", 0)) -> None:
        """Open the engine's UDP socket.

        The engine reads the socket itself rather than through an asyncio transport: one
        wake-up drains every datagram waiting (a transport reads one per loop iteration, into
        a fresh 256 KiB buffer each time).
        """
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RCVBUF)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _RCVBUF)
            sock.bind(local)
            sock.setblocking(False)
            loop.add_reader(sock.fileno(), self._on_readable)
        except BaseException:
            sock.close()
            raise
        self._loop = loop
        self._sock = sock

    def close(self) -> None:
        """Close the socket; requests still pending fail with a timeout."""
        sock, loop = self._sock, self._loop
        if sock is not None and loop is not None:
            if not loop.is_closed():
                loop.remove_reader(sock.fileno())
                loop.remove_writer(sock.fileno())
            sock.close()
        self._sock = None
        self._backlog.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._deadlines.clear()
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(SnmpTimeout("engine closed"))
        self._pending.clear()

    # ------------------------------------------------------------ public requests

    async def get(self, target: Target, oids: Sequence[Oid]) -> VarBinds:
        """GET the given OIDs; returns the varbinds in request order."""
        return (await self.request(target, pdus.GET, tuple(oids))).varbinds

    async def get_next(self, target: Target, oids: Sequence[Oid]) -> VarBinds:
        """GETNEXT from the given OIDs."""
        return (await self.request(target, pdus.GET_NEXT, tuple(oids))).varbinds

    async def get_bulk(
        self, target: Target, oids: Sequence[Oid], max_repetitions: int, non_repeaters: int = 0
    ) -> VarBinds:
        """GETBULK (v2c/v3 only)."""
        pdu = await self.request(target, pdus.GET_BULK, tuple(oids), non_repeaters, max_repetitions)
        return pdu.varbinds

    def submit(
        self, target: Target, tag: int, oids: tuple[Oid, ...], field1: int = 0, field2: int = 0
    ) -> asyncio.Future[Pdu]:
        """Send one request now and return the future of its response, without a coroutine.

        For sweeps of thousands of addresses and the walks of a poll, where a task per request
        would cost more than the request. The response is returned whatever its error-status
        (:func:`raise_for_status` checks it). SNMPv3, paced engines and an engine at
        ``max_in_flight`` go through :meth:`request` in a task.
        """
        if (
            target.version == pdus.V3
            or self.limits.packets_per_second > 0
            or self._in_flight >= self.limits.max_in_flight
        ):
            return asyncio.ensure_future(self.request(target, tag, oids, field1, field2))
        request_id = self._new_id()
        packet = pdus.encode_community_message(
            target.version, target.community, Pdu(tag, request_id, field1, field2),
            pdus.encode_request_varbinds(oids),
        )  # fmt: skip
        future: asyncio.Future[Pdu] = (self._loop or asyncio.get_running_loop()).create_future()
        pending = _Pending(target, packet, future, target.retries, None)
        self._pending[request_id] = pending
        self._in_flight += 1
        future.add_done_callback(lambda _: self._finish(request_id))
        self._transmit(request_id, pending)
        return future

    def _finish(self, request_id: int) -> None:
        self._pending.pop(request_id, None)
        self._in_flight -= 1
        if self._slot_waiters:
            self._release_slot()

    async def request(
        self, target: Target, tag: int, oids: tuple[Oid, ...], field1: int = 0, field2: int = 0
    ) -> Pdu:
        """Send one request (with retries) and return the response PDU.

        Raises SnmpTimeout, SnmpErrorStatus (non-zero error-status, except for v1 GETNEXT's
        noSuchName which callers handle) or SnmpAuthError.
        """
        if self._in_flight >= self.limits.max_in_flight:
            await self._wait_for_slot()
        self._in_flight += 1
        try:
            if target.version == pdus.V3:
                response = await self._request_v3(target, tag, oids, field1, field2)
            else:
                request_id = self._new_id()
                packet = pdus.encode_community_message(
                    target.version,
                    target.community,
                    Pdu(tag, request_id, field1, field2),
                    pdus.encode_request_varbinds(oids),
                )
                response = await self._exchange(target, request_id, packet, None)
        finally:
            self._in_flight -= 1
            if self._slot_waiters:
                self._release_slot()
        return raise_for_status(response, tag)

    async def _wait_for_slot(self) -> None:
        while self._in_flight >= self.limits.max_in_flight:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._slot_waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._release_slot()  # pass the wake-up on to the next caller
                raise

    def _release_slot(self) -> None:
        while self._slot_waiters:
            waiter = self._slot_waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    # ------------------------------------------------------------ SNMPv3

    async def _request_v3(
        self, target: Target, tag: int, oids: tuple[Oid, ...], field1: int, field2: int
    ) -> Pdu:
        user = target.user
        if user is None:
            raise SnmpAuthError("SNMPv3 target without a user")
        for _ in range(3):
            engine = self._engines.get(target.address) or await self._discover(target)
            keys = user.localize(engine.engine_id)
            flags = v3.FLAG_REPORTABLE
            if keys is not None:
                flags |= v3.FLAG_AUTH | (v3.FLAG_PRIV if keys.priv_key is not None else 0)
            msg_id = self._new_id()
            packet = v3.pack(
                msg_id=msg_id,
                flags=flags,
                engine_id=engine.engine_id,
                boots=engine.boots,
                time=engine.now(),
                user=user.name.encode(),
                context_engine_id=engine.engine_id,
                context_name=user.context.encode(),
                pdu=Pdu(tag, msg_id, field1, field2),
                keys=keys,
                salt=self._salts.next_salt(),
                varbinds_encoded=pdus.encode_request_varbinds(oids),
            )
            response = await self._exchange(target, msg_id, packet, keys)
            if response.tag != pdus.REPORT:
                return response
            reported = response.varbinds[0][0] if response.varbinds else ()
            if reported in (v3.NOT_IN_TIME_WINDOW, v3.UNKNOWN_ENGINE_ID):
                self._engines.pop(target.address, None)
                continue
            raise SnmpAuthError(f"agent reported {'.'.join(map(str, reported))}")
        raise SnmpAuthError("agent keeps reporting an unsynchronised engine")

    async def _discover(self, target: Target) -> _Engine:
        """Learn the agent's engine id, boots and time (RFC 3414 section 4)."""
        msg_id = self._new_id()
        packet = v3.pack(
            msg_id=msg_id,
            flags=v3.FLAG_REPORTABLE,
            engine_id=b"",
            boots=0,
            time=0,
            user=b"",
            context_engine_id=b"",
            context_name=b"",
            pdu=Pdu(pdus.GET, msg_id),
            keys=None,
        )
        await self._exchange(target, msg_id, packet, None)
        engine = self._engines.get(target.address)
        if engine is None:
            raise SnmpAuthError("agent gave no engine id")
        return engine

    # ------------------------------------------------------------ the wire

    def _new_id(self) -> int:
        self._next_id = self._next_id + 1 if self._next_id < _ID_LIMIT else 1
        return self._next_id

    async def _exchange(
        self, target: Target, request_id: int, packet: bytes, keys: v3.LocalKeys | None
    ) -> Pdu:
        loop = self._loop or asyncio.get_running_loop()
        pending = _Pending(target, packet, loop.create_future(), target.retries, keys)
        self._pending[request_id] = pending
        try:
            if self.limits.packets_per_second > 0:
                await self._pace()
            self._transmit(request_id, pending)
            return await pending.future
        finally:
            self._pending.pop(request_id, None)

    async def _send(self, request_id: int, pending: _Pending) -> None:
        if self.limits.packets_per_second > 0:
            await self._pace()
        self._transmit(request_id, pending)

    def _transmit(self, request_id: int, pending: _Pending) -> None:
        sock, loop = self._sock, self._loop
        if sock is None or loop is None:
            if not pending.future.done():
                pending.future.set_exception(SnmpTimeout("engine is closed"))
            return
        address = pending.target.address
        if self._backlog:  # the socket is full: queue behind what waits already
            self._backlog.append((pending.packet, address))
        else:
            try:
                sock.sendto(pending.packet, address)
            except (BlockingIOError, InterruptedError):
                self._backlog.append((pending.packet, address))
                loop.add_writer(sock.fileno(), self._on_writable)
            except OSError as exc:
                pending.last_error = str(exc)  # e.g. no route: the request times out as on a LAN
        self.traffic.sent_bytes += len(pending.packet)
        self.traffic.sent_packets += 1
        pending.deadline = deadline = loop.time() + pending.target.timeout
        heapq.heappush(self._deadlines, (deadline, request_id))
        self._arm(deadline)

    def _on_writable(self) -> None:
        """Send what waited for room in the socket's buffer."""
        sock, loop, backlog = self._sock, self._loop, self._backlog
        if sock is None or loop is None:
            return
        while backlog:
            packet, address = backlog[0]
            try:
                sock.sendto(packet, address)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                pass  # that request times out
            backlog.popleft()
        loop.remove_writer(sock.fileno())

    def _on_readable(self) -> None:
        """Take every datagram waiting on the socket (at most a bounded batch per wake-up,
        so that a flood cannot hold the loop)."""
        sock = self._sock
        for _ in range(_READ_BATCH):
            if sock is None:
                return
            try:
                data, addr = sock.recvfrom(_DATAGRAM_MAX)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # ICMP errors (port unreachable) arrive without saying which request they
                # hit; the request simply times out, as it would on a real network.
                continue
            self._received(data, addr)
            sock = self._sock

    def _on_timer(self) -> None:
        """Expire every request whose deadline has passed, then re-arm for the next one."""
        self._timer = None
        loop = self._loop or asyncio.get_running_loop()
        now = loop.time()
        heap = self._deadlines
        while heap and heap[0][0] <= now:
            deadline, request_id = heapq.heappop(heap)
            pending = self._pending.get(request_id)
            if pending is not None and pending.deadline == deadline:
                self._expire(request_id)
        while heap and ((p := self._pending.get(heap[0][1])) is None or p.deadline != heap[0][0]):
            heapq.heappop(heap)  # answered or re-sent: forget
        if heap:
            self._arm(heap[0][0])  # re-sends may have armed it for later than what is due

    def _arm(self, deadline: float) -> None:
        """Make the engine's one timer fire no later than ``deadline``."""
        timer = self._timer
        if timer is not None and timer.when() <= deadline:
            return
        if timer is not None:
            timer.cancel()
        loop = self._loop or asyncio.get_running_loop()
        self._timer = loop.call_at(deadline, self._on_timer)

    async def _pace(self) -> None:
        """Token bucket: at most ``packets_per_second``, bursts up to one tenth of a second."""
        rate = self.limits.packets_per_second
        burst = max(1.0, rate / 10)
        while True:
            now = self._clock()
            self._bucket = min(burst, self._bucket + (now - self._bucket_time) * rate)
            self._bucket_time = now
            if self._bucket >= 1:
                self._bucket -= 1
                return
            await self._sleep((1 - self._bucket) / rate)

    def _expire(self, request_id: int) -> None:
        pending = self._pending.get(request_id)
        if pending is None or pending.future.done():
            return
        if pending.tries_left > 0:
            pending.tries_left -= 1
            if self.limits.packets_per_second > 0:
                task = asyncio.ensure_future(self._send(request_id, pending))
                task.add_done_callback(_swallow)
            else:
                self._transmit(request_id, pending)
            return
        detail = f" ({pending.last_error})" if pending.last_error else ""
        pending.future.set_exception(
            SnmpTimeout(f"no answer from {pending.target.host}:{pending.target.port}{detail}")
        )

    def _received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.traffic.received_bytes += len(data)
        self.traffic.received_packets += 1
        try:
            message = pdus.decode_community_message(data)
        except pdus.NotCommunityMessage:
            self._received_v3(data, addr)
            return
        except ParseError:
            self.traffic.malformed += 1
            return
        pending = self._pending.get(message.pdu.request_id)
        if pending is None or pending.future.done() or pending.target.address != addr[:2]:
            return
        if pending.target.version != message.version:
            pending.last_error = f"answer in SNMP version {message.version}"
            return
        if message.community != pending.target.community or message.pdu.tag != pdus.RESPONSE:
            pending.last_error = "answer with the wrong community or PDU type"
            return
        pending.future.set_result(message.pdu)

    def _received_v3(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        try:
            msg_id = v3.peek_msg_id(data)
        except ParseError:
            self.traffic.malformed += 1
            return
        pending = self._pending.get(msg_id)
        if pending is None or pending.future.done() or pending.target.address != addr[:2]:
            return
        keys = pending.keys
        try:
            message = v3.unpack(data, lambda _user, _engine: keys)
        except SnmpAuthError as exc:
            pending.last_error = str(exc)
            return
        except ParseError as exc:
            self.traffic.malformed += 1
            pending.last_error = f"malformed answer: {exc}"
            return
        if pending.target.version != pdus.V3:
            pending.last_error = "SNMPv3 answer to a community request"
            return
        is_report = message.pdu.tag == pdus.REPORT
        wanted = v3.FLAG_AUTH if keys is not None else 0
        if keys is not None and keys.priv_key is not None:
            wanted |= v3.FLAG_PRIV
        if not is_report and (message.flags & wanted) != wanted:
            # an answer below the security level we asked for is not an answer
            pending.last_error = "unauthenticated answer to an authenticated request"
            return
        if message.engine_id and (is_report or keys is None):
            self._engines[pending.target.address] = _Engine(
                message.engine_id, message.boots, message.time, time.monotonic()
            )
        pending.future.set_result(message.pdu)


def raise_for_status(response: Pdu, tag: int) -> Pdu:
    """Return the response to a ``tag`` request, or raise SnmpErrorStatus for a non-zero
    error-status (except v1 GETNEXT's noSuchName, which callers handle)."""
    if response.error_status and not (
        response.error_status == pdus.NO_SUCH_NAME and tag == pdus.GET_NEXT
    ):
        raise SnmpErrorStatus(response.error_status, response.error_index)
    return response


def _swallow(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()
