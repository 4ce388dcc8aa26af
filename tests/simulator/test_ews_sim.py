"""The simulator's LEDM pages, read by the real client over HTTP and HTTPS on loopback."""

from __future__ import annotations

import asyncio
import itertools
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from printscout.collector.ews_source import apply_ledm
from printscout.collector.reader import Reader
from printscout.domain.errors import EwsError, EwsTimeout, ParseError
from printscout.domain.reading import Reading
from printscout.protocols.ews import ledm
from printscout.protocols.ews.client import EwsSettings, LedmClient, LedmPages
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.client import SnmpEngine
from printscout.protocols.snmp.target import Target
from printscout.protocols.snmp.walk import Walker
from printscout.simulator.device import Fault
from printscout.simulator.ews import EwsServer, start_ews
from printscout.simulator.fleet import Fleet, start_fleet
from printscout.simulator.snmprec import builtin_recordings

T = TypeVar("T")
SNMP_PORT = 17691
HTTP_PORT = 17692
HTTPS_PORT = 17693
HP, OTHER = "127.86.0.1", "127.86.0.2"


def recording(prefix: str) -> Path:
    return next(p for p in builtin_recordings() if p.stem.startswith(prefix))


def with_fleet(
    scenario: Callable[[Fleet, EwsServer, EwsServer], Awaitable[T]],
    *,
    speed: float = 0.0,
    faults: dict[str, set[Fault]] | None = None,
) -> T:
    """Run ``scenario`` against an HP printer and a Lexmark, each serving HTTP and HTTPS."""

    async def run() -> T:
        fleet = await start_fleet(
            [recording("hp-"), recording("lexmark-")],
            [HP, OTHER],
            port=SNMP_PORT,
            speed=speed,
            faults=faults,
        )
        try:
            async with (
                await start_ews(fleet, HTTP_PORT) as http,
                await start_ews(fleet, HTTPS_PORT, tls=True) as https,
            ):
                return await scenario(fleet, http, https)
        finally:
            fleet.close()

    return asyncio.run(run())


async def read(host: str, settings: EwsSettings) -> LedmPages | None:
    async with LedmClient(settings) as client:
        return await client.read(host)


HTTP = EwsSettings(port=HTTP_PORT, timeout=5.0)
HTTPS = EwsSettings(port=HTTPS_PORT, tls=True, timeout=5.0)


def test_it_serves_an_hp_printers_pages_over_http_on_one_connection() -> None:
    async def scenario(fleet: Fleet, http: EwsServer, _: EwsServer) -> tuple[LedmPages | None, str]:
        pages = await read(HP, HTTP)
        serial = fleet.printers[HP].overrides[(*mibs.PRT_GENERAL_SERIAL_NUMBER, 1)]
        assert (http.connections, http.requests) == (1, 3)
        assert isinstance(serial, bytes)
        return pages, serial.decode()

    pages, snmp_serial = with_fleet(scenario)
    assert pages is not None and pages.usage is not None and pages.consumables is not None
    assert pages.product.serial == snmp_serial  # the same device SNMP shows
    assert pages.product.model == "HP Color LaserJet M555"
    assert pages.product.firmware is not None
    usage = pages.usage
    assert usage.total is not None and usage.mono is not None and usage.color is not None
    assert usage.mono + usage.color == usage.total
    assert usage.print == usage.total and usage.copy is None  # a printer, not an MFP
    colours = [(c.color, c.kind) for c in pages.consumables]
    assert colours == [
        ("black", "toner"),
        ("cyan", "toner"),
        ("magenta", "toner"),
        ("yellow", "toner"),
        (None, "waste_toner"),
    ]
    assert all(c.serial and c.serial.startswith("CN") for c in pages.consumables)
    assert pages.consumables[0].product_number == "W9000A"
    assert all(c.pages is not None for c in pages.consumables[:4])  # merged from usage


def test_serials_are_deterministic_per_address() -> None:
    async def twice(*_: object) -> tuple[LedmPages | None, LedmPages | None]:
        return await read(HP, HTTP), await read(HP, HTTP)

    first, second = with_fleet(twice)
    assert first is not None and second is not None
    assert first.consumables == second.consumables
    assert first.product == second.product


def test_a_printer_without_ledm_answers_404_and_reads_as_none() -> None:
    async def scenario(*_: object) -> LedmPages | None:
        return await read(OTHER, HTTP)

    assert with_fleet(scenario) is None


def test_https_with_a_self_signed_certificate_is_accepted_by_default() -> None:
    async def scenario(_: Fleet, __: EwsServer, https: EwsServer) -> LedmPages | None:
        assert https.cert_pem is not None
        return await read(HP, HTTPS)

    pages = with_fleet(scenario)
    assert pages is not None and pages.usage is not None


def test_https_can_verify_against_a_given_trust_anchor() -> None:
    async def scenario(_: Fleet, __: EwsServer, https: EwsServer) -> LedmPages | None:
        assert https.cert_pem is not None
        trusting = ssl.create_default_context(cadata=https.cert_pem.decode())
        pages = await read(HP, EwsSettings(port=HTTPS_PORT, tls=True, verify=trusting))
        with pytest.raises(EwsError):  # the system store does not know the printer
            await read(HP, EwsSettings(port=HTTPS_PORT, tls=True, verify=True))
        return pages

    assert with_fleet(scenario) is not None


