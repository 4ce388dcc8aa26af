"""LEDM client: 404 means no LEDM, errors wrapped, bodies capped, redirects kept on the host."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from printscout.domain.errors import EwsError, EwsStatusError, EwsTimeout, ParseError
from printscout.protocols.ews import ledm
from printscout.protocols.ews.client import EwsSettings, LedmClient

T = TypeVar("T")
FIXTURES = Path(__file__).parents[1] / "fixtures" / "ews"
PAGES = {
    ledm.PRODUCT_PATH: "color-mfp.ProductConfigDyn.xml",
    ledm.USAGE_PATH: "color-mfp.ProductUsageDyn.xml",
    ledm.CONSUMABLES_PATH: "color-mfp.ConsumableConfigDyn.xml",
}


def fixture_printer(request: httpx.Request) -> httpx.Response:
    name = PAGES.get(request.url.path)
    if name is None:
        return httpx.Response(404)
    return httpx.Response(200, content=(FIXTURES / name).read_bytes())


def run_with(
    handler: Callable[[httpx.Request], httpx.Response],
    call: Callable[[LedmClient], Awaitable[T]],
    settings: EwsSettings | None = None,
) -> T:
    async def go() -> T:
        transport = httpx.MockTransport(handler)
        async with LedmClient(settings, transport=transport) as client:
            return await call(client)

    return asyncio.run(go())


def test_it_reads_all_three_pages_and_merges_cartridge_pages() -> None:
    pages = run_with(fixture_printer, lambda c: c.read("192.0.2.10"))
    assert pages is not None
    assert pages.product.serial == "CNBRT4K1XY"
    assert pages.usage is not None and pages.usage.total == 182734
    assert pages.consumables is not None
    assert [c.pages for c in pages.consumables] == [8412, 5120, 4988, 6033, None]


def test_a_device_without_ledm_is_none_after_one_request() -> None:
    seen: list[str] = []

    def no_ledm(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(404, text="<html>Not Found</html>")

    assert run_with(no_ledm, lambda c: c.read("192.0.2.10")) is None
    assert seen == [ledm.PRODUCT_PATH]


def test_a_missing_page_is_none_and_the_rest_is_kept() -> None:
    def no_usage(request: httpx.Request) -> httpx.Response:
        return httpx.Response(410) if "Usage" in request.url.path else fixture_printer(request)

    pages = run_with(no_usage, lambda c: c.read("192.0.2.10"))
    assert pages is not None and pages.usage is None
    assert pages.consumables is not None and pages.consumables[0].pages is None


@pytest.mark.parametrize(("status", "retryable"), [(401, False), (500, True), (429, True)])
def test_other_statuses_are_errors_that_say_if_a_retry_helps(status: int, retryable: bool) -> None:
    with pytest.raises(EwsStatusError) as caught:
        run_with(lambda _: httpx.Response(status), lambda c: c.usage("192.0.2.10"))
    assert caught.value.status == status
    assert caught.value.retryable is retryable


def test_transport_failures_are_wrapped_and_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(EwsError) as caught:
        run_with(refuse, lambda c: c.product("192.0.2.10"))
    assert caught.value.retryable
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_transport_timeouts_are_ews_timeouts() -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("stalled", request=request)

    with pytest.raises(EwsTimeout):
        run_with(stall, lambda c: c.product("192.0.2.10"))


def test_a_declared_oversized_body_is_refused() -> None:
    def big(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<x/>" * 100)

    with pytest.raises(EwsError, match="exceeds 64"):
        run_with(big, lambda c: c.get("192.0.2.10", "/x"), EwsSettings(max_body=64))


class Endless(httpx.AsyncByteStream):
    """A body without a declared length that goes on for a megabyte."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(1000):
            yield b"X" * 1024


def test_an_undeclared_oversized_body_is_cut_while_streaming() -> None:
    def endless(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless())

    with pytest.raises(EwsError, match="exceeds 4096 bytes"):
        run_with(endless, lambda c: c.get("192.0.2.10", "/x"), EwsSettings(max_body=4096))


def test_redirects_are_followed_on_the_same_host_only() -> None:
    def to_https(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return httpx.Response(301, headers={"Location": f"https://{request.url.host}/p"})
        return httpx.Response(200, content=b"ok")

    assert run_with(to_https, lambda c: c.get("192.0.2.10", "/p")) == b"ok"

    def elsewhere(_: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://198.51.100.7/steal"})

    with pytest.raises(EwsError, match="not the same host"):
        run_with(elsewhere, lambda c: c.get("192.0.2.10", "/p"))

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"Location": str(request.url)})

    with pytest.raises(EwsError, match="redirects"):
        run_with(loop, lambda c: c.get("192.0.2.10", "/p"))


def test_a_malformed_page_raises_parse_error() -> None:
    def html(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<html><body>Sign in</body></html>")

    with pytest.raises(ParseError):
        run_with(html, lambda c: c.read("192.0.2.10"))


def test_an_unaddressable_host_is_an_error() -> None:
    with pytest.raises(EwsError, match="cannot address"):
        LedmClient().url("300.1.1.1", "/x")
    with pytest.raises(EwsError, match="no host"):
        LedmClient().url(" ", "/x")


def test_a_server_dripping_bytes_is_cut_at_the_deadline() -> None:
    """The per-read timeout alone would never fire: each byte arrives in time."""

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        try:
            for _ in range(100):
                writer.write(b"<")
                await writer.drain()
                await asyncio.sleep(0.05)
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def go() -> None:
        server = await asyncio.start_server(drip, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with LedmClient(EwsSettings(port=port, timeout=0.4)) as client:
                await client.get("127.0.0.1", ledm.USAGE_PATH)
        finally:
            server.close()
            await server.wait_closed()

    with pytest.raises(EwsTimeout, match="no complete answer"):
        asyncio.run(go())


def test_other_http_failures_are_wrapped_as_permanent() -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        raise httpx.DecodingError("bad gzip", request=request)

    with pytest.raises(EwsError) as caught:
        run_with(garbled, lambda c: c.get("192.0.2.10", "/x"))
    assert not caught.value.retryable
