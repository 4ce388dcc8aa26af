"""IPP endpoints of simulated printers: Get-Printer-Attributes over HTTP/1.1, TLS optional.

Each printer of a running :class:`~printscout.simulator.fleet.Fleet` gets a listener on its own
loopback address. Its attributes are derived from the same objects its SNMP agent serves, read
at request time (so levels fall and counters rise, and faults show): marker-* and
printer-supply from prtMarkerSuppliesTable, state and reasons from hrPrinterStatus and
hrPrinterDetectedErrorState, identity from the system group, hrDeviceDescr and the serial.
Levels of receptacles (waste toner) are given as IPP does, as the percentage *filled*.
Faults: ``silent`` never answers, ``slow`` answers late (both in :mod:`http_server`),
``malformed`` cuts the answer short.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
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
from printscout.simulator.fleet import Fleet, raise_open_file_limit
from printscout.simulator.http_server import PrinterHttpServer, Reply

MAX_REQUEST: Final = 64 * 1024
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


@dataclass
class IppServer(PrinterHttpServer):
    """IPP listeners for every printer of a fleet; ``close()`` stops them all."""

    base_headers = ((b"Content-Type", b"application/ipp"),)
    max_request = MAX_REQUEST

    fleet: Fleet
    paths: tuple[str, ...]
    versions: frozenset[tuple[int, int]]

    def uri(self, address: str, path: str | None = None) -> str:
        """The ipp(s) URI of one printer."""
        scheme = "ipps" if self.tls else "ipp"
        return f"{scheme}://{address}:{self.port}{path or self.paths[0]}"

    async def respond(self, printer: SimPrinter, request: h11.Request, body: bytes) -> Reply:
        """The IPP answer to a POST on one of ``paths``; other requests get an HTTP error."""
        path = request.target.decode("ascii", "replace").split("?", 1)[0]
        if request.method != b"POST":
            return Reply(405)
        if path not in self.paths:
            return Reply(404)
        try:
            message = codec.decode(body)
        except ParseError:
            return Reply(400)
        printer.begin_request()  # one instant for the whole answer, as for an SNMP poll
        reply = codec.encode(
            answer(printer, message, self.uri(printer.address, path), self.versions)
        )
        if Fault.MALFORMED in printer.faults:
            reply = reply[: len(reply) // 2]
        return Reply(200, reply)


async def start_ipp(
    fleet: Fleet,
    port: int = 631,
    tls: bool = False,
    *,
    paths: tuple[str, ...] = ("/ipp/print", "/"),
    versions: frozenset[tuple[int, int]] = VERSIONS,
) -> IppServer:
    """Serve IPP (or IPPS with ``tls``) on ``port`` of every printer address of ``fleet``."""
    raise_open_file_limit(2 * len(fleet.printers) + 256)
    server = IppServer(port, tls, fleet, paths, versions)
    await server.listen(fleet.printers.values())
    return server
