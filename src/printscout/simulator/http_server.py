"""The simulator's HTTP/1.1 servers: one listener per printer address, each connection run by h11.

:class:`PrinterHttpServer` owns the listeners and the open connections and runs the
request/response loop with keep-alive; a subclass only says what a printer answers to one
request (:meth:`PrinterHttpServer.respond`): LEDM pages in :mod:`ews`, Get-Printer-Attributes
in :mod:`ipp`. Faults shared by both: ``silent`` reads and never answers, ``slow`` answers late.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar, Final, Self

import h11

from printscout.simulator.device import Fault, SimPrinter
from printscout.simulator.tls import self_signed_certificate, server_context

IDLE_SECONDS: Final = 30.0  # a connection quiet for this long is closed
_CHUNK: Final = 65536

Headers = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """One response: status, body and extra headers; ``chunked`` sends it without a length."""

    status: int
    body: bytes = b""
    headers: Headers = ()
    chunked: bool = False


@dataclass
class PrinterHttpServer(abc.ABC):
    """HTTP listeners on ``port`` of a fleet's printers; ``close()`` stops them all."""

    # the headers of every answer, and the largest request head (and body) accepted
    base_headers: ClassVar[Headers] = ()
    max_request: ClassVar[int] = 16 * 1024
    # whether a request h11 cannot parse gets an error answer, or only a closed connection
    answers_bad_requests: ClassVar[bool] = False

    port: int
    tls: bool
    cert_pem: bytes | None = field(default=None, kw_only=True)
    connections: int = field(default=0, kw_only=True)
    requests: int = field(default=0, kw_only=True)
    _listeners: list[asyncio.Server] = field(default_factory=list, kw_only=True)
    _open: dict[asyncio.StreamWriter, asyncio.Future[None]] = field(
        default_factory=dict, kw_only=True
    )

    @abc.abstractmethod
    async def respond(self, printer: SimPrinter, request: h11.Request, body: bytes) -> Reply:
        """What ``printer`` answers to one complete request."""

    async def listen(self, printers: Iterable[SimPrinter]) -> None:
        """Listen on every printer's address (with a fresh self-signed certificate for TLS)."""
        printers = list(printers)
        context = None
        if self.tls:
            self.cert_pem, key_pem = self_signed_certificate(p.address for p in printers)
            context = server_context(self.cert_pem, key_pem)
        try:
            for printer in printers:
                listener = await asyncio.start_server(
                    partial(self._serve, printer),
                    host=printer.address,
                    port=self.port,
                    ssl=context,
                    reuse_address=True,
                )
                self._listeners.append(listener)
        except BaseException:
            await self.wait_closed()
            raise

    def close(self) -> None:
        """Stop listening and close open connections (their handlers then end by themselves)."""
        for listener in self._listeners:
            listener.close()
        for writer in self._open:
            writer.close()  # not Task.cancel(): Python 3.11's streams mishandle cancelled handlers

    async def wait_closed(self) -> None:
        """Close, and wait until every listener and connection is gone."""
        self.close()
        await asyncio.gather(*self._open.values())
        for listener in self._listeners:
            await listener.wait_closed()
        self._listeners.clear()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.wait_closed()

    async def _serve(
        self, printer: SimPrinter, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        done = asyncio.get_running_loop().create_future()
        self._open[writer] = done
        self.connections += 1
        try:
            if Fault.SILENT in printer.faults:
                while await _read(reader):
                    pass  # read and never answer, like a hung printer
                return
            await self._converse(printer, reader, writer)
        except (ConnectionError, TimeoutError, h11.ProtocolError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            pass  # only the loop shutting down cancels; 3.11 would report it as an error
        finally:
            del self._open[writer]
            done.set_result(None)
            writer.close()

    async def _converse(
        self, printer: SimPrinter, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_request)
        while True:
            try:
                received = await _receive(conn, reader, self.max_request)
            except h11.RemoteProtocolError as exc:
                if self.answers_bad_requests:
                    await self._refuse(conn, writer, exc.error_status_hint)
                return
            if received is None:
                return
            request, body = received
            self.requests += 1
            if Fault.SLOW in printer.faults:
                await asyncio.sleep(printer.slow_seconds)
            reply = await self.respond(printer, request, body)
            await self._send(conn, writer, reply, head=request.method == b"HEAD")
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    async def _send(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, reply: Reply, *, head: bool
    ) -> None:
        headers = [*self.base_headers, *reply.headers]
        if not reply.chunked:
            headers.append((b"Content-Length", str(len(reply.body)).encode()))
        writer.write(conn.send(h11.Response(status_code=reply.status, headers=headers)) or b"")
        if conn.our_state is h11.SEND_BODY:
            # a HEAD answer declares the length of the body it does not send
            for start in range(0, 0 if head else len(reply.body), _CHUNK):
                writer.write(conn.send(h11.Data(data=reply.body[start : start + _CHUNK])) or b"")
                await writer.drain()
            writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()

    async def _refuse(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, status: int
    ) -> None:
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        reply = Reply(status, headers=((b"Connection", b"close"),))
        with contextlib.suppress(ConnectionError, h11.LocalProtocolError):
            await self._send(conn, writer, reply, head=False)


async def _read(reader: asyncio.StreamReader) -> bytes:
    async with asyncio.timeout(IDLE_SECONDS):
        return await reader.read(_CHUNK)


async def _receive(
    conn: h11.Connection, reader: asyncio.StreamReader, max_body: int
) -> tuple[h11.Request, bytes] | None:
    """The next request and its body, or None once the client is gone (or sends too much)."""
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await _read(reader))
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > max_body:
                return None
        elif isinstance(event, h11.EndOfMessage) and request is not None:
            return request, bytes(body)
        else:  # ConnectionClosed, PAUSED
            return None
