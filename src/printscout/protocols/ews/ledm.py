"""HP LEDM pages (ProductUsageDyn, ConsumableConfigDyn, ProductConfigDyn): pure parsers.

The bytes come from a printer and are untrusted. They are parsed with defusedxml with DTDs
refused (so no entity expansion and no external entities), within a size, depth and
element-count budget; every malformed or hostile document raises ``ParseError`` and nothing
else. Elements are matched by local name only, because the namespace URIs differ between
firmware generations (reference §5.4). Values are read from the *direct* children of the
element that owns them: the same names recur deeper down with other meanings
(``A4EquivalentImpressions/TotalImpressions``, ``PreviousCartridgeData/SerialNumber``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Final
from xml.etree.ElementTree import Element, TreeBuilder
from xml.etree.ElementTree import ParseError as XmlParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from printscout.domain.errors import ParseError

USAGE_PATH: Final = "/DevMgmt/ProductUsageDyn.xml"
CONSUMABLES_PATH: Final = "/DevMgmt/ConsumableConfigDyn.xml"
PRODUCT_PATH: Final = "/DevMgmt/ProductConfigDyn.xml"

# Real pages are 4-40 KB and nest about 7 deep; the budget leaves a wide margin.
MAX_DOCUMENT_BYTES: Final = 1 << 20
MAX_DEPTH: Final = 32
MAX_ELEMENTS: Final = 50_000

_INTEGER: Final = re.compile(r"[+-]?\d{1,19}")

# dd:ConsumableLabelCode -> colour, in the words the Printer-MIB colorant table uses
LABEL_COLORS: Final = {
    "K": "black", "C": "cyan", "M": "magenta", "Y": "yellow", "CMY": "tri-color",
    "MK": "matte black", "PK": "photo black", "LC": "light cyan", "LM": "light magenta",
    "G": "gray", "GY": "gray", "LG": "light gray",
}  # fmt: skip
# dd:MarkerColor (ProductUsageDyn), folded -> colour
MARKER_COLORS: Final = {
    "black": "black", "cyan": "cyan", "magenta": "magenta", "yellow": "yellow",
    "cyanmagentayellow": "tri-color", "tricolor": "tri-color", "photoblack": "photo black",
    "matteblack": "matte black", "lightcyan": "light cyan", "lightmagenta": "light magenta",
    "gray": "gray", "grey": "gray", "lightgray": "light gray",
}  # fmt: skip
# dd:ConsumableTypeEnum, folded -> the Printer-MIB supply type name where one fits
CONSUMABLE_KINDS: Final = {
    "toner": "toner", "tonercartridge": "toner_cartridge", "ink": "ink",
    "inkcartridge": "ink_cartridge", "printhead": "printhead", "drum": "opc",
    "imagingdrum": "opc", "opc": "opc", "developer": "developer", "fuser": "fuser",
    "fuserkit": "fuser", "transferkit": "transfer_unit", "transferbelt": "transfer_unit",
    "transferunit": "transfer_unit", "tonercollectionunit": "waste_toner",
    "wastetoner": "waste_toner", "staples": "staples",
}  # fmt: skip
# dd:MediaSizeName fragments that mean A3/ledger-class ("large") paper
LARGE_MEDIA: Final = ("a3", "ledger", "11x17", "tabloid")


@dataclass(frozen=True, slots=True)
class LedmMarkerUsage:
    """One ``ConsumableSubunit/Consumable`` of ProductUsageDyn: use of the installed cartridge."""

    color: str | None
    kind: str | None
    pages: int | None
    raw_percent: int | None  # may be negative: HP keeps counting past "empty"


@dataclass(frozen=True, slots=True)
class LedmUsage:
    """ProductUsageDyn: lifetime impressions, per function where the device gives them."""

    total: int | None = None
    mono: int | None = None
    color: int | None = None
    duplex_sheets: int | None = None
    large: int | None = None
    jams: int | None = None
    print: int | None = None
    copy: int | None = None
    copy_mono: int | None = None
    copy_color: int | None = None
    fax: int | None = None
    scan: int | None = None
    markers: tuple[LedmMarkerUsage, ...] = ()


@dataclass(frozen=True, slots=True)
class LedmConsumable:
    """One ``ConsumableInfo`` of ConsumableConfigDyn: the installed cartridge or part."""

    label: str | None
    color: str | None
    kind: str | None
    percent: int | None
    state: str | None
    serial: str | None = None
    product_number: str | None = None
    order_number: str | None = None
    pages: int | None = None
    installed: datetime.date | None = None
    station: int | None = None


@dataclass(frozen=True, slots=True)
class LedmProduct:
    """ProductConfigDyn ``ProductInformation``: who the device is."""

    serial: str | None = None
    model: str | None = None
    product_number: str | None = None
    uuid: str | None = None
    firmware: str | None = None
    firmware_date: str | None = None


# ------------------------------------------------------------------ safe parsing


class _BudgetBuilder:
    """Parser target that builds the tree but refuses too deep or too many elements."""

    def __init__(self) -> None:
        self._tree = TreeBuilder()
        self._depth = 0
        self._count = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        self._count += 1
        if self._depth > MAX_DEPTH:
            raise ParseError(f"LEDM document nested deeper than {MAX_DEPTH} elements")
        if self._count > MAX_ELEMENTS:
            raise ParseError(f"LEDM document has more than {MAX_ELEMENTS} elements")
        return self._tree.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._tree.end(tag)

    def data(self, text: str) -> None:
        self._tree.data(text)

    def close(self) -> Element:
        return self._tree.close()


def parse_document(data: bytes, root_name: str) -> Element:
    """Parse untrusted LEDM bytes whose root element has the local name ``root_name``."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(f"LEDM document of {len(data)} bytes exceeds {MAX_DOCUMENT_BYTES}")
    builder = _BudgetBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    try:
        parser.feed(data)
        parser.close()
    except ParseError:
        raise
    except (XmlParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise ParseError(f"not a well-formed LEDM document: {exc}") from exc
    root = builder.close()
    if local(root.tag) != root_name:
        raise ParseError(f"expected an LEDM {root_name}, got <{local(root.tag)}>")
    return root


def local(tag: object) -> str:
    """Strip the namespace: ``{uri}Name`` -> ``Name``."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(node: Element, name: str) -> Iterator[Element]:
    return (child for child in node if local(child.tag) == name)


def _child(node: Element | None, *path: str) -> Element | None:
    for name in path:
        if node is None:
            return None
        node = next(_children(node, name), None)
    return node


def _descendant(root: Element, name: str) -> Element | None:
    return next((e for e in root.iter() if local(e.tag) == name), None)


def _text(node: Element | None, *path: str) -> str | None:
    found = _child(node, *path)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _int(node: Element | None, *path: str) -> int | None:
    text = _text(node, *path)
    return int(text) if text is not None and _INTEGER.fullmatch(text) else None


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


# ------------------------------------------------------------------ ProductUsageDyn


def parse_usage(data: bytes) -> LedmUsage:
    """Parse ``/DevMgmt/ProductUsageDyn.xml``."""
    root = parse_document(data, "ProductUsageDyn")
    printer = _descendant(root, "PrinterSubunit")
    copy = _descendant(root, "CopyApplicationSubunit")
    consumables = _descendant(root, "ConsumableSubunit")
    markers = () if consumables is None else _children(consumables, "Consumable")
    return LedmUsage(
        total=_int(printer, "TotalImpressions"),
        mono=_int(printer, "MonochromeImpressions"),
        color=_int(printer, "ColorImpressions"),
        duplex_sheets=_int(printer, "DuplexSheets"),
        large=_large_impressions(printer),
        jams=_int(printer, "JamEvents"),
        print=_int(_descendant(root, "PrintApplicationSubunit"), "TotalImpressions"),
        copy=_int(copy, "TotalImpressions"),
        copy_mono=_int(copy, "MonochromeImpressions"),
        copy_color=_int(copy, "ColorImpressions"),
        fax=_int(_descendant(root, "FaxApplicationSubunit"), "TotalImpressions"),
        scan=_scans(root),
        markers=tuple(_marker_usage(c) for c in markers),
    )


def _large_impressions(printer: Element | None) -> int | None:
    """Sum of the A3/ledger rows of the printer's per-media usage, if it lists any."""
    if printer is None:
        return None
    rows = [
        _int(row, "TotalImpressions")
        for row in _children(printer, "UsageByMedia")
        if any(m in (_text(row, "MediaSizeName") or "").casefold() for m in LARGE_MEDIA)
    ]
    return _sum(*rows) if rows else None


def _scans(root: Element) -> int | None:
    """Scanned images: the scanner engine's total (copies included), else ADF plus flatbed."""
    for name in ("ScannerEngineSubunit", "ScanApplicationSubunit"):
        unit = _descendant(root, name)
        if unit is None:
            continue
        total = _int(unit, "ScanImages")
        if total is None:
            total = _sum(_int(unit, "AdfImages"), _int(unit, "FlatbedImages"))
        if total is not None:
            return total
    return None


def _marker_usage(node: Element) -> LedmMarkerUsage:
    return LedmMarkerUsage(
        color=marker_color(_text(node, "MarkerColor")),
        kind=consumable_kind(_text(node, "ConsumableTypeEnum")),
        pages=_int(node, "TotalImpressions"),
        raw_percent=_int(node, "ConsumableRawPercentageLevelRemaining"),
    )


# ------------------------------------------------------------------ ConsumableConfigDyn


def parse_consumables(data: bytes) -> tuple[LedmConsumable, ...]:
    """Parse ``/DevMgmt/ConsumableConfigDyn.xml``: one entry per ``ConsumableInfo``."""
    root = parse_document(data, "ConsumableConfigDyn")
    return tuple(_consumable(node) for node in _children(root, "ConsumableInfo"))


def _consumable(node: Element) -> LedmConsumable:
    label = _text(node, "ConsumableLabelCode")
    color = LABEL_COLORS.get(label.upper()) if label else None
    if color is None:
        color = marker_color(_text(node, "MarkerColor"))
    percent = _int(node, "ConsumablePercentageLevelRemaining")
    state = _text(node, "ConsumableLifeState", "ConsumableState") or _text(node, "ConsumableState")
    return LedmConsumable(
        label=label,
        color=color,
        kind=consumable_kind(_text(node, "ConsumableTypeEnum")),
        percent=percent if percent is not None and 0 <= percent <= 100 else None,
        state=state,
        serial=_text(node, "SerialNumber"),
        product_number=_text(node, "ProductNumber"),
        order_number=_text(node, "ConsumableSelectibilityNumber"),
        pages=_int(node, "TotalImpressions"),
        installed=_date(_text(node, "Installation", "Date")),
        station=_int(node, "ConsumableStation"),
    )


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def marker_color(text: str | None) -> str | None:
    """Normalise a ``dd:MarkerColor`` ("CyanMagentaYellow") to a colorant name ("tri-color")."""
    if not text:
        return None
    folded = re.sub(r"[\s_-]", "", text.casefold())
    return MARKER_COLORS.get(folded, text.strip().casefold())


def consumable_kind(text: str | None) -> str | None:
    """Normalise a ``dd:ConsumableTypeEnum`` to the Printer-MIB supply type name if one fits."""
    if not text:
        return None
    folded = re.sub(r"[\s_-]", "", text.casefold())
    return CONSUMABLE_KINDS.get(folded, folded)


def with_usage_pages(
    consumables: tuple[LedmConsumable, ...], usage: LedmUsage | None
) -> tuple[LedmConsumable, ...]:
    """Fill missing page counts from ProductUsageDyn's entry of the same colour and kind."""
    if usage is None:
        return consumables
    out = []
    for item in consumables:
        same = [
            m for m in usage.markers if m.color and (m.color, m.kind) == (item.color, item.kind)
        ]
        pages = same[0].pages if len(same) == 1 else None
        out.append(item if item.pages is not None or pages is None else replace(item, pages=pages))
    return tuple(out)


# ------------------------------------------------------------------ ProductConfigDyn


def parse_product(data: bytes) -> LedmProduct:
    """Parse ``/DevMgmt/ProductConfigDyn.xml``."""
    root = parse_document(data, "ProductConfigDyn")
    info = _descendant(root, "ProductInformation")
    if info is None:
        return LedmProduct()
    # ProductInformation/Version is the firmware; the root's own Version is the schema's
    return LedmProduct(
        serial=_text(info, "SerialNumber"),
        model=_text(info, "MakeAndModel"),
        product_number=_text(info, "ProductNumber"),
        uuid=_text(info, "UUID"),
        firmware=_text(info, "Version", "Revision"),
        firmware_date=_text(info, "Version", "Date"),
    )
