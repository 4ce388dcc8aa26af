"""LEDM pages of simulated HP printers, derived from the same state their SNMP agent shows.

Printers whose recording is HP's (sysObjectID under HP's enterprise) serve ProductConfigDyn,
ProductUsageDyn and ConsumableConfigDyn: impressions follow the printer's page count (split
mono/colour, and print/copy/fax on MFPs, by fixed per-printer shares), consumables follow its
supply rows and falling levels, and cartridge serials are derived from the address. Other
printers have no page (404), as a web server without LEDM does. :mod:`ews` serves them.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final
from xml.sax.saxutils import escape

from printscout.domain.manufacturers import brand_for_enterprise, enterprise_number
from printscout.protocols.ews import ledm
from printscout.protocols.snmp import mibs
from printscout.protocols.snmp.ber import Oid, Value, oid_to_str
from printscout.simulator.device import SimPrinter

_DD: Final = "http://www.hp.com/schemas/imaging/con/dictionaries/1.0/"
_LEDM: Final = "http://www.hp.com/schemas/imaging/con/ledm/"
# Printer-MIB supply type -> dd:ConsumableTypeEnum
_TYPE_ENUMS: Final = {
    3: "toner", 4: "tonerCollectionUnit", 5: "ink", 6: "inkCartridge", 9: "imagingDrum",
    10: "developer", 15: "fuser", 20: "transferKit", 21: "tonerCartridge",
}  # fmt: skip
_LABELS: Final = {"black": "K", "cyan": "C", "magenta": "M", "yellow": "Y"}
_MARKING_TYPES: Final = frozenset({3, 5, 6, 21})


def _share(total: int, slots: int, period: int = 100) -> int:
    """How many of pages 0..total-1 fall in the first ``slots`` of every ``period``.

    Assigning pages to functions by a fixed repeating pattern keeps every split counter
    monotonic and the parts summing exactly to the total.
    """
    return (total // period) * slots + min(total % period, slots)


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def _get(printer: SimPrinter, oid: Oid) -> Value:
    i = printer.recording.index(oid)
    return None if i is None else printer.value(i)


def _text(value: Value) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00 ") or None
    return None


def _number(value: Value) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _rows(printer: SimPrinter, column: Oid) -> Iterator[tuple[Oid, Value]]:
    rec = printer.recording
    for i in range(rec.next_index(column), len(rec.oids)):
        oid = rec.oids[i]
        if oid[: len(column)] != column:
            return
        yield oid[len(column) :], printer.value(i)


def _el(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>" if value is not None else ""


def is_hp(printer: SimPrinter) -> bool:
    """Whether the printer's recording is an HP device (and so serves LEDM)."""
    oid = printer.recording.get(mibs.SYS_OBJECT_ID)
    return (
        isinstance(oid, tuple) and brand_for_enterprise(enterprise_number(oid_to_str(oid))) == "HP"
    )


def _is_mfp(printer: SimPrinter) -> bool:
    names = (_text(_get(printer, mibs.SYS_DESCR)), _text(_get(printer, (*mibs.HR_DEVICE_DESCR, 1))))
    return any("MFP" in (n or "") for n in names)


def _document(root: str, namespace: str, body: str) -> bytes:
    prefix = root.split(":", 1)[0]
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns:dd="{_DD}" xmlns:{prefix}="{_LEDM}{namespace}">'
        # the schema's revision, not the firmware's: parsers must not mix the two up
        "<dd:Version><dd:Revision>SVN-IPG-LEDM.900</dd:Revision></dd:Version>"
    )
    return f"{head}{body}</{root}>".encode()


