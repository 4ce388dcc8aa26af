"""Get-Printer-Attributes over HTTP and HTTPS (RFC 8010 §4, RFC 8011 §4.2.5), with httpx.

Printers serve IPP at ``/ipp/print`` (IPP Everywhere, AirPrint) and older ones at ``/``; both
are tried in that order. IPP/2.0 is asked first and IPP/1.1 after a version-not-supported
status, an HTTP 400 or an answer that does not parse (reference §5.1). TLS certificates are
not verified by default, because printers ship self-signed ones; pass an ``ssl.SSLContext``
with the fleet's CA to verify (or to allow the old TLS versions some printers still speak).

Every failure is a :class:`~printscout.domain.errors.IppError` (``retryable`` tells whether a
later try may help) or a :class:`~printscout.domain.errors.ParseError` for bytes that are not
IPP. Tests swap the network for an ``httpx.MockTransport`` through ``transport=``.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Final, Self

import httpx

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
from printscout.protocols.ipp.tags import (
    RETRYABLE_STATUSES,
    GroupTag,
    Operation,
    Status,
    is_success,
    status_name,
)
from printscout.protocols.ipp.values import (
    Attribute,
    AttributeGroup,
    Charset,
    Keyword,
    Message,
    NaturalLanguage,
    Uri,
)

DEFAULT_PORT: Final = 631
DEFAULT_PATHS: Final = ("/ipp/print", "/")
IPP_2_0: Final = (2, 0)
IPP_1_1: Final = (1, 1)
CONTENT_TYPE: Final = "application/ipp"

# What a monitoring poll asks for (reference §5.2, §4.4). Never "all": it can include
# media-col-database, which runs to hundreds of kilobytes on some printers.
MONITORING_ATTRIBUTES: Final = (
    "printer-state",
    "printer-state-reasons",
    "printer-state-message",
    "printer-is-accepting-jobs",
    "queued-job-count",
    "printer-up-time",
    "printer-alert",
    "printer-alert-description",
    "marker-names",
    "marker-colors",
    "marker-levels",
    "marker-low-levels",
    "marker-high-levels",
    "marker-types",
    "printer-supply",
    "printer-supply-description",
    "printer-input-tray",
    "printer-device-id",
    "printer-uuid",
    "printer-serial-number",
    "printer-firmware-name",
    "printer-firmware-string-version",
    "printer-firmware-version",
    "printer-make-and-model",
    "printer-info",
    "printer-location",
    "printer-name",
    "printer-dns-sd-name",
    "printer-more-info",
    "printer-impressions-completed",
    "printer-impressions-completed-col",
    "printer-media-sheets-completed",
    "printer-pages-completed",
    "impressions-completed",
)


@dataclass(frozen=True, slots=True)
class IppSettings:
    """How the client talks to printers."""

    timeout: float = 8.0
    """Seconds allowed for each of connect, write, read and pool (pyipp uses 8 s too)."""
    deadline: float = 30.0
    """Seconds allowed for one whole exchange, however slowly the bytes trickle in."""
    verify: bool | ssl.SSLContext = False
    """Certificate check for HTTPS: off, the system CAs (True), or a context of your own."""
    paths: tuple[str, ...] = DEFAULT_PATHS
    """Resource paths tried in order while the printer answers "not found"."""
    requested_attributes: tuple[str, ...] = MONITORING_ATTRIBUTES
    """requested-attributes of every Get-Printer-Attributes."""
    max_response_bytes: int = 2 * 1024 * 1024
    """Larger answers are refused (hostile or broken printers)."""
    natural_language: str = "en"
    """attributes-natural-language of requests."""


@dataclass(frozen=True, slots=True)
class PrinterResponse:
    """A successful Get-Printer-Attributes answer, with the bytes it came in."""

    url: str
    printer_uri: str
    message: Message
    raw: bytes

    @property
    def attributes(self) -> AttributeGroup:
        """The printer attributes (every printer group of the answer, merged)."""
        return self.message.merged(GroupTag.PRINTER)


def get_printer_attributes_request(
    printer_uri: str,
    request_id: int,
    requested: tuple[str, ...] = MONITORING_ATTRIBUTES,
    version: tuple[int, int] = IPP_2_0,
    natural_language: str = "en",
) -> Message:
    """The Get-Printer-Attributes request (operation attributes in RFC 8011 order)."""
    attributes = [
        Attribute("attributes-charset", (Charset("utf-8"),)),
        Attribute("attributes-natural-language", (NaturalLanguage(natural_language),)),
        Attribute("printer-uri", (Uri(printer_uri),)),
    ]
    if requested:
        attributes.append(Attribute("requested-attributes", tuple(Keyword(n) for n in requested)))
    operation = AttributeGroup(GroupTag.OPERATION, tuple(attributes))
    return Message(version, Operation.GET_PRINTER_ATTRIBUTES, request_id, (operation,))


def printer_urls(host: str, port: int, path: str, tls: bool) -> tuple[str, str]:
    """The HTTP(S) URL to post to and the ipp(s) URI that names the printer."""
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    path = path if path.startswith("/") else f"/{path}"
    scheme = "https" if tls else "http"
    return f"{scheme}://{authority}{path}", f"{'ipps' if tls else 'ipp'}://{authority}{path}"


class IppClient:
    """Asks printers for their attributes; one connection pool for every printer."""

    def __init__(
        self,
        settings: IppSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or IppSettings()
        self._http = httpx.AsyncClient(
            verify=self.settings.verify,
            timeout=httpx.Timeout(self.settings.timeout),
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # printers are on the LAN: no proxy, no CA bundle from the env
        )
        self._request_id = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._http.aclose()

    async def get_printer_attributes(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        tls: bool = False,
        requested: tuple[str, ...] | None = None,
    ) -> PrinterResponse:
        """Get-Printer-Attributes from the first path that the printer does not refuse."""
        names = self.settings.requested_attributes if requested is None else requested
        not_found: IppError | None = None
        for path in self.settings.paths:
            try:
                return await self._at_path(host, port, path, tls, names)
            except (IppHttpError, IppStatusError) as exc:
                if not _is_not_found(exc):
                    raise
                not_found = exc
        if not_found is None:
            raise IppError("no IPP resource paths configured")
        raise not_found

    async def _at_path(
        self, host: str, port: int, path: str, tls: bool, names: tuple[str, ...]
    ) -> PrinterResponse:
        """IPP/2.0, then IPP/1.1 when the printer turns 2.0 down."""
        try:
            return await self._exchange(host, port, path, tls, names, IPP_2_0)
        except IppStatusError as exc:
            if exc.status != Status.SERVER_ERROR_VERSION_NOT_SUPPORTED:
                raise
        except IppHttpError as exc:
            if exc.status != 400:
                raise
        except ParseError:
            pass
        return await self._exchange(host, port, path, tls, names, IPP_1_1)

    def _next_request_id(self) -> int:
        self._request_id = self._request_id % 0x7FFF_FFFF + 1
        return self._request_id

    async def _exchange(
        self,
        host: str,
        port: int,
        path: str,
        tls: bool,
        names: tuple[str, ...],
        version: tuple[int, int],
    ) -> PrinterResponse:
        url, printer_uri = printer_urls(host, port, path, tls)
        request = get_printer_attributes_request(
            printer_uri, self._next_request_id(), names, version, self.settings.natural_language
        )
        try:
            async with asyncio.timeout(self.settings.deadline):
                raw = await self._post(url, codec.encode(request))
        except TimeoutError as exc:
            raise IppTimeout(f"{url}: no complete answer in {self.settings.deadline} s") from exc
        message = codec.decode(raw)
        if not is_success(message.code):
            raise IppStatusError(
                message.code,
                status_name(message.code),
                retryable=message.code in RETRYABLE_STATUSES,
            )
        return PrinterResponse(url, printer_uri, message, raw)

    async def _post(self, url: str, body: bytes) -> bytes:
        """POST one request; the answer's bytes, or an IppError for anything but HTTP 200."""
        headers = {"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE}
        try:
            async with self._http.stream("POST", url, content=body, headers=headers) as response:
                if response.status_code != 200:
                    raise IppHttpError(response.status_code, url)
                return await self._read(response, url)
        except httpx.TimeoutException as exc:
            raise IppTimeout(f"{url}: no answer within {self.settings.timeout} s") from exc
        except httpx.ConnectError as exc:
            if _caused_by_tls(exc):
                raise IppTlsError(f"{url}: TLS failed: {exc}") from exc
            raise IppConnectionError(f"{url}: cannot connect: {exc}") from exc
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL) as exc:
            raise IppError(f"{url}: {exc}") from exc
        except httpx.TransportError as exc:
            if _caused_by_tls(exc):
                raise IppTlsError(f"{url}: TLS failed: {exc}") from exc
            raise IppConnectionError(f"{url}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:  # content decoding and the like: the printer's fault
            raise IppError(f"{url}: {type(exc).__name__}: {exc}") from exc

    async def _read(self, response: httpx.Response, url: str) -> bytes:
        limit = self.settings.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise IppError(f"{url}: answer of {declared} bytes exceeds {limit}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise IppError(f"{url}: answer exceeds {limit} bytes")
        return bytes(body)


def _is_not_found(exc: IppHttpError | IppStatusError) -> bool:
    if isinstance(exc, IppHttpError):
        return exc.status == 404
    return exc.status == Status.CLIENT_ERROR_NOT_FOUND


def _caused_by_tls(exc: BaseException) -> bool:
    """Whether an ssl.SSLError lies anywhere in the exception's chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
