"""The SNMP engine's dispatcher: one UDP socket, the requests in flight by id, one timer.

It sends what :class:`~printscout.protocols.snmp.client.SnmpEngine` builds, within the
:class:`EngineLimits` (packets per second, requests in flight), re-sends on timeout, and
matches every datagram that arrives (v1, v2c or v3) to the request it answers; from v3
answers and reports it learns each agent's authoritative engine.
Everything here runs per packet: keep it free of indirection.
"""

from __future__ import annotations

import asyncio
import collections
import heapq
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

from printscout.domain.errors import ParseError, SnmpAuthError, SnmpTimeout
from printscout.protocols.snmp import pdu as pdus
from printscout.protocols.snmp import v3
from printscout.protocols.snmp.pdu import Pdu
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.usm_crypto import SaltSource

_ID_LIMIT: Final = 0x7FFFFFFF
_RCVBUF: Final = 4 * 1024 * 1024
_DATAGRAM_MAX: Final = 65535  # the largest UDP payload, read into a buffer of that size
_READ_BATCH: Final = 256  # datagrams taken per wake-up of the socket


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
class AgentEngine:
    """What we know of an SNMPv3 authoritative engine."""

    engine_id: bytes
    boots: int
    time: int
    learned_at: float

    def now(self) -> int:
        """The agent's engine time now, counted on from when we learned it."""
        return self.time + int(time.monotonic() - self.learned_at)


@dataclass(slots=True)
class Pending:
    """One request in flight: its packet, its answer-to-be and how many tries it has left."""

    target: Target
    packet: bytes
    future: asyncio.Future[Pdu]
    tries_left: int
    keys: v3.LocalKeys | None = None
    deadline: float = 0.0
    last_error: str = field(default="")


class Dispatcher:
    """One UDP socket, many requests in flight; the base of :class:`SnmpEngine`."""

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
        self._pending: dict[int, Pending] = {}
        self._next_id = secrets.randbelow(_ID_LIMIT // 2) + 1
        # requests in flight, and callers waiting for one to finish (a semaphore without the
        # cost of one on the fast path)
        self._in_flight = 0
        self._slot_waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        # SNMPv3: what each agent's engine told us, and the salts of encrypted requests
        self._engines: dict[tuple[str, int], AgentEngine] = {}
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

    # ------------------------------------------------------------ the in-flight cap

    def _finish(self, request_id: int) -> None:
        self._pending.pop(request_id, None)
        self._in_flight -= 1
        if self._slot_waiters:
            self._release_slot()

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

    # ------------------------------------------------------------ the wire

    def _new_id(self) -> int:
        self._next_id = self._next_id + 1 if self._next_id < _ID_LIMIT else 1
        return self._next_id

    async def _exchange(
        self, target: Target, request_id: int, packet: bytes, keys: v3.LocalKeys | None
    ) -> Pdu:
        loop = self._loop or asyncio.get_running_loop()
        pending = Pending(target, packet, loop.create_future(), target.retries, keys)
        self._pending[request_id] = pending
        try:
            if self.limits.packets_per_second > 0:
                await self._pace()
            self._transmit(request_id, pending)
            return await pending.future
        finally:
            self._pending.pop(request_id, None)

    async def _send(self, request_id: int, pending: Pending) -> None:
        if self.limits.packets_per_second > 0:
            await self._pace()
        self._transmit(request_id, pending)

    def _transmit(self, request_id: int, pending: Pending) -> None:
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
            self._engines[pending.target.address] = AgentEngine(
                message.engine_id, message.boots, message.time, time.monotonic()
            )
        pending.future.set_result(message.pdu)


def _swallow(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()