def product_page(printer: SimPrinter) -> bytes:
    """ProductConfigDyn.xml: the same serial and model SNMP shows, a firmware per model."""
    d = _digest(printer.recording.name)  # one firmware per model
    model = _text(_get(printer, (*mibs.HR_DEVICE_DESCR, 1))) or _text(
        _get(printer, (*mibs.PRT_GENERAL_PRINTER_NAME, 1))
    )
    firmware = f"25{d[0] % 12 + 1:02d}{d[1] % 28 + 1:02d}_{int.from_bytes(d[2:5]) % 10**6:06d}"
    body = (
        "<prdcfgdyn:ProductInformation>"
        + _el("dd:MakeAndModel", model)
        + _el("dd:SerialNumber", _text(_get(printer, (*mibs.PRT_GENERAL_SERIAL_NUMBER, 1))))
        + _el("dd:ProductNumber", f"{d[5:8].hex().upper()[:5]}A")
        + _el("dd:UUID", uuid.UUID(bytes=_digest("uuid", printer.address)[:16], version=4))
        + f"<dd:Version>{_el('dd:Revision', firmware)}{_el('dd:Date', '2025-06-18')}</dd:Version>"
        + "</prdcfgdyn:ProductInformation>"
    )
    return _document("prdcfgdyn:ProductConfigDyn", "productconfigdyn/2007/11/05", body)


@dataclass(frozen=True, slots=True)
class _SimSupply:
    index: int
    type_enum: str
    color: str | None
    percent: int | None
    description: str | None
    marking: bool


def _supplies(printer: SimPrinter) -> list[_SimSupply]:
    colorants = {s[-1]: _text(v) for s, v in _rows(printer, mibs.PRT_COLORANT_VALUE)}
    out = []
    for suffix, kind in _rows(printer, mibs.PRT_SUPPLIES_TYPE):
        kind_number = _number(kind)
        colorant = _number(_get(printer, (*mibs.PRT_SUPPLIES_COLORANT_INDEX, *suffix)))
        level = _number(_get(printer, (*mibs.PRT_SUPPLIES_LEVEL, *suffix)))
        maximum = _number(_get(printer, (*mibs.PRT_SUPPLIES_MAX_CAPACITY, *suffix)))
        percent = None
        if level is not None and maximum and maximum > 0 and level >= 0:
            percent = max(0, min(100, round(100 * level / maximum)))
        out.append(
            _SimSupply(
                index=suffix[-1],
                type_enum=_TYPE_ENUMS.get(kind_number or 0, "other"),
                color=(colorants.get(colorant or 0) or "").lower() or None,
                percent=percent,
                description=_text(_get(printer, (*mibs.PRT_SUPPLIES_DESCRIPTION, *suffix))),
                marking=kind_number in _MARKING_TYPES,
            )
        )
    return out


def _cartridge_pages(printer: SimPrinter, supply: _SimSupply) -> int:
    return int.from_bytes(_digest("pages", printer.address, supply.index)[:2]) % 3000 + (
        printer.pages()
    )


def _state(percent: int | None) -> str:
    if percent is None:
        return "ok"
    if percent == 0:
        return "out"
    return "veryLow" if percent <= 2 else "low" if percent <= 10 else "ok"


def consumables_page(printer: SimPrinter) -> bytes:
    """ConsumableConfigDyn.xml: one ConsumableInfo per supply row, serials from the address."""
    parts = []
    for supply in _supplies(printer):
        digest = _digest("cartridge", printer.address, supply.index)
        installed = datetime.date(2024, 1, 1) + datetime.timedelta(days=digest[4] + digest[5])
        words = (supply.description or "").split()
        part = words[-1] if words and words[-1].isalnum() and len(words[-1]) >= 5 else None
        parts.append(
            "<ccdyn:ConsumableInfo>"
            + _el("dd:ConsumableLabelCode", _LABELS.get(supply.color or ""))
            + "<dd:ConsumableLifeState>"
            + _el("dd:ConsumableState", _state(supply.percent))
            + "</dd:ConsumableLifeState>"
            + _el("dd:ConsumablePercentageLevelRemaining", supply.percent)
            + _el("dd:ConsumableStation", supply.index - 1)
            + _el("dd:ConsumableTypeEnum", supply.type_enum)
            + f"<dd:Installation>{_el('dd:Date', installed.isoformat())}</dd:Installation>"
            + _el("dd:ProductNumber", part)
            + _el("dd:SerialNumber", f"CN{digest[:5].hex().upper()}")
            + "</ccdyn:ConsumableInfo>"
        )
    return _document("ccdyn:ConsumableConfigDyn", "consumableconfigdyn/2007/11/19", "".join(parts))


