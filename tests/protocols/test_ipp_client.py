"""The IPP client (protocols/ipp/client.py) against the simulator over HTTP and HTTPS, and
against replayed or misbehaving answers through httpx's mock transport."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from printscout.domain.errors import (
    IppConnectionError,
    IppError,
    IppHttpError,
    IppStatusError,
    IppTimeout,
    IppTlsError,
    ParseError,
)
from printscout.protocols.ipp import codec
from printscout.protocols.ipp.client import (
    MONITORING_ATTRIBUTES,
    IppClient,
    IppSettings,
    PrinterResponse,
    printer_urls,
)
from printscout.protocols.ipp.tags import GroupTag
from printscout.protocols.ipp.values import Attribute, AttributeGroup, Charset, Message
from printscout.simulator.device import Fault
from printscout.simulator.fleet import start_fleet
from printscout.simulator.ipp import VERSIONS, IppServer, start_ipp
from printscout.simulator.snmprec import builtin_recordings

SNMP_PORT = 17862
IPP_PORT = 17863
HP = "127.87.0.1"
FIXTURE = Path(__file__).parents[1] / "fixtures" / "ipp" / "ippeveprinter-all.bin"
T = TypeVar("T")


@asynccontextmanager
async def simulated(
    tls: bool = False,
    faults: set[Fault] | None = None,
    paths: tuple[str, ...] = ("/ipp/print", "/"),
    versions: frozenset[tuple[int, int]] = VERSIONS,
) -> AsyncIterator[IppServer]:
    """One simulated HP printer with an IPP endpoint."""
    hp = next(p for p in builtin_recordings() if p.stem.startswith("hp-"))
    fleet = await start_fleet([hp], [HP], port=SNMP_PORT, faults={HP: faults or set()})
    try:
        async with await start_ipp(fleet, IPP_PORT, tls, paths=paths, versions=versions) as server:
            server.fleet.printers[HP].slow_seconds = 0.6
            yield server
    finally:
        fleet.close()


def run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await factory()

    return asyncio.run(main())


async def get(
    settings: IppSettings | None = None, *, tls: bool = False, host: str = HP, port: int = IPP_PORT
) -> PrinterResponse:
    async with IppClient(settings) as client:
        return await client.get_printer_attributes(host, port, tls=tls)


# ---------------------------------------------------------------- against the simulator


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_it_gets_printer_attributes_from_the_simulator(tls: bool) -> None:
    async def go() -> PrinterResponse:
        async with simulated(tls=tls):
            return await get(tls=tls)

    response = run(go)
    scheme = "https" if tls else "http"
    assert response.url == f"{scheme}://{HP}:{IPP_PORT}/ipp/print"
    assert response.printer_uri == f"{'ipps' if tls else 'ipp'}://{HP}:{IPP_PORT}/ipp/print"
    attributes = response.attributes
    assert attributes.integer("printer-state") == 3
    assert attributes.string("printer-make-and-model") == "HP Color LaserJet M555"
    # four toners and the toner collection unit, from the same rows the SNMP agent serves
    assert len(attributes.integers("marker-levels")) == 5
    assert attributes.strings("marker-types")[-1] == "waste-toner"
    assert codec.encode(response.message) == response.raw
    # only what was asked for comes back
    assert {a.name for a in attributes} <= set(MONITORING_ATTRIBUTES)


def test_https_verifies_when_given_a_context_that_trusts_the_printer() -> None:
    async def go() -> tuple[PrinterResponse, IppError]:
        async with simulated(tls=True) as server:
            assert server.cert_pem is not None
            trusting = ssl.create_default_context(cadata=server.cert_pem.decode())
            ok = await get(IppSettings(verify=trusting), tls=True)
            with pytest.raises(IppTlsError) as refused:
                await get(IppSettings(verify=ssl.create_default_context()), tls=True)
            return ok, refused.value

    ok, refused = run(go)
    assert ok.attributes.integer("printer-state") == 3
    assert refused.retryable is False


def test_it_falls_back_to_the_root_path() -> None:
    async def go() -> tuple[PrinterResponse, int]:
        async with simulated(paths=("/",)) as server:
            return await get(), server.requests

    response, requests = run(go)
    assert response.url == f"http://{HP}:{IPP_PORT}/"
    assert requests == 2  # /ipp/print, refused with HTTP 404, then /


def test_it_falls_back_to_ipp_1_1() -> None:
    async def go() -> PrinterResponse:
        async with simulated(versions=frozenset({(1, 1)})):
            return await get()

    response = run(go)
    assert response.message.version == (1, 1)


def test_a_silent_printer_times_out_and_may_be_retried() -> None:
    async def go() -> None:
        async with simulated(faults={Fault.SILENT}):
            await get(IppSettings(timeout=0.3))

    with pytest.raises(IppTimeout) as caught:
        run(go)
    assert caught.value.retryable is True


def test_a_slow_printer_is_cut_off_at_the_deadline() -> None:
    async def go() -> None:
        async with simulated(faults={Fault.SLOW}):
            await get(IppSettings(timeout=5.0, deadline=0.3))

    with pytest.raises(IppTimeout, match="no complete answer"):
        run(go)


def test_a_malformed_answer_is_a_parse_error() -> None:
    async def go() -> None:
        async with simulated(faults={Fault.MALFORMED}):
            await get()

    with pytest.raises(ParseError):
        run(go)


def test_a_refused_connection_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here
    with pytest.raises(IppConnectionError) as caught:
        run(lambda: get(host="127.0.0.1", port=port))
    assert caught.value.retryable is True


def test_tls_to_a_plain_http_port_is_a_permanent_tls_error() -> None:
    async def go() -> None:
        async with simulated(tls=False):
            await get(tls=True)

    with pytest.raises(IppTlsError):
        run(go)


# ---------------------------------------------------------------- through a mock transport


Handler = Callable[[httpx.Request], httpx.Response]


async def mocked(handler: Handler, settings: IppSettings | None = None) -> PrinterResponse:
    async with IppClient(settings, transport=httpx.MockTransport(handler)) as client:
        return await client.get_printer_attributes("printer.test", 631)


def ipp_answer(request: httpx.Request, status: int, *groups: AttributeGroup) -> httpx.Response:
    asked = codec.decode(request.content)
    body = codec.encode(Message(asked.version, status, asked.request_id, groups))
    return httpx.Response(200, content=body, headers={"Content-Type": "application/ipp"})


def test_the_request_is_a_proper_get_printer_attributes() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ipp_answer(request, 0)

    run(lambda: mocked(handler))
    (request,) = seen
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/ipp"
    message = codec.decode(request.content)
    assert (message.version, message.code) == ((2, 0), 0x000B)
    operation = message.merged(GroupTag.OPERATION)
    assert [a.name for a in operation][:3] == [
        "attributes-charset",
        "attributes-natural-language",
        "printer-uri",
    ]
    assert operation.string("printer-uri") == "ipp://printer.test:631/ipp/print"
    assert operation.strings("requested-attributes") == MONITORING_ATTRIBUTES


def test_a_recorded_answer_replays_through_the_transport() -> None:
    raw = FIXTURE.read_bytes()
    response = run(lambda: mocked(lambda _: httpx.Response(200, content=raw)))
    assert response.raw == raw
    assert response.attributes.string("printer-name") == "PrintScout Interop"


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (403, False), (426, False)]
)
def test_http_errors_say_whether_to_retry(status: int, retryable: bool) -> None:
    with pytest.raises(IppHttpError) as caught:
        run(lambda: mocked(lambda _: httpx.Response(status)))
    assert (caught.value.status, caught.value.retryable) == (status, retryable)


def test_not_found_on_every_path_is_reported_after_trying_them_all() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(404)

    with pytest.raises(IppHttpError) as caught:
        run(lambda: mocked(handler))
    assert caught.value.status == 404 and caught.value.retryable is False
    assert paths == ["/ipp/print", "/"]


@pytest.mark.parametrize(("status", "retryable"), [(0x0507, True), (0x0401, False)])
def test_ipp_error_statuses_say_whether_to_retry(status: int, retryable: bool) -> None:
    with pytest.raises(IppStatusError) as caught:
        run(lambda: mocked(lambda request: ipp_answer(request, status)))
    assert (caught.value.status, caught.value.retryable) == (status, retryable)


def test_an_ipp_not_found_status_moves_on_to_the_next_path() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        status = 0x0406 if request.url.path == "/ipp/print" else 0x0000
        group = AttributeGroup(
            GroupTag.PRINTER, (Attribute("charset-configured", (Charset("utf-8"),)),)
        )
        return ipp_answer(request, status, group)

    response = run(lambda: mocked(handler))
    assert response.url == "http://printer.test:631/"


def test_an_oversized_answer_is_refused() -> None:
    settings = IppSettings(max_response_bytes=1000)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(3):
            yield b"\x02\x00" * 400

    streamed = httpx.Response(200, content=chunks())  # no Content-Length
    with pytest.raises(IppError, match="exceeds 1000") as caught:
        run(lambda: mocked(lambda _: streamed, settings))
    assert caught.value.retryable is False
    with pytest.raises(IppError, match="exceeds 1000"):
        run(lambda: mocked(lambda _: httpx.Response(200, content=b"x" * 2000), settings))


@pytest.mark.parametrize(
    ("raised", "expected", "retryable"),
    [
        (httpx.ReadError("reset"), IppConnectionError, True),
        (httpx.RemoteProtocolError("garbage"), IppConnectionError, True),
        (httpx.ReadTimeout("slow"), IppTimeout, True),
        (httpx.UnsupportedProtocol("no"), IppError, False),
    ],
)
def test_transport_failures_are_wrapped(
    raised: Exception, expected: type[IppError], retryable: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    with pytest.raises(expected) as caught:
        run(lambda: mocked(handler))
    assert caught.value.retryable is retryable
    assert caught.value.__cause__ is raised


def test_urls_bracket_ipv6_hosts() -> None:
    assert printer_urls("::1", 631, "ipp/print", tls=True) == (
        "https://[::1]:631/ipp/print",
        "ipps://[::1]:631/ipp/print",
    )
