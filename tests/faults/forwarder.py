"""A TCP forwarder on loopback between a collector and the server, with faults on demand.

It cannot read the TLS inside, so it works with byte counts per connection: a connection that
has carried ``threshold`` bytes from the collector is in the middle of a large request (the TLS
handshake and the request headers are a few kilobytes; the tests make the upload far larger).

Faults, each applied to the next connections that cross the threshold:

- ``refuse`` (``go_down()``): close every connection at once (the server looks down);
- ``cut_requests``: forward exactly ``threshold`` bytes of the request, then cut both sides (the
  network fails in the middle of the body); with ``down_after_cuts`` the last cut also takes the
  network down (as ``go_down()``, in the same step), so nothing else reaches the server until
  the test lets it;
- ``hold_responses``: forward the whole request but hold back what the server answers, until
  ``cut_held()`` closes the connection with the answer undelivered (the server stored the
  batch, the collector never hears so).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field


@dataclass
class Forwarder:
    """Listens on 127.0.0.1 (a port the OS picks) and forwards to ``target_port``."""

    target_port: int
    threshold: int = 16 * 1024
    refuse: bool = False
    cut_requests: int = 0
    down_after_cuts: bool = False
    hold_responses: int = 0
    port: int = 0
    connections: int = 0
    cuts: int = 0
    held: int = 0
    largest_request: int = 0  # bytes from the collector on one connection not cut
    _held_writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _open: dict[asyncio.Task[None], _Connection | None] = field(default_factory=dict)
    _loop: asyncio.AbstractEventLoop | None = None

    async def _serve(self, ready: threading.Event, stop: asyncio.Event) -> None:
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._loop = asyncio.get_running_loop()
        ready.set()
        async with server:
            await stop.wait()
        for task, state in list(self._open.items()):
            if state is not None:
                state.close()
            task.cancel()
        await asyncio.gather(*self._open, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._open[task] = None
        try:
            if self.refuse:
                writer.transport.abort()
                return
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            except OSError:
                writer.transport.abort()
                return
            state = self._open[task] = _Connection(writer, up_writer)
            # a kept-alive connection still open when the forwarder closes ends here
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(
                    self._upstream(reader, state), self._downstream(up_reader, state),
                    return_exceptions=True,
                )  # fmt: skip
            state.close()
            # What the collector sent on a connection that was not cut: counted also when the
            # connection was still open (kept alive) at the end, or its answer was held back.
            if not state.faulted or state.holding:
                self.largest_request = max(self.largest_request, state.sent)
        finally:
            del self._open[task]

    async def _upstream(self, reader: asyncio.StreamReader, state: _Connection) -> None:
        """Collector → server, counting bytes; applies the request faults."""
        while data := await reader.read(65536):
            if state.sent + len(data) >= self.threshold and not state.faulted:
                if self.cut_requests > 0:
                    self.cut_requests -= 1
                    state.up.write(data[: self.threshold - state.sent])
                    await state.up.drain()
                    state.faulted = True
                    state.close()
                    if self.cut_requests == 0 and self.down_after_cuts:
                        self.refuse = True
                        self._cut_open()
                    self.cuts += 1  # last: a test that sees it sees the network down too
                    return
                if self.hold_responses > 0:
                    self.hold_responses -= 1
                    state.faulted = state.holding = True
            state.sent += len(data)
            state.up.write(data)
            await state.up.drain()
        state.close()

    async def _downstream(self, reader: asyncio.StreamReader, state: _Connection) -> None:
        """Server → collector; once holding, the answer is kept back and never delivered."""
        while data := await reader.read(65536):
            if state.holding:
                if state.down not in self._held_writers:
                    self._held_writers.append(state.down)
                    self.held += 1
                continue
            state.down.write(data)
            await state.down.drain()
        state.close()

    def go_down(self) -> None:
        """Refuse new connections and cut the open ones (kept-alive ones included)."""
        assert self._loop is not None
        self.refuse = True
        self._loop.call_soon_threadsafe(self._cut_open)

    def _cut_open(self) -> None:
        """Close every open connection (in the forwarder's loop)."""
        for state in self._open.values():
            if state is not None:
                state.close()

    def cut_held(self) -> None:
        """Close the connections whose answers are held: the collector never gets them."""
        assert self._loop is not None

        def cut() -> None:
            for writer in self._held_writers:
                writer.transport.abort()
            self._held_writers.clear()

        self._loop.call_soon_threadsafe(cut)


@dataclass
class _Connection:
    down: asyncio.StreamWriter
    up: asyncio.StreamWriter
    sent: int = 0
    faulted: bool = False
    holding: bool = False

    def close(self) -> None:
        for writer in (self.down, self.up):
            with suppress(Exception):
                writer.transport.abort()


@contextmanager
def forwarding(target_port: int, threshold: int = 16 * 1024) -> Iterator[Forwarder]:
    """A forwarder running in a thread of its own until the block ends."""
    forwarder = Forwarder(target_port, threshold)
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run() -> None:
        loop.run_until_complete(forwarder._serve(ready, stop))

    thread = threading.Thread(target=run, name="forwarder", daemon=True)
    thread.start()
    assert ready.wait(10), "forwarder did not start"
    try:
        yield forwarder
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