def test_counters_advance_as_simulated_time_passes() -> None:
    async def scenario(*_: object) -> list[ledm.LedmUsage]:
        out = []
        async with LedmClient(HTTP) as client:
            for _poll in range(3):
                usage = await client.usage(HP)
                assert usage is not None
                out.append(usage)
                await asyncio.sleep(0.15)
        return out

    readings = with_fleet(scenario, speed=360_000.0)  # 100 simulated hours per second
    totals = [u.total or 0 for u in readings]
    assert totals[0] < totals[1] < totals[2]
    for earlier, later in itertools.pairwise(readings):
        assert (later.mono or 0) >= (earlier.mono or 0)
        assert (later.color or 0) >= (earlier.color or 0)
        assert later.markers[0].pages and earlier.markers[0].pages
        assert later.markers[0].pages > earlier.markers[0].pages
    assert all((u.mono or 0) + (u.color or 0) == u.total for u in readings)


def test_an_mfp_splits_impressions_by_function() -> None:
    async def scenario(fleet: Fleet, *_: object) -> ledm.LedmUsage | None:
        fleet.printers[HP].overrides[mibs.SYS_DESCR] = b"HP Color LaserJet MFP M577"
        async with LedmClient(HTTP) as client:
            return await client.usage(HP)

    usage = with_fleet(scenario)
    assert usage is not None and usage.total is not None
    assert usage.print is not None and usage.copy is not None and usage.fax is not None
    assert usage.print + usage.copy + usage.fax == usage.total
    assert usage.scan is not None and usage.large is not None and usage.large > 0


def test_the_snmp_reading_gains_serials_and_counters_end_to_end() -> None:
    async def scenario(*_: object) -> tuple[Reading, Reading]:
        async with SnmpEngine() as engine:
            snmp = await Reader(Walker(engine)).read(Target(HP, SNMP_PORT))
        pages = await read(HP, HTTP)
        assert pages is not None
        return snmp, apply_ledm(snmp, pages.usage, pages.consumables, pages.product)

    before, after = with_fleet(scenario)
    assert all(s.serial is None for s in before.supplies)
    assert all(s.serial for s in after.supplies)
    assert before.counters.mono is None and after.counters.mono is not None
    assert after.counters.total == before.counters.total  # SNMP's total stays
    assert after.identity.firmware is not None


def test_a_silent_printer_times_out() -> None:
    async def scenario(*_: object) -> None:
        await read(HP, EwsSettings(port=HTTP_PORT, timeout=0.3))

    with pytest.raises(EwsTimeout):
        with_fleet(scenario, faults={HP: {Fault.SILENT}})


def test_a_huge_page_is_cut_by_the_client() -> None:
    async def scenario(*_: object) -> None:
        await read(HP, HTTP)

    with pytest.raises(EwsError, match="exceeds"):
        with_fleet(scenario, faults={HP: {Fault.HUGE_STRINGS}})


def test_a_malformed_page_is_a_parse_error() -> None:
    async def scenario(*_: object) -> None:
        await read(HP, HTTP)

    with pytest.raises(ParseError):
        with_fleet(scenario, faults={HP: {Fault.MALFORMED}})


async def exchange(data: bytes, *, until: bytes = b"") -> bytes:
    """Send raw bytes to the HP printer's web server; read until ``until`` or end of file."""
    reader, writer = await asyncio.open_connection(HP, HTTP_PORT)
    writer.write(data)
    answer = b""
    async with asyncio.timeout(5):
        while not (until and until in answer):
            chunk = await reader.read(65536)
            if not chunk:
                break
            answer += chunk
    writer.close()
    await writer.wait_closed()
    return answer


def test_head_answers_headers_only_and_keeps_the_connection() -> None:
    request = f"HEAD {ledm.USAGE_PATH} HTTP/1.1\r\nHost: p\r\n\r\n"
    request += f"GET {ledm.USAGE_PATH} HTTP/1.1\r\nHost: p\r\n\r\n"

    async def scenario(*_: object) -> bytes:
        return await exchange(request.encode(), until=b"</pudyn:ProductUsageDyn>")

    answer = with_fleet(scenario)
    assert answer.count(b"HTTP/1.1 200") == 2
    assert answer.count(b"<?xml") == 1  # the HEAD answer had no body


def test_wrong_methods_and_garbage_are_refused() -> None:
    async def scenario(*_: object) -> tuple[int, bytes]:
        async with httpx.AsyncClient(trust_env=False) as client:
            post = await client.post(f"http://{HP}:{HTTP_PORT}{ledm.USAGE_PATH}", content=b"x")
        return post.status_code, await exchange(b"NOT HTTP AT ALL\r\n\r\n")

    post, garbage = with_fleet(scenario)
    assert post == 405
    assert garbage.startswith(b"HTTP/1.1 400")