def usage_page(printer: SimPrinter) -> bytes:
    """ProductUsageDyn.xml: impressions from the page count, split by fixed per-printer shares."""
    lifes = [_number(v) for _, v in _rows(printer, mibs.PRT_MARKER_LIFE_COUNT)]
    total = next((n for n in lifes if n is not None), None)
    total = printer.pages() if total is None else total
    supplies = _supplies(printer)
    colour = any(s.marking and s.color not in (None, "black") for s in supplies)
    digest = _digest("usage", printer.address)
    color = _share(total, 20 + digest[0] % 26) if colour else 0
    mfp = _is_mfp(printer)
    large = _share(total, 5) if mfp else 0
    media = (("a4_or_letter", total - large), ("a3_or_ledger", large) if mfp else None)
    body = (
        "<pudyn:PrinterSubunit>"
        + _el("dd:TotalImpressions", total)
        + _el("dd:MonochromeImpressions", total - color)
        + _el("dd:ColorImpressions", color)
        + f"<dd:A4EquivalentImpressions>{_el('dd:TotalImpressions', total * 2)}"
        + "</dd:A4EquivalentImpressions>"
        + _el("dd:DuplexSheets", _share(total, 15))
        + _el("dd:JamEvents", digest[1] % 20)
        + "".join(
            f"<pudyn:UsageByMedia>{_el('dd:TotalImpressions', n)}"
            f"{_el('dd:MediaSizeName', name)}</pudyn:UsageByMedia>"
            for name, n in filter(None, media)
        )
        + "</pudyn:PrinterSubunit>"
        + _consumable_subunit(printer, supplies)
        + (_function_subunits(total) if mfp else _el_block("PrintApplicationSubunit", total))
    )
    return _document("pudyn:ProductUsageDyn", "productusagedyn/2007/12/11", body)


def _el_block(subunit: str, total: int) -> str:
    return f"<pudyn:{subunit}>{_el('dd:TotalImpressions', total)}</pudyn:{subunit}>"


def _function_subunits(total: int) -> str:
    """Print, copy and fax impressions partition the total; scans run alongside."""
    copy, fax = _share(total, 25), _share(total, 29) - _share(total, 25)
    return (
        _el_block("PrintApplicationSubunit", total - copy - fax)
        + _el_block("CopyApplicationSubunit", copy)
        + _el_block("FaxApplicationSubunit", fax)
        + "<pudyn:ScannerEngineSubunit>"
        + _el("dd:ScanImages", _share(total, 40))
        + "</pudyn:ScannerEngineSubunit>"
    )


def _consumable_subunit(printer: SimPrinter, supplies: list[_SimSupply]) -> str:
    entries = [
        "<pudyn:Consumable>"
        + _el("dd:MarkerColor", (s.color or "").title() or None)
        + _el("dd:ConsumableTypeEnum", s.type_enum)
        + _el("dd:TotalImpressions", _cartridge_pages(printer, s))
        + _el("dd:ConsumableRawPercentageLevelRemaining", s.percent)
        + "</pudyn:Consumable>"
        for s in supplies
        if s.marking
    ]
    return f"<pudyn:ConsumableSubunit>{''.join(entries)}</pudyn:ConsumableSubunit>"


_PAGES: Final = {
    ledm.PRODUCT_PATH: product_page,
    ledm.USAGE_PATH: usage_page,
    ledm.CONSUMABLES_PATH: consumables_page,
}


def page_for(printer: SimPrinter, path: str) -> bytes | None:
    """The body a printer serves at ``path``, or None (404)."""
    build = _PAGES.get(path)
    return build(printer) if build is not None and is_hp(printer) else None
