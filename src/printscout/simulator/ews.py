"""The simulator's embedded web servers: HP LEDM pages for simulated HP printers.

Each printer of the fleet gets an HTTP/1.1 server (optionally behind TLS with a self-signed
certificate) on its own loopback address, run by :mod:`http_server`. HP printers serve the
pages of :mod:`ledm_pages`; other printers answer 404, as a web server without LEDM does.
Faults: ``huge_strings`` pads a page past the client's cap, ``malformed`` cuts it short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import h11

from printscout.protocols.ews import ledm
from printscout.simulator.device import Fault, SimPrinter
from printscout.simulator.fleet import Fleet
from printscout.simulator.http_server import PrinterHttpServer, Reply
from printscout.simulator.ledm_pages import page_for


@dataclass
class EwsServer(PrinterHttpServer):
    """Running embedded web servers of a fleet; ``close()`` stops them all."""

    base_headers = (
        (b"Server", b"PrintScout-Simulator-EWS/1"),
        (b"Content-Type", b"text/xml; charset=utf-8"),
    )
    answers_bad_requests = True

    async def respond(self, printer: SimPrinter, request: h11.Request, body: bytes) -> Reply:
        """A LEDM page for GET and HEAD (request bodies are ignored)."""
        if request.method not in (b"GET", b"HEAD"):
            return Reply(405, headers=((b"Allow", b"GET, HEAD"),))
        path = request.target.split(b"?", 1)[0].decode("ascii", "replace")
        page = page_for(printer, path)
        if page is None:
            return Reply(404, b"<html><body>Not Found</body></html>")
        if Fault.HUGE_STRINGS in printer.faults:
            # sent chunked, without a length, so only a streaming cap stops it
            padding = b"<!--" + b"X" * (ledm.MAX_DOCUMENT_BYTES + 1) + b"-->"
            return Reply(200, page[:-1] + padding + page[-1:], chunked=True)
        if Fault.MALFORMED in printer.faults:
            return Reply(200, page[: len(page) // 2])
        return Reply(200, page)


async def start_ews(
    fleet: Fleet, port: int, tls: bool = False, *, addresses: Iterable[str] | None = None
) -> EwsServer:
    """Serve the fleet's printers (or only ``addresses``) over HTTP, or HTTPS with ``tls``."""
    chosen = list(fleet.printers) if addresses is None else list(addresses)
    server = EwsServer(port, tls)
    await server.listen(fleet.printers[address] for address in chosen)
    return server
