"""Fetching HP LEDM pages from a printer's embedded web server over HTTP or HTTPS.

Printers are treated as hostile: every page has a deadline for the whole exchange (not only
per read, so a server that drips one byte at a time still ends), bodies are capped while they
stream in, and redirects are followed only to the same host (HP devices often redirect HTTP
to HTTPS; a redirect elsewhere would make the collector fetch for the printer). A 404 means
the device has no such page, which is an answer, not an error.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Final

import httpx

from printscout import __version__
from printscout.domain.errors import EwsError, EwsStatusError, EwsTimeout
from printscout.protocols.ews import ledm
from printscout.protocols.ews.ledm import LedmConsumable, LedmProduct, LedmUsage

_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_ABSENT: Final = frozenset({404, 410})


@dataclass(frozen=True, slots=True)
class EwsSettings:
    """How to reach embedded web servers."""

    tls: bool = False
    """Use HTTPS."""
    port: int | None = None
    """TCP port; None means 80 for HTTP and 443 for HTTPS."""
    verify: bool | ssl.SSLContext = False
    """Certificate check. Off by default: printers ship self-signed certificates."""
    timeout: float = 10.0
    """Deadline in seconds for one page, connect to last byte (openHAB uses 10 s)."""
    max_body: int = ledm.MAX_DOCUMENT_BYTES
    """Largest page accepted, in decoded bytes."""
    max_redirects: int = 2
    """Same-host redirects followed per page."""


@dataclass(frozen=True, slots=True)
class LedmPages:
    """What one device's LEDM pages said; a page the device lacks is None."""

    product: LedmProduct
    usage: LedmUsage | None
    consumables: tuple[LedmConsumable, ...] | None


class LedmClient:
    """Reads LEDM pages from many printers through one connection pool."""

    def __init__(
        self,
        settings: EwsSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or EwsSettings()
        self._client = httpx.AsyncClient(
            verify=self.settings.verify,
            timeout=httpx.Timeout(self.settings.timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment for printer traffic
            headers={"User-Agent": f"PrintScout/{__version__}", "Accept": "text/xml"},
            transport=transport,
        )

    async def __aenter__(self) -> LedmClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._client.aclose()

    def url(self, host: str, path: str) -> httpx.URL:
        """The URL of ``path`` on ``host`` under these settings."""
        if not host.strip():
            raise EwsError("no host to address")
        try:
            return httpx.URL(
                scheme="https" if self.settings.tls else "http",
                host=host,
                port=self.settings.port,
                path=path,
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise EwsError(f"cannot address {host!r}: {exc}") from exc

    async def get(self, host: str, path: str) -> bytes | None:
        """The body of ``path`` on ``host``, or None when the device answers 404/410."""
        url = self.url(host, path)
        try:
            async with asyncio.timeout(self.settings.timeout):
                return await self._follow(url)
        except TimeoutError as exc:
            raise EwsTimeout(f"{url}: no complete answer in {self.settings.timeout} s") from exc
        except httpx.TimeoutException as exc:
            raise EwsTimeout(f"{url}: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise EwsError(f"{url}: {type(exc).__name__}: {exc}", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise EwsError(f"{url}: {type(exc).__name__}: {exc}") from exc

    async def _follow(self, url: httpx.URL) -> bytes | None:
        for _ in range(self.settings.max_redirects + 1):
            async with self._client.stream("GET", url) as response:
                status = response.status_code
                if status in _REDIRECTS:
                    url = self._redirect_target(url, response.headers.get("location"))
                    continue
                if status in _ABSENT:
                    return None
                if not 200 <= status < 300:
                    raise EwsStatusError(status, str(url))
                return await self._read_capped(url, response)
        raise EwsError(f"{url}: more than {self.settings.max_redirects} redirects")

    def _redirect_target(self, url: httpx.URL, location: str | None) -> httpx.URL:
        target = url.join(location) if location else None
        if target is None or target.host != url.host or target.scheme not in ("http", "https"):
            raise EwsError(f"{url}: refusing redirect to {location!r} (not the same host)")
        return target

    async def _read_capped(self, url: httpx.URL, response: httpx.Response) -> bytes:
        cap = self.settings.max_body
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise EwsError(f"{url}: page of {declared} bytes exceeds {cap}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > cap:
                raise EwsError(f"{url}: page exceeds {cap} bytes")
        return bytes(body)

    async def product(self, host: str) -> LedmProduct | None:
        """ProductConfigDyn: serial, model, firmware; None if the device has no such page."""
        data = await self.get(host, ledm.PRODUCT_PATH)
        return None if data is None else ledm.parse_product(data)

    async def usage(self, host: str) -> LedmUsage | None:
        """ProductUsageDyn: impressions and per-function counts; None if absent."""
        data = await self.get(host, ledm.USAGE_PATH)
        return None if data is None else ledm.parse_usage(data)

    async def consumables(self, host: str) -> tuple[LedmConsumable, ...] | None:
        """ConsumableConfigDyn: the installed cartridges; None if absent."""
        data = await self.get(host, ledm.CONSUMABLES_PATH)
        return None if data is None else ledm.parse_consumables(data)

    async def read(self, host: str) -> LedmPages | None:
        """All three pages, one after the other (printers are slow servers).

        ProductConfigDyn is asked first: a 404 there means the device has no LEDM, and nothing
        more is asked. Consumables get their page counts from ProductUsageDyn where their own
        page lacks them. A malformed page raises ``ParseError``.
        """
        product = await self.product(host)
        if product is None:
            return None
        usage = await self.usage(host)
        consumables = await self.consumables(host)
        if consumables is not None:
            consumables = ledm.with_usage_pages(consumables, usage)
        return LedmPages(product, usage, consumables)
