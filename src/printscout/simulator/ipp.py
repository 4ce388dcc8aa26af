"""IPP endpoints of simulated printers: Get-Printer-Attributes over HTTP/1.1 (h11), TLS optional.

Each printer of a running :class:`~printscout.simulator.fleet.Fleet` gets a listener on its own
loopback address. Its attributes are derived from the same objects its SNMP agent serves, read
at request time (so levels fall and counters rise, and faults show): marker-* and
printer-supply from prtMarkerSuppliesTable, state and reasons from hrPrinterStatus and
hrPrinterDetectedErrorState, identity from the system group, hrDeviceDescr and the serial.
Levels of receptacles (waste toner) are given as IPP does, as the percentage *filled*.
Faults: ``silent`` never answers, ``slow`` answers late, ``malformed`` cuts the answer short.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import tempfile
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final

import h11

from printscout.domain.errors import ParseError
from printscout.domain.manufacturers import identify_manufacturer, model_from
from printscout.protocols.ipp import codec
from printscout.protocols.ipp import values as ipp
from printscout.protocols.ipp.tags import GroupTag, Operation, Status
from printscout.protocols.snmp import ber, mibs
from printscout.protocols.snmp.ber import Oid
from printscout.simulator.device import Fault, SimPrinter
from printscout.simulator.ews import self_signed_certificate
from printscout.simulator.fleet import Fleet, raise_open_file_limit

MAX_REQUEST: Final = 64 * 1024
IDLE_TIMEOUT: Final = 30.0
MAX_STRING: Final = 16_000  # bytes; hostile but encodable (an IPP value holds 65535)
VERSIONS: Final = frozenset({(1, 1), (2, 0)})
# hrPrinterDetectedErrorState bit -> printer-state-reasons keyword; bits without an IPP twin
# (service_requested, input_tray_empty, overdue_prevent_maint) are not reported over IPP
REASONS: Final = {
    "low_paper": "media-low-warning", "no_paper": "media-empty-error",
    "low_toner": "toner-low-warning", "no_toner": "toner-empty-error",
    "door_open": "door-open-error", "jammed": "media-jam-error", "offline": "offline-report",
    "input_tray_missing": "input-tray-missing-error",
    "output_tray_missing": "output-tray-missing-error",
    "marker_supply_missing": "marker-supply-missing-error",
    "output_near_full": "output-area-almost-full-warning", "output_full": "output-area-full-error",
}  # fmt: skip
_STOPPING: Final = frozenset({Fault.PAPER_JAM, Fault.DOOR_OPEN, Fault.TONER_EMPTY})
_COLORS: Final = {"black": "#000000", "cyan": "#00FFFF", "magenta": "#FF00FF", "yellow": "#FFFF00"}
_CLASSES: Final = {3: "supplyThatIsConsumed", 4: "receptacleThatIsFilled"}
_STATIC: Final[dict[str, tuple[ipp.Value, ...]]] = {
    "uri-authentication-supported": (ipp.Keyword("none"),),
    "ipp-versions-supported": (ipp.Keyword("1.1"), ipp.Keyword("2.0")),
    "operations-supported": (ipp.Enum(Operation.GET_PRINTER_ATTRIBUTES),),
    "charset-configured": (ipp.Charset("utf-8"),),
    "charset-supported": (ipp.Charset("utf-8"),),
    "natural-language-configured": (ipp.NaturalLanguage("en"),),
    "generated-natural-language-supported": (ipp.NaturalLanguage("en"),),
    "document-format-supported": (ipp.MimeMediaType("application/octet-stream"),),
    "printer-is-accepting-jobs": (ipp.Boolean(True),),
    "queued-job-count": (ipp.Integer(0),),
}
_OPERATION_GROUP: Final = ipp.AttributeGroup(
    GroupTag.OPERATION,
    (
        ipp.Attribute("attributes-charset", (ipp.Charset("utf-8"),)),
        ipp.Attribute("attributes-natural-language", (ipp.NaturalLanguage("en"),)),
    ),
)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _text(value: object) -> str | None:
    if not isinstance(value, bytes):
        return None
    text = value.split(b"\x00", 1)[0][:MAX_STRING].decode("utf-8", "replace").strip()
    return text.encode()[:MAX_STRING].decode("utf-8", "ignore") or None


def _integer(number: int | None) -> tuple[ipp.Value, ...]:
    return () if number is None else (ipp.Integer(number),)


def _number(value: object) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class _View:
    """The objects of one simulated printer, read once per request."""

    printer: SimPrinter

    def get(self, oid: Oid) -> object:
        i = self.printer.recording.index(oid)
        return None if i is None else self.printer.value(i)

    def column(self, column: Oid) -> dict[Oid, object]:
        rec, n = self.printer.recording, len(column)
        out: dict[Oid, object] = {}
        i = rec.next_index(column)
        while i < len(rec.oids) and rec.oids[i][:n] == column:
            out[rec.oids[i][n:]] = self.printer.value(i)
            i += 1
        return out

    def first(self, column: Oid) -> object:
        return next(iter(self.column(column).values()), None)


def printer_attributes(printer: SimPrinter, uri: str) -> tuple[ipp.Attribute, ...]:
    """Every printer attribute the simulator serves for ``printer`` right now."""
    view = _View(printer)
    values: dict[str, tuple[ipp.Value, ...]] = {}
    values.update(_identity(view, uri))
    values.update(_state(view))
    values.update(_supplies(view))
    return tuple(ipp.Attribute(name, vals) for name, vals in values.items() if vals)


def _identity(view: _View, uri: str) -> dict[str, tuple[ipp.Value, ...]]:
    printer = view.printer
    sys_descr = _text(view.get(mibs.SYS_DESCR))
    object_id = view.get(mibs.SYS_OBJECT_ID)
    types = view.column(mibs.HR_DEVICE_TYPE)
    row = next((s for s, t in types.items() if t == mibs.HR_DEVICE_PRINTER), None)
    descr = _text(view.get((*mibs.HR_DEVICE_DESCR, *row))) if row else None
    oid_text = ber.oid_to_str(object_id) if isinstance(object_id, tuple) else None
    maker = identify_manufacturer(oid_text, sys_descr, descr, None)
    model = model_from(sys_descr, descr, None, maker)
    serial = _text(view.first(mibs.PRT_GENERAL_SERIAL_NUMBER))
    fields = (("MFG", maker), ("MDL", model), ("SN", serial))
    device_id = "".join(f"{k}:{v.replace(';', ',')};" for k, v in fields if v)
    digest = hashlib.sha256(f"{printer.recording.name}|{printer.address}".encode()).digest()
    uptime = _number(view.get(mibs.SYS_UPTIME))
    life = _number(view.first(mibs.PRT_MARKER_LIFE_COUNT))
    make_and_model = " ".join(filter(None, (maker, model))) or descr or sys_descr
    name = _text(view.get(mibs.SYS_NAME))
    location = _text(view.get(mibs.SYS_LOCATION))
    return {
        **_STATIC,
        "printer-uri-supported": (ipp.Uri(uri),),
        "uri-security-supported": (ipp.Keyword("tls" if uri.startswith("ipps") else "none"),),
        "printer-name": (ipp.Name(name or printer.address),),
        "printer-location": (ipp.Text(location),) if location else (),
        "printer-info": (ipp.Text(descr or sys_descr or ""),),
        "printer-make-and-model": (ipp.Text(make_and_model),) if make_and_model else (),
        "printer-device-id": (ipp.Text(device_id),) if device_id else (),
        "printer-uuid": (ipp.Uri(uuid.UUID(bytes=digest[:16]).urn),),
        "printer-more-info": (ipp.Uri(f"http://{printer.address}/"),),
        "printer-up-time": _integer(None if uptime is None else max(1, uptime // 100)),
        "printer-impressions-completed": _integer(None if life is None else life % (1 << 31)),
    }


def _state(view: _View) -> dict[str, tuple[ipp.Value, ...]]:
    faults = view.printer.faults
    error_state = view.first(mibs.HR_PRINTER_ERROR_STATE)
    bits = error_state if isinstance(error_state, bytes) else b""
    reasons = [
        REASONS[name]
        for n, name in enumerate(mibs.ERROR_STATE_BITS)
        if name in REASONS and n // 8 < len(bits) and bits[n // 8] & (0x80 >> n % 8)
    ]
    if faults & _STOPPING:
        state = 5
    else:
        state = 4 if _number(view.first(mibs.HR_PRINTER_STATUS)) == 4 else 3
    console = _text(view.first(mibs.PRT_CONSOLE_DISPLAY_TEXT))
    return {
        "printer-state": (ipp.Enum(state),),
        "printer-state-reasons": tuple(ipp.Keyword(r) for r in reasons or ["none"]),
        "printer-state-message": (ipp.Text(console),) if console else (),
    }


def _supplies(view: _View) -> dict[str, tuple[ipp.Value, ...]]:
    columns = [
        view.column(c)
        for c in (
            mibs.PRT_SUPPLIES_CLASS, mibs.PRT_SUPPLIES_TYPE, mibs.PRT_SUPPLIES_DESCRIPTION,
            mibs.PRT_SUPPLIES_UNIT, mibs.PRT_SUPPLIES_MAX_CAPACITY, mibs.PRT_SUPPLIES_LEVEL,
            mibs.PRT_SUPPLIES_COLORANT_INDEX,
        )
    ]  # fmt: skip
    classes, types, descriptions, units, maxima, levels, colorant_rows = columns
    colorants = {s[-1]: _text(v) for s, v in view.column(mibs.PRT_COLORANT_VALUE).items()}
    out: dict[str, list[ipp.Value]] = {}
    for suffix in levels:
        kind = mibs.SUPPLY_TYPE_NAMES.get(_number(types.get(suffix)) or 0, "other")
        supply_class = _number(classes.get(suffix))
        unit = _number(units.get(suffix))
        level, maximum = _number(levels.get(suffix)), _number(maxima.get(suffix))
        colorant = colorants.get(_number(colorant_rows.get(suffix)) or 0)
        color = (colorant or "").lower()
        description = _text(descriptions.get(suffix)) or kind
        percent = level if level is not None and level < 0 else None
        if level is not None and level >= 0 and maximum and maximum > 0:
            percent = max(0, min(100, round(100 * level / maximum)))
            if supply_class == mibs.RECEPTACLE:
                percent = 100 - percent  # IPP gives waste as filled, the MIB as free room
        receptacle = supply_class == mibs.RECEPTACLE
        for key, value in (
            ("marker-names", ipp.Name(description)),
            ("marker-types", ipp.Keyword(kind.replace("_", "-"))),
            ("marker-colors", ipp.Name(_COLORS.get(color, "none"))),
            ("marker-levels", ipp.Integer(-2 if percent is None else percent)),
            ("marker-low-levels", ipp.Integer(0 if receptacle else 10)),
            ("marker-high-levels", ipp.Integer(90 if receptacle else 100)),
        ):
            out.setdefault(key, []).append(value)
        supply = (
            f"index={suffix[-1]};class={_CLASSES.get(supply_class or 0, 'other')};"
            f"type={_camel(kind)};unit={_camel(mibs.SUPPLY_UNIT_NAMES.get(unit or 0, 'unknown'))};"
            f"maxcapacity={maximum if maximum is not None else -2};"
            f"level={level if level is not None else -2};colorantname={color or 'unknown'};"
        )
        out.setdefault("printer-supply", []).append(ipp.OctetString(supply.encode()))
        out.setdefault("printer-supply-description", []).append(ipp.Text(description))
    return {key: tuple(vals) for key, vals in out.items()}


def answer(
    printer: SimPrinter, request: ipp.Message, uri: str, versions: frozenset[tuple[int, int]]
) -> ipp.Message:
    """The response to one decoded IPP request."""
    operation = _OPERATION_GROUP
    if request.version not in versions:
        status = Status.SERVER_ERROR_VERSION_NOT_SUPPORTED
    elif request.code != Operation.GET_PRINTER_ATTRIBUTES:
        status = Status.SERVER_ERROR_OPERATION_NOT_SUPPORTED
    else:
        requested = set((request.merged(GroupTag.OPERATION)).strings("requested-attributes"))
        everything = not requested or requested & {"all", "printer-description"}
        attributes = tuple(
            a for a in printer_attributes(printer, uri) if everything or a.name in requested
        )
        printer_group = ipp.AttributeGroup(GroupTag.PRINTER, attributes)
        return ipp.Message(
            request.version, Status.SUCCESSFUL_OK, request.request_id, (operation, printer_group)
        )
    return ipp.Message(request.version, status, request.request_id, (operation,))


def _server_context(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix="printscout-ipp-") as folder:  # files only
        cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context


@dataclass
class IppServer:
    """IPP listeners for every printer of a fleet; ``close()`` stops them all."""

    fleet: Fleet
    port: int
    tls: bool
    paths: tuple[str, ...]
    versions: frozenset[tuple[int, int]]
    cert_pem: bytes | None = None
    requests: int = 0
    _servers: list[asyncio.Server] = field(default_factory=list)
    _connections: dict[asyncio.StreamWriter, asyncio.Future[None]] = field(default_factory=dict)

    def uri(self, address: str, path: str | None = None) -> str:
        """The ipp(s) URI of one printer."""
        scheme = "ipps" if self.tls else "ipp"
        return f"{scheme}://{address}:{self.port}{path or self.paths[0]}"

    def close(self) -> None:
        """Stop listening and close open connections (their handlers then end by themselves)."""
        for server in self._servers:
            server.close()
        for writer in self._connections:
            writer.close()  # not Task.cancel(): Python 3.11's streams mishandle cancelled handlers

    async def wait_closed(self) -> None:
        """Close, and wait until every listener and connection is gone."""
        servers = list(self._servers)
        self.close()
        await asyncio.gather(*self._connections.values())
        for server in servers:
            await server.wait_closed()

    async def __aenter__(self) -> IppServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.wait_closed()

    async def _serve(
        self, printer: SimPrinter, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        done = asyncio.get_running_loop().create_future()
        self._connections[writer] = done
        try:
            if Fault.SILENT in printer.faults:
                while await reader.read(65536):
                    pass  # read and never answer, like a hung printer
                return
            await self._converse(printer, reader, writer)
        except (ConnectionError, TimeoutError, h11.ProtocolError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            pass  # only the loop shutting down cancels; 3.11 would report it as an error
        finally:
            del self._connections[writer]
            done.set_result(None)
            writer.close()

    async def _converse(
        self, printer: SimPrinter, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_REQUEST)
        while True:
            received = await _receive(conn, reader)
            if received is None:
                return
            request, body = received
            self.requests += 1
            if Fault.SLOW in printer.faults:
                await asyncio.sleep(printer.slow_seconds)
            status, payload = self._respond(printer, request, body)
            headers = [("Content-Type", "application/ipp"), ("Content-Length", str(len(payload)))]
            writer.write(conn.send(h11.Response(status_code=status, headers=headers)) or b"")
            writer.write(conn.send(h11.Data(data=payload)) or b"")
            writer.write(conn.send(h11.EndOfMessage()) or b"")
            await writer.drain()
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    def _respond(self, printer: SimPrinter, request: h11.Request, body: bytes) -> tuple[int, bytes]:
        path = request.target.decode("ascii", "replace").split("?", 1)[0]
        if request.method != b"POST":
            return 405, b""
        if path not in self.paths:
            return 404, b""
        try:
            message = codec.decode(body)
        except ParseError:
            return 400, b""
        printer.begin_request()  # one instant for the whole answer, as for an SNMP poll
        reply = codec.encode(
            answer(printer, message, self.uri(printer.address, path), self.versions)
        )
        if Fault.MALFORMED in printer.faults:
            reply = reply[: len(reply) // 2]
        return 200, reply


async def _receive(
    conn: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request, bytes] | None:
    """The next request and its body, or None once the client is gone."""
    request: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = await asyncio.wait_for(reader.read(65536), IDLE_TIMEOUT)
            conn.receive_data(data)
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > MAX_REQUEST:
                return None
        elif isinstance(event, h11.EndOfMessage) and request is not None:
            return request, bytes(body)
        else:  # ConnectionClosed, PAUSED
            return None


async def start_ipp(
    fleet: Fleet,
    port: int = 631,
    tls: bool = False,
    *,
    paths: tuple[str, ...] = ("/ipp/print", "/"),
    versions: frozenset[tuple[int, int]] = VERSIONS,
) -> IppServer:
    """Serve IPP (or IPPS with ``tls``) on ``port`` of every printer address of ``fleet``."""
    addresses = list(fleet.printers)
    raise_open_file_limit(2 * len(addresses) + 256)
    server = IppServer(fleet, port, tls, paths, versions)
    context = None
    if tls:
        server.cert_pem, key_pem = self_signed_certificate(addresses)
        context = _server_context(server.cert_pem, key_pem)
    try:
        for address, printer in fleet.printers.items():
            listener = await asyncio.start_server(
                partial(server._serve, printer),
                host=address,
                port=port,
                ssl=context,
                reuse_address=True,
            )
            server._servers.append(listener)
    except BaseException:
        await server.wait_closed()
        raise
    return server
