"""A round-robin TCP forwarder for the load bench: the layer-4 balancer in front of two server
processes. Mutual TLS stays end to end (the servers must see the collector's certificate), so a
balancer can only choose a backend per connection, as HAProxy or nginx ``stream`` in TCP mode
would. It counts connections and bytes each way per backend."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, replace

CHUNK = 64 * 1024


@dataclass(slots=True)
class BackendTraffic:
    """What went through one backend so far."""

    address: tuple[str, int]
    connections: int = 0
    to_server: int = 0  # bytes from the client to this backend (TLS records, requests)
    to_client: int = 0

    def snapshot(self) -> BackendTraffic:
        """A copy (the forwarder's thread keeps counting on the original)."""
        return replace(self)


class Forwarder:
    """Listens on ``listen`` and sends each new connection to the next backend in turn."""

    def __init__(self, listen: tuple[str, int], backends: list[tuple[str, int]]) -> None:
        self.listen = listen
        self.backends = [BackendTraffic(b) for b in backends]
        self._next = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def start(self) -> None:
        """Bind and serve from a thread of its own."""
        self._thread.start()
        serve = asyncio.start_server(self._accept, *self.listen, backlog=512)
        self._server = asyncio.run_coroutine_threadsafe(serve, self._loop).result(10)

    def stop(self) -> None:
        """Close the listener and every connection, end the thread."""

        async def close() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._server is not None:
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def snapshot(self) -> list[BackendTraffic]:
        """The counters of every backend now."""
        return [b.snapshot() for b in self.backends]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backend = self.backends[self._next % len(self.backends)]
        self._next += 1
        backend.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*backend.address)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer, backend, upstream=True),
                self._pipe(up_reader, writer, backend, upstream=False),
            )
        finally:
            for w in (writer, up_writer):
                w.close()

    @staticmethod
    async def _pipe(
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        backend: BackendTraffic,
        *,
        upstream: bool,
    ) -> None:
        try:
            while data := await reader.read(CHUNK):
                if upstream:
                    backend.to_server += len(data)
                else:
                    backend.to_client += len(data)
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            writer.close()
